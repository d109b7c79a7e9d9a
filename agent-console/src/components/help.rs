//! The keyboard shortcuts overlay (`?`).

use yew::prelude::*;

use crate::{app::use_ctx, state::Action};

const SHORTCUTS: [(&str, &str); 11] = [
    ("j / ↓", "Next conversation"),
    ("k / ↑", "Previous conversation"),
    ("r", "Reply"),
    ("n", "Internal note"),
    ("c", "Claim"),
    ("e", "Resolve"),
    ("g", "Go to the queue"),
    ("/", "Search"),
    ("Enter", "Send (Shift+Enter: new line)"),
    ("Esc", "Close panels"),
    ("?", "Show this help"),
];

#[function_component]
pub fn Help() -> Html {
    let ctx = use_ctx();
    let close = Callback::from(move |_| ctx.send(Action::Help(false)));
    html! {
        <div class="overlay" role="presentation">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title">
                <header class="dialog-head">
                    <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                    <button class="icon-button" aria-label="Close" onclick={close}>{ "×" }</button>
                </header>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(key, what)| html! { <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></> }) }
                </dl>
            </div>
        </div>
    }
}
