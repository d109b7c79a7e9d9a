//! Where the visitor writes. Enter sends, Shift+Enter starts a new line; typing is
//! reported to the agents as it happens.

use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::{i18n::Strings, services::client::Client};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub client: Client,
    pub strings: &'static Strings,
    /// A conversation exists, so files can be sent into it.
    #[prop_or_default]
    pub started: bool,
}

#[function_component]
pub fn Composer(props: &Props) -> Html {
    let input = use_node_ref();
    let draft = use_state(String::new);

    let submit = {
        let client = props.client.clone();
        let draft = draft.clone();
        let input = input.clone();
        move || {
            if draft.trim().is_empty() {
                return;
            }
            client.send(&draft);
            draft.set(String::new());
            if let Some(area) = input.cast::<HtmlTextAreaElement>() {
                area.set_value("");
                let _ = area.focus();
            }
        }
    };
    let oninput = {
        let client = props.client.clone();
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let Some(area) = event.target().and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok()) else { return };
            let value = area.value();
            client.draft_changed(&value);
            draft.set(value);
        })
    };
    let onkeydown = {
        let submit = submit.clone();
        Callback::from(move |event: KeyboardEvent| {
            // While an input method composes (Japanese, Chinese…) Enter confirms the
            // composition: it must not send.
            if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
                event.prevent_default();
                submit();
            }
        })
    };
    let onclick = Callback::from(move |_: MouseEvent| submit());
    let empty = draft.trim().is_empty();
    html! {
        <form class="rp-composer" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            if props.started { <super::attachment::PaperClip client={props.client.clone()} label={props.strings.attach} /> }
            <textarea ref={input} class="rp-input" rows="1" placeholder={props.strings.placeholder}
                aria-label={props.strings.placeholder} {oninput} {onkeydown} value={(*draft).clone()} />
            <button type="button" class="rp-send" aria-label={props.strings.send} disabled={empty} {onclick}>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M3.4 20.4l17.45-7.48a1 1 0 000-1.84L3.4 3.6a.99.99 0 00-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z" fill="currentColor"/>
                </svg>
            </button>
        </form>
    }
}
