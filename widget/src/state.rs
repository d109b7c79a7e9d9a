//! What the panel shows, as a `Reducible`: the chat client dispatches [`Action`]s, the
//! components read [`Chat`].

use std::rc::Rc;

use openapi::{messages::AuthorKind, widget::WidgetSite};
use yew::Reducible;

use crate::{outbox::Pending, services::frames::Message};

/// Whether the live channel is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Starting: nothing to complain about yet.
    #[default]
    Connecting,
    Online,
    /// Lost after having been up: the visitor is told we are reconnecting.
    Reconnecting,
}

/// A notice above the composer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    IdentityRejected,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chat {
    pub site: Option<WidgetSite>,
    /// Stored messages, by increasing `seq`, each once.
    pub messages: Vec<Message>,
    /// The visitor's unacknowledged messages (a copy of the outbox).
    pub pending: Vec<Pending>,
    /// The agents' read cursor: the visitor's messages up to it show "Read".
    pub agent_read_seq: i64,
    /// Whether an agent is typing, and which indicator that is (so an old expiry
    /// timer cannot hide a newer one).
    pub agent_typing: Option<u32>,
    pub link: Link,
    pub notice: Option<Notice>,
    /// The latest reply, for the screen-reader live region.
    pub announcement: Option<String>,
}

pub enum Action {
    Site(WidgetSite),
    Message(Message),
    Outbox(Vec<Pending>),
    AgentRead(i64),
    AgentTyping { typing: bool, generation: u32 },
    TypingExpired(u32),
    Link(Link),
    Notice(Option<Notice>),
}

impl Reducible for Chat {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut chat = (*self).clone();
        match action {
            Action::Site(site) => chat.site = Some(site),
            Action::Message(message) => {
                if message.author_kind == AuthorKind::Agent {
                    // A message ends the typing indicator (PROTOCOL.md §4).
                    chat.agent_typing = None;
                    chat.announcement = Some(message.body.clone());
                }
                chat.pending.retain(|p| Some(&p.client_msg_id) != message.client_msg_id.as_ref());
                match chat.messages.binary_search_by_key(&message.seq, |m| m.seq) {
                    Ok(_) => return self,
                    Err(at) => chat.messages.insert(at, message),
                }
            }
            Action::Outbox(pending) => {
                // A message already stored is shown as stored, never twice.
                chat.pending = pending
                    .into_iter()
                    .filter(|p| !chat.messages.iter().any(|m| m.client_msg_id.as_ref() == Some(&p.client_msg_id)))
                    .collect();
            }
            Action::AgentRead(seq) => chat.agent_read_seq = chat.agent_read_seq.max(seq),
            Action::AgentTyping { typing, generation } => chat.agent_typing = typing.then_some(generation),
            Action::TypingExpired(generation) => {
                if chat.agent_typing == Some(generation) {
                    chat.agent_typing = None;
                }
            }
            Action::Link(link) => chat.link = link,
            Action::Notice(notice) => chat.notice = notice,
        }
        Rc::new(chat)
    }
}
