//! The conversation: the site's greeting, stored messages, messages still in the outbox,
//! the agent's typing indicator and, once the conversation is resolved, the rating. New
//! replies are also announced through a polite live region for screen readers. (The app
//! keeps the list scrolled to the newest message.)

use openapi::messages::AuthorKind;
use yew::prelude::*;

use super::bubble::{Bubble, Delivery, bubble};
use crate::{clock, i18n::Strings, services::client::Client, state::Chat};

/// How many things the list shows: it scrolls to the bottom whenever this grows.
pub fn count(chat: &Chat) -> usize {
    chat.messages.len() + chat.pending.len() + usize::from(chat.agent_typing.is_some()) + usize::from(chat.resolved)
}

/// The list; `list` is its node, kept scrolled by the app. A plain function rather than a
/// component (less wasm): the app re-renders it with the chat.
pub fn messages(chat: &Chat, strings: &'static Strings, client: &Client, list: &NodeRef) -> Html {
    let greeting = chat.site.as_ref().map(|site| site.greeting.clone()).filter(|g| !g.is_empty());
    let stored = chat.messages.iter().map(|message| {
        let mine = message.author_kind == AuthorKind::Visitor;
        let delivery = mine.then_some(if message.seq <= chat.agent_read_seq { Delivery::Read } else { Delivery::Sent });
        bubble(Bubble {
            key: &message.id,
            body: &message.body,
            mine,
            time: clock::short_time(&message.created_at, strings.lang),
            delivery,
            strings,
            files: &message.attachments,
            author: message.author_id.as_deref().and_then(|id| chat.face(id)),
        })
    });
    let pending = chat.pending.iter().map(|pending| {
        let delivery = Some(if pending.refused { Delivery::NotSent } else { Delivery::Sending });
        bubble(Bubble {
            key: &pending.client_msg_id,
            body: &pending.body,
            mine: true,
            time: clock::local_time(pending.written_at, strings.lang),
            delivery,
            strings,
            files: &[],
            author: None,
        })
    });
    let announcement = chat.announcement.as_ref().map(|body| [strings.new_message, ": ", body].concat());
    html! {
        <>
            <ol class="rp-messages" ref={list.clone()} aria-labelledby="rp-title" tabindex="0">
                if let Some(greeting) = greeting {
                    <li class="rp-row rp-theirs rp-greeting"><div class="rp-bubble">{ greeting }</div></li>
                }
                { for stored }
                { for pending }
                if chat.agent_typing.is_some() {
                    <li class="rp-row rp-theirs rp-typing" aria-label={strings.agent_typing}>
                        <div class="rp-bubble"><span></span><span></span><span></span></div>
                    </li>
                }
                if chat.resolved {
                    { super::rating::rating(client, strings, chat) }
                }
            </ol>
            <div class="rp-sr-only" role="status" aria-live="polite" aria-atomic="true">
                { announcement.unwrap_or_default() }
            </div>
        </>
    }
}
