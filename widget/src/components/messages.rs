//! The conversation: the site's greeting, stored messages, messages still in the outbox,
//! the agent's typing indicator and, once the conversation is resolved, the rating. Keeps
//! itself scrolled to the newest message. New replies are also announced through a polite live region for screen readers.

use openapi::messages::AuthorKind;
use yew::prelude::*;

use super::{
    bubble::{Bubble, Delivery},
    rating::Rating,
};
use crate::{clock, i18n::Strings, services::client::Client, state::Chat};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub chat: Chat,
    pub strings: &'static Strings,
    pub client: Client,
}

#[function_component]
pub fn Messages(props: &Props) -> Html {
    let list = use_node_ref();
    let chat = &props.chat;
    let strings = props.strings;
    {
        // Scroll to the bottom whenever something is added.
        let list = list.clone();
        let count = chat.messages.len()
            + chat.pending.len()
            + usize::from(chat.agent_typing.is_some())
            + usize::from(chat.resolved);
        use_effect_with(count, move |_| {
            if let Some(element) = list.cast::<web_sys::Element>() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }
    let greeting = chat.site.as_ref().map(|site| site.greeting.clone()).filter(|g| !g.is_empty());
    let stored = chat.messages.iter().map(|message| {
        let mine = message.author_kind == AuthorKind::Visitor;
        let delivery = mine.then_some(if message.seq <= chat.agent_read_seq { Delivery::Read } else { Delivery::Sent });
        html! {
            <Bubble key={message.id.to_string()} body={message.body.clone()} {mine} {delivery} {strings} files={message.attachments.clone()}
                time={clock::short_time(&message.created_at, strings.lang)} />
        }
    });
    let pending = chat.pending.iter().map(|pending| {
        let delivery = Some(if pending.refused { Delivery::NotSent } else { Delivery::Sending });
        html! {
            <Bubble key={pending.client_msg_id.clone()} body={pending.body.clone()} mine=true {delivery} {strings}
                time={clock::local_time(pending.written_at, strings.lang)} />
        }
    });
    let announcement = chat.announcement.as_ref().map(|body| format!("{}: {body}", strings.new_message));
    html! {
        <>
            <ol class="rp-messages" ref={list} aria-labelledby="rp-title" tabindex="0">
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
                    <Rating client={props.client.clone()} {strings} rating={chat.rating} progress={chat.rating_progress} />
                }
            </ol>
            <div class="rp-sr-only" role="status" aria-live="polite" aria-atomic="true">
                { announcement.unwrap_or_default() }
            </div>
        </>
    }
}
