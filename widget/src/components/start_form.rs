//! The form that starts a conversation when the site wants more than a message: the
//! pre-chat form (name and email, each off, optional or required per site) while agents
//! are online, and the offline form (email required) while nobody is, if the site wants
//! it (`offline_form`).

use openapi::sites::PrechatField;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::{
    i18n::Strings,
    services::{api::Site, client::Client},
    state::{Action, Chat, Progress},
};

/// Whether the panel opens on the form rather than on the bare composer.
pub fn wanted(site: &Site) -> bool {
    offline(site) || site.prechat_name != PrechatField::Off || site.prechat_email != PrechatField::Off
}

/// Nobody online, and the site wants the offline form then.
fn offline(site: &Site) -> bool {
    site.offline_form && !site.agents_online
}

/// A lenient check (the server has the last word): something@something.something.
fn looks_like_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    }) && !text.contains(char::is_whitespace)
}

/// A field's value, by id (`input` or `textarea` alike).
fn value_of(id: &str) -> String {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    element.and_then(|e| js_sys::Reflect::get(&e, &"value".into()).ok()).and_then(|v| v.as_string()).unwrap_or_default()
}

fn focus(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// The form. A plain function rather than a component (less wasm): which fields are
/// wrong lives in the chat's state, the values in the fields themselves.
pub fn start_form(client: &Client, strings: &'static Strings, site: &Site, chat: &Chat) -> Html {
    let offline = offline(site);
    // Offline, the email is where the answer goes: always asked, always required.
    let email_field = if offline { PrechatField::Required } else { site.prechat_email };
    let name_field = site.prechat_name;
    // Which fields are wrong, and why: (name, email, message).
    let errors = chat.form_errors;

    let onsubmit = {
        let client = client.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let text = |id| Some(value_of(id).trim().to_owned()).filter(|v| !v.is_empty());
            let given_name = text("rp-name");
            let given_email = text("rp-email");
            let body = value_of("rp-message");
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
            client.emit(Action::FormErrors(found));
            if found != (None, None, None) {
                // Focus the first field to fix, so keyboard and screen-reader users land on it.
                focus(match found {
                    (Some(_), _, _) => "rp-name",
                    (_, Some(_), _) => "rp-email",
                    _ => "rp-message",
                });
                return;
            }
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
                 error: Option<&'static str>| {
        if setting == PrechatField::Off {
            return html! {};
        }
        let error_id = [id, "-error"].concat();
        html! {
            <div class="rp-field">
                <label for={id}>
                    { label }
                    if setting == PrechatField::Optional { <span class="rp-optional">{ " " }{ strings.optional }</span> }
                </label>
                <input {id} name={id} type={kind} required={setting == PrechatField::Required}
                    autocomplete={if kind == "email" { "email" } else { "name" }}
                    aria-invalid={error.is_some().then_some("true")}
                    aria-describedby={error.is_some().then(|| error_id.clone())} />
                if let Some(error) = error { <p id={error_id.clone()} class="rp-error">{ error }</p> }
            </div>
        }
    };
    let busy = chat.start_form == Progress::Busy;
    html! {
        <form class="rp-start" {onsubmit} novalidate=true data-form={if offline { "offline" } else { "prechat" }}
            aria-labelledby="rp-start-intro">
            <p id="rp-start-intro" class="rp-start-intro">{ if offline { strings.offline_intro } else { strings.prechat_intro } }</p>
            { field("rp-name", strings.name_label, "text", name_field, errors.0) }
            { field("rp-email", strings.email_label, "email", email_field, errors.1) }
            <div class="rp-field">
                <label for="rp-message">{ strings.message_label }</label>
                <textarea id="rp-message" name="rp-message" rows="3" required=true
                    aria-invalid={errors.2.is_some().then_some("true")} />
                if let Some(error) = errors.2 { <p class="rp-error">{ error }</p> }
            </div>
            if chat.start_form == Progress::Failed {
                <p class="rp-error" role="alert">{ strings.try_again }</p>
            }
            <button type="submit" class="rp-primary" disabled={busy}>
                { if offline { strings.leave_message } else { strings.start_chat } }
            </button>
        </form>
    }
}
