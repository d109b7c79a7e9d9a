//! Messages held per conversation (the list's previews, the open conversation's history),
//! replies written here and not yet acknowledged, and read cursors.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    rc::Rc,
};

use openapi::{
    messages::{Message, MessageKind},
    realtime::Participant,
};
use uuid::Uuid;
use yew::Reducible;

/// A message written here and not yet acknowledged by the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub conversation_id: Uuid,
    pub client_msg_id: String,
    pub body: String,
    pub kind: MessageKind,
    pub failed: Option<String>,
}

/// One conversation's messages, by `seq`.
pub type Messages = BTreeMap<i64, Rc<Message>>;

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Each conversation's messages behind their own `Rc`: a new message copies its
    /// conversation's map, not every conversation's.
    pub messages: Rc<HashMap<Uuid, Rc<Messages>>>,
    /// Conversations whose first message is held (no more scroll-back).
    pub complete: Rc<HashSet<Uuid>>,
    pub pending: Rc<Vec<Pending>>,
    pub read_cursors: Rc<HashMap<(Uuid, Participant), i64>>,
}

impl PartialEq for Timeline {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.messages, &other.messages)
            && Rc::ptr_eq(&self.complete, &other.complete)
            && Rc::ptr_eq(&self.pending, &other.pending)
            && Rc::ptr_eq(&self.read_cursors, &other.read_cursors)
    }
}

pub enum TimelineAction {
    Reset,
    Message(Rc<Message>),
    History(Uuid, Vec<Message>, bool),
    Pending(Pending),
    Acked(String),
    SendFailed(String, String),
    Read { conversation_id: Uuid, reader: Participant, seq: i64 },
}

impl Timeline {
    pub fn of(&self, id: Uuid) -> Option<&Messages> {
        self.messages.get(&id).map(|m| &**m)
    }

    /// The newest message held for a conversation.
    pub fn last_message(&self, id: Uuid) -> Option<&Message> {
        self.of(id).and_then(|m| m.values().next_back()).map(|m| &**m)
    }

    pub fn read_cursor(&self, id: Uuid, reader: Participant) -> i64 {
        self.read_cursors.get(&(id, reader)).copied().unwrap_or(0)
    }

    fn insert(&mut self, message: Rc<Message>) {
        let held = Rc::make_mut(&mut self.messages).entry(message.conversation_id).or_default();
        Rc::make_mut(held).insert(message.seq, message);
    }

    fn holds(&self, client_msg_id: &str) -> bool {
        self.messages.values().flat_map(|m| m.values()).any(|m| m.client_msg_id.as_deref() == Some(client_msg_id))
    }

    fn forget_pending(&mut self, client_msg_id: &str) {
        if self.pending.iter().any(|p| p.client_msg_id == client_msg_id) {
            Rc::make_mut(&mut self.pending).retain(|p| p.client_msg_id != client_msg_id);
        }
    }
}

impl Reducible for Timeline {
    type Action = TimelineAction;

    fn reduce(self: Rc<Self>, action: TimelineAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            TimelineAction::Reset => s = Timeline::default(),
            TimelineAction::Message(message) => {
                if let Some(client_msg_id) = &message.client_msg_id {
                    s.forget_pending(client_msg_id);
                }
                if s.of(message.conversation_id).and_then(|m| m.get(&message.seq)).is_some_and(|m| **m == *message) {
                    // A replay of what is held: nothing changes.
                    return if s == *self { self } else { Rc::new(s) };
                }
                s.insert(message);
            }
            TimelineAction::History(id, list, complete) => {
                if complete && !s.complete.contains(&id) {
                    Rc::make_mut(&mut s.complete).insert(id);
                }
                for m in list {
                    s.insert(Rc::new(m));
                }
            }
            TimelineAction::Pending(p) => Rc::make_mut(&mut s.pending).push(p),
            TimelineAction::Acked(client_msg_id) => {
                // The `message` frame (or history) shows it from now on; until then keep it.
                if !s.holds(&client_msg_id) {
                    return self;
                }
                s.forget_pending(&client_msg_id);
            }
            TimelineAction::SendFailed(client_msg_id, why) => {
                if let Some(p) = Rc::make_mut(&mut s.pending).iter_mut().find(|p| p.client_msg_id == client_msg_id) {
                    p.failed = Some(why);
                }
            }
            TimelineAction::Read { conversation_id, reader, seq } => {
                if s.read_cursor(conversation_id, reader) >= seq {
                    return self;
                }
                Rc::make_mut(&mut s.read_cursors).insert((conversation_id, reader), seq);
            }
        }
        Rc::new(s)
    }
}
