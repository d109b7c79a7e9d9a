//! The form that starts a conversation when the site wants more than a message: the
//! pre-chat form (name and email, each off, optional or required per site) while agents
//! are online, and the offline form (email required) while nobody is, if the site wants
//! it (`offline_form`).

use openapi::{sites::PrechatField, widget::WidgetSite};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::{i18n::Strings, services::client::Client, state::Progress};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub client: Client,
    pub strings: &'static Strings,
    pub site: WidgetSite,
    pub progress: Progress,
}

/// Whether the panel opens on the form rather than on the bare composer.
pub fn wanted(site: &WidgetSite) -> bool {
    offline(site) || site.prechat_name != PrechatField::Off || site.prechat_email != PrechatField::Off
}

/// Nobody online, and the site wants the offline form then.
fn offline(site: &WidgetSite) -> bool {
    site.offline_form && !site.agents_online
}

/// A lenient check (the server has the last word): something@something.something.
fn looks_like_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    }) && !text.contains(char::is_whitespace)
}

#[function_component]
pub fn StartForm(props: &Props) -> Html {
    let strings = props.strings;
    let offline = offline(&props.site);
    // Offline, the email is where the answer goes: always asked, always required.
    let email_field = if offline { PrechatField::Required } else { props.site.prechat_email };
    let name_field = props.site.prechat_name;
    let (name, email, message) = (use_node_ref(), use_node_ref(), use_node_ref());
    // Which fields are wrong, and why: (name, email, message).
    let errors = use_state(|| (None::<&'static str>, None::<&'static str>, None::<&'static str>));

    let onsubmit = {
        let (client, errors) = (props.client.clone(), errors.clone());
        let (name, email, message) = (name.clone(), email.clone(), message.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let text = |node: &NodeRef| {
                node.cast::<HtmlInputElement>().map(|i| i.value().trim().to_owned()).filter(|v| !v.is_empty())
            };
            let given_name = text(&name);
            let given_email = text(&email);
            let body = message.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default();
            let missing =
                |field: PrechatField, value: &Option<String>| field == PrechatField::Required && value.is_none();
            let found = (
                missing(name_field, &given_name).then_some(strings.field_required),
                if missing(email_field, &given_email) {
                    Some(strings.field_required)
                } else {
                    given_email.as_deref().filter(|e| !looks_like_email(e)).map(|_| strings.email_invalid)
                },
                body.trim().is_empty().then_some(strings.field_required),
            );
            if found != (None, None, None) {
                errors.set(found);
                // Focus the first field to fix, so keyboard and screen-reader users land on it.
                let first =
                    [(found.0, &name), (found.1, &email)].into_iter().find(|(e, _)| e.is_some()).map(|(_, n)| n);
                match first {
                    Some(node) => node.cast::<HtmlInputElement>().map(|i| i.focus()),
                    None => message.cast::<HtmlTextAreaElement>().map(|t| t.focus()),
                };
                return;
            }
            errors.set((None, None, None));
            match (offline, given_email) {
                (true, Some(email)) => client.leave_offline_message(given_name, email, body),
                (_, given_email) => client.start_with(given_name, given_email, &body),
            }
        })
    };

    let field = |id: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 setting: PrechatField,
                 node: &NodeRef,
                 error: Option<&'static str>| {
        if setting == PrechatField::Off {
            return html! {};
        }
        let error_id = format!("{id}-error");
        html! {
            <div class="rp-field">
                <label for={id}>
                    { label }
                    if setting == PrechatField::Optional { <span class="rp-optional">{ " " }{ strings.optional }</span> }
                </label>
                <input {id} name={id} type={kind} ref={node.clone()} required={setting == PrechatField::Required}
                    autocomplete={if kind == "email" { "email" } else { "name" }}
                    aria-invalid={error.is_some().then_some("true")}
                    aria-describedby={error.is_some().then(|| error_id.clone())} />
                if let Some(error) = error { <p id={error_id.clone()} class="rp-error">{ error }</p> }
            </div>
        }
    };
    let busy = props.progress == Progress::Busy;
    html! {
        <form class="rp-start" {onsubmit} novalidate=true data-form={if offline { "offline" } else { "prechat" }}
            aria-labelledby="rp-start-intro">
            <p id="rp-start-intro" class="rp-start-intro">{ if offline { strings.offline_intro } else { strings.prechat_intro } }</p>
            { field("rp-name", strings.name_label, "text", name_field, &name, errors.0) }
            { field("rp-email", strings.email_label, "email", email_field, &email, errors.1) }
            <div class="rp-field">
                <label for="rp-message">{ strings.message_label }</label>
                <textarea id="rp-message" name="rp-message" rows="3" ref={message} required=true
                    aria-invalid={errors.2.is_some().then_some("true")} />
                if let Some(error) = errors.2 { <p class="rp-error">{ error }</p> }
            </div>
            if props.progress == Progress::Failed {
                <p class="rp-error" role="alert">{ strings.try_again }</p>
            }
            <button type="submit" class="rp-primary" disabled={busy}>
                { if offline { strings.leave_message } else { strings.start_chat } }
            </button>
        </form>
    }
}
