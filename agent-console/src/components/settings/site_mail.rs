//! A site's mail: the sender name and address of mail to its visitors, where offline
//! messages are announced, and whether resolved conversations mail a transcript.

use openapi::mail::{SiteMailSettings, SiteMailSettingsUpdate};
use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::value;
use crate::{app::use_ctx, services::api};

#[derive(Properties, PartialEq)]
pub struct SiteMailProps {
    pub site_id: Uuid,
    pub site_name: String,
}

#[function_component]
pub fn SiteMail(props: &SiteMailProps) -> Html {
    let ctx = use_ctx();
    let settings = use_state(|| None::<SiteMailSettings>);
    let (from_name, from_address, notify_email, transcript) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    {
        let (ctx, settings, id) = (ctx.clone(), settings.clone(), props.site_id);
        use_effect_with(id, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::site_mail_settings(id).await {
                    Ok(found) => settings.set(Some(found)),
                    Err(failure) => ctx.fail(failure),
                }
            });
        });
    }
    let onsubmit = {
        let (ctx, settings, id) = (ctx.clone(), settings.clone(), props.site_id);
        let (from_name, from_address, notify_email, transcript) =
            (from_name.clone(), from_address.clone(), notify_email.clone(), transcript.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let filled = |node: &NodeRef| Some(value(node).trim().to_owned()).filter(|v| !v.is_empty());
            // A full replacement: empty fields go back to their defaults.
            let changes = SiteMailSettingsUpdate {
                clear_addresses: Some(true),
                from_name: filled(&from_name),
                from_address: filled(&from_address),
                notify_email: filled(&notify_email),
                transcript_on_resolve: transcript.cast::<HtmlInputElement>().map(|i| i.checked()),
            };
            let (ctx, settings) = (ctx.clone(), settings.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_site_mail_settings(id, &changes).await {
                    Ok(saved) => {
                        settings.set(Some(saved));
                        ctx.toast("Mail settings saved.");
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let Some(current) = (*settings).clone() else {
        return html! { <div class="card muted" aria-busy="true">{ "Loading mail settings…" }</div> };
    };
    html! {
        <form class="card stack" {onsubmit} aria-labelledby="mail-title" data-site-mail="">
            <h2 id="mail-title">{ "Mail" }</h2>
            <p class="muted small">{ "Mail to this site's visitors (replies they missed, transcripts) and to the team (offline messages)." }</p>
            <div class="grid-2">
                <div class="stack">
                    <label for="mail-from-name">{ "Sender name" }</label>
                    <input id="mail-from-name" ref={from_name} value={current.from_name.clone().unwrap_or_default()}
                        placeholder={props.site_name.clone()} maxlength="100" />
                </div>
                <div class="stack">
                    <label for="mail-from-address">{ "Sender address" }</label>
                    <input id="mail-from-address" type="email" ref={from_address} value={current.from_address.clone().unwrap_or_default()}
                        placeholder="The server's default sender" />
                </div>
            </div>
            <label for="mail-notify">{ "Announce offline messages to" }</label>
            <input id="mail-notify" type="email" ref={notify_email} value={current.notify_email.clone().unwrap_or_default()}
                placeholder="Every active agent" aria-describedby="mail-notify-help" />
            <p id="mail-notify-help" class="muted small">{ "Empty: every active agent gets the mail." }</p>
            <label class="check"><input type="checkbox" ref={transcript} checked={current.transcript_on_resolve} data-setting="transcript" />
                { "Mail the visitor a transcript when a conversation is resolved (when their email is known)" }</label>
            <div class="form-actions"><button class="button primary" type="submit">{ "Save mail settings" }</button></div>
        </form>
    }
}
