//! Single-key shortcuts outside text fields (the help overlay lists them).

use openapi::{conversations::ConversationStatus, messages::MessageKind};
use wasm_bindgen::{JsCast, closure::Closure};
use yew::prelude::*;

use crate::{
    app::Ctx,
    components::conversation::{claim, set_status},
    state::{Action, Screen, View},
};

#[hook]
pub fn use_shortcuts(ctx: Ctx) {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document()).expect("a document");
        let listener = Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| on_shortcut(&ctx, &event));
        let _ = document.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        move || {
            let _ = document.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            drop(listener);
        }
    });
}

fn on_shortcut(ctx: &Ctx, event: &KeyboardEvent) {
    if event.key() == "Escape" {
        ctx.send(Action::Help(false));
        ctx.send(Action::Details(false));
        return;
    }
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let typing_in_field = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable")
    });
    if typing_in_field {
        return;
    }
    let selected = ctx.stores.inbox.selected_conversation().cloned();
    let handled = match event.key().as_str() {
        "j" | "ArrowDown" => {
            ctx.send(Action::Step(1));
            true
        }
        "k" | "ArrowUp" => {
            ctx.send(Action::Step(-1));
            true
        }
        "r" => {
            ctx.send(Action::FocusComposer(Some(MessageKind::Text)));
            true
        }
        "n" => {
            ctx.send(Action::FocusComposer(Some(MessageKind::Note)));
            true
        }
        "/" => {
            if let Some(input) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("search"))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = input.focus();
            }
            true
        }
        "?" => {
            ctx.send(Action::Help(!ctx.stores.ui.help_open));
            true
        }
        "e" => match selected {
            Some(c) => {
                set_status(ctx, c.id, ConversationStatus::Resolved);
                true
            }
            None => false,
        },
        "c" => match selected {
            Some(c) if c.assignee_id.is_none() => {
                claim(ctx, c.id);
                true
            }
            _ => false,
        },
        "g" => {
            ctx.send(Action::Screen(Screen::Inbox(View::Queue)));
            true
        }
        _ => false,
    };
    if handled {
        event.prevent_default();
    }
}
