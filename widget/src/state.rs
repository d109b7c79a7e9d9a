//! What the panel shows, as a `Reducible`: the chat client dispatches [`Action`]s, the
//! components read [`Chat`].

use std::rc::Rc;

use openapi::messages::AuthorKind;
use yew::Reducible;

use crate::{
    outbox::Pending,
    services::{
        api::{Face, Site},
        frames::{Message, Queue},
    },
};

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

/// Where a request the visitor made (a rating, a transcript, the start form) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    #[default]
    Idle,
    Busy,
    Done,
    /// Refused or lost: the visitor may try again.
    Failed,
    /// The transcript needs an email first (none is known for the visitor).
    NeedsEmail,
    /// Done, but the visitor must confirm the new address from their inbox first.
    ConfirmFromInbox,
}

/// A notice above the composer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    IdentityRejected,
    /// The email's continue link has expired (or was altered): a new chat instead.
    LinkExpired,
}

#[derive(Clone)]
pub struct Chat {
    pub site: Option<Site>,
    /// Agents who wrote in the conversation (beyond the header's team), by id.
    pub faces: Vec<Face>,
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
    /// Whether the visitor has a conversation: `None` until the session says.
    pub started: Option<bool>,
    /// The conversation is resolved: time to ask for a rating.
    pub resolved: bool,
    /// Waiting for an agent: place in line and estimated wait.
    pub queue: Option<Queue>,
    /// The start form (pre-chat or offline) being sent, and how it went.
    pub start_form: Progress,
    /// Where the team will reply, once an offline message was left.
    pub offline_email: Option<String>,
    /// The score the visitor gave (shown with thanks, can be changed).
    pub rating: Option<u8>,
    pub rating_progress: Progress,
    /// The score being chosen (before it is sent).
    pub rating_choice: Option<u8>,
    /// The visitor is changing a rating they sent.
    pub rating_editing: bool,
    pub transcript: Progress,
    /// Why the last file the visitor sent was refused.
    pub file_error: Option<String>,
    /// The start form's wrong fields, and why: (name, email, message).
    pub form_errors: FormErrors,
    /// Nothing is written in the composer (its send button is off).
    pub draft_empty: bool,
}

pub type FormErrors = (Option<&'static str>, Option<&'static str>, Option<&'static str>);

impl Default for Chat {
    fn default() -> Self {
        Self {
            site: None,
            faces: Vec::new(),
            messages: Vec::new(),
            pending: Vec::new(),
            agent_read_seq: 0,
            agent_typing: None,
            link: Link::default(),
            notice: None,
            announcement: None,
            started: None,
            resolved: false,
            queue: None,
            start_form: Progress::default(),
            offline_email: None,
            rating: None,
            rating_progress: Progress::default(),
            rating_choice: None,
            rating_editing: false,
            transcript: Progress::default(),
            file_error: None,
            form_errors: (None, None, None),
            draft_empty: true,
        }
    }
}

pub enum Action {
    Site(Site),
    Face(Face),
    Message(Message),
    Outbox(Vec<Pending>),
    AgentRead(i64),
    AgentTyping {
        typing: bool,
        generation: u32,
    },
    TypingExpired(u32),
    Link(Link),
    Notice(Option<Notice>),
    /// The visitor's conversation: whether there is one, and whether it is resolved.
    Conversation {
        started: bool,
        resolved: bool,
    },
    Queue(Queue),
    StartForm(Progress),
    OfflineSent(String),
    Rating(Option<u8>, Progress),
    RatingChoice(u8),
    RatingEditing(bool),
    Transcript(Progress),
    FileError(Option<String>),
    FormErrors(FormErrors),
    DraftEmpty(bool),
}

impl Chat {
    /// The face of the agent `id`, from the header's team or the replies' authors.
    pub fn face(&self, id: &str) -> Option<&Face> {
        let team = self.site.iter().flat_map(|site| &site.team);
        team.chain(&self.faces).find(|face| face.id == id)
    }
}

impl Reducible for Chat {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut chat = (*self).clone();
        match action {
            Action::Site(site) => chat.site = Some(site),
            Action::Face(face) => {
                chat.faces.retain(|f| f.id != face.id);
                chat.faces.push(face);
            }
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
            Action::Conversation { started, resolved } => {
                chat.started = Some(started);
                if chat.resolved && !resolved {
                    // Reopened: a later resolution asks afresh.
                    chat.rating = None;
                    chat.rating_progress = Progress::Idle;
                    chat.rating_choice = None;
                    chat.rating_editing = false;
                }
                chat.resolved = resolved;
                if resolved {
                    chat.queue = None;
                }
            }
            Action::Queue(queue) => chat.queue = queue.position.is_some().then_some(queue),
            Action::StartForm(progress) => chat.start_form = progress,
            Action::OfflineSent(email) => {
                chat.offline_email = Some(email);
                chat.start_form = Progress::Done;
            }
            Action::Rating(score, progress) => {
                if score.is_some() {
                    chat.rating = score;
                    chat.rating_choice = None;
                    chat.rating_editing = false;
                }
                chat.rating_progress = progress;
            }
            Action::RatingChoice(score) => chat.rating_choice = Some(score),
            Action::RatingEditing(editing) => chat.rating_editing = editing,
            Action::Transcript(progress) => chat.transcript = progress,
            Action::FileError(error) => chat.file_error = error,
            Action::FormErrors(errors) => chat.form_errors = errors,
            Action::DraftEmpty(empty) => chat.draft_empty = empty,
        }
        Rc::new(chat)
    }
}
