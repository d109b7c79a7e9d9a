//! Where the visitor writes. Enter sends, Shift+Enter starts a new line; typing is
//! reported to the agents as it happens.

use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::{
    i18n::Strings,
    services::client::Client,
    state::{Action, Chat},
};

/// Sends what the composer holds, empties it and keeps the focus there.
fn submit(client: &Client, area: &HtmlTextAreaElement) {
    let draft = area.value();
    if draft.trim().is_empty() {
        return;
    }
    client.send(&draft);
    area.set_value("");
    client.emit(Action::DraftEmpty(true));
    let _ = area.focus();
}

/// The composer's text area, wherever an event came from.
fn area() -> Option<HtmlTextAreaElement> {
    let document = web_sys::window()?.document()?;
    document.get_element_by_id("rp-input")?.dyn_into().ok()
}

/// The composer. A plain function rather than a component (less wasm): the text stays in
/// the text area itself, and whether it is empty (for the send button) in the chat.
pub fn composer(client: &Client, strings: &'static Strings, chat: &Chat) -> Html {
    let oninput = {
        let client = client.clone();
        Callback::from(move |_: InputEvent| {
            let Some(area) = area() else { return };
            client.draft_changed(&area.value());
        })
    };
    let onkeydown = {
        let client = client.clone();
        Callback::from(move |event: KeyboardEvent| {
            // While an input method composes (Japanese, Chinese…) Enter confirms the
            // composition: it must not send.
            if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
                event.prevent_default();
                if let Some(area) = area() {
                    submit(&client, &area);
                }
            }
        })
    };
    let onclick = {
        let client = client.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = area() {
                submit(&client, &area);
            }
        })
    };
    // A file belongs to a conversation: the paper clip shows once there is one.
    let started = !chat.messages.is_empty();
    html! {
        <form class="rp-composer" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            if started { { super::attachment::paper_clip(client, strings.attach, chat.file_error.as_deref()) } }
            <textarea id="rp-input" class="rp-input" rows="1" placeholder={strings.placeholder}
                aria-label={strings.placeholder} {oninput} {onkeydown} />
            <button type="button" class="rp-send" aria-label={strings.send} disabled={chat.draft_empty} {onclick}>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M3.4 20.4l17.45-7.48a1 1 0 000-1.84L3.4 3.6a.99.99 0 00-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z" fill="currentColor"/>
                </svg>
            </button>
        </form>
    }
}
