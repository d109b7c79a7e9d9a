//! "Email me the transcript", under the composer. Rapport mails it to the visitor's known
//! email; when none is known the link turns into a small email field (which the client
//! focuses when it appears).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::{i18n::Strings, services::client::Client, state::Progress};

/// A plain function rather than a component (less wasm): it keeps no state.
pub fn transcript(client: &Client, strings: &'static Strings, progress: Progress) -> Html {
    match progress {
        Progress::Done => html! {
            <p class="rp-transcript rp-transcript-sent" role="status">{ strings.transcript_sent }</p>
        },
        Progress::ConfirmFromInbox => html! {
            <p class="rp-transcript rp-transcript-sent rp-transcript-confirm" role="status">{ strings.transcript_confirm }</p>
        },
        Progress::NeedsEmail => {
            let onsubmit = {
                let client = client.clone();
                Callback::from(move |event: SubmitEvent| {
                    event.prevent_default();
                    let form = event.target().and_then(|t| t.dyn_into::<Element>().ok());
                    let input = form.and_then(|f| f.query_selector("input").ok().flatten());
                    let value = input
                        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
                        .map(|i| i.value().trim().to_owned())
                        .unwrap_or_default();
                    if !value.is_empty() {
                        client.request_transcript(Some(value));
                    }
                })
            };
            html! {
                <form class="rp-transcript rp-transcript-ask" {onsubmit}>
                    <input type="email" required=true autocomplete="email" placeholder={strings.transcript_email}
                        aria-label={strings.transcript_email} />
                    <button type="submit" class="rp-link">{ strings.send_transcript }</button>
                </form>
            }
        }
        progress => {
            let onclick = {
                let client = client.clone();
                Callback::from(move |_: MouseEvent| client.request_transcript(None))
            };
            html! {
                <p class="rp-transcript" role="status">
                    <button type="button" class="rp-link" data-action="transcript" {onclick} disabled={progress == Progress::Busy}>
                        { strings.transcript }
                    </button>
                    if progress == Progress::Failed { <span class="rp-error">{ " · " }{ strings.try_again }</span> }
                </p>
            }
        }
    }
}
