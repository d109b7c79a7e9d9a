//! "Email me the transcript", under the composer. Rapport mails it to the visitor's known
//! email; when none is known the link turns into a small email field.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::{i18n::Strings, services::client::Client, state::Progress};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub client: Client,
    pub strings: &'static Strings,
    pub progress: Progress,
}

#[function_component]
pub fn Transcript(props: &Props) -> Html {
    let strings = props.strings;
    let email = use_node_ref();
    {
        // When an email is asked for, the field takes the focus.
        let email = email.clone();
        use_effect_with(props.progress, move |progress| {
            if *progress == Progress::NeedsEmail
                && let Some(input) = email.cast::<HtmlInputElement>()
            {
                let _ = input.focus();
            }
        });
    }
    match props.progress {
        Progress::Done => html! {
            <p class="rp-transcript rp-transcript-sent" role="status">{ strings.transcript_sent }</p>
        },
        Progress::ConfirmFromInbox => html! {
            <p class="rp-transcript rp-transcript-sent rp-transcript-confirm" role="status">{ strings.transcript_confirm }</p>
        },
        Progress::NeedsEmail => {
            let onsubmit = {
                let (client, email) = (props.client.clone(), email.clone());
                Callback::from(move |event: SubmitEvent| {
                    event.prevent_default();
                    let value =
                        email.cast::<HtmlInputElement>().map(|i| i.value().trim().to_owned()).unwrap_or_default();
                    if !value.is_empty() {
                        client.request_transcript(Some(value));
                    }
                })
            };
            html! {
                <form class="rp-transcript rp-transcript-ask" {onsubmit}>
                    <input type="email" ref={email} required=true autocomplete="email" placeholder={strings.transcript_email}
                        aria-label={strings.transcript_email} />
                    <button type="submit" class="rp-link">{ strings.send_transcript }</button>
                </form>
            }
        }
        progress => {
            let onclick = {
                let client = props.client.clone();
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
