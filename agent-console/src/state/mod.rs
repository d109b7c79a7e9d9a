//! What the console shows, as six small stores, each a pure reducer (no browser call: the
//! host's `cargo test` runs them):
//!
//! - [`session`]: the signed-in agent, the socket's state, the agent's own status.
//! - [`inbox`]: the workspace's conversations and visitors, the views and filters, which
//!   conversation is open, what is unread, and the alerts to raise.
//! - [`timeline`]: messages per conversation, replies not yet acknowledged, read cursors.
//! - [`live`]: who is typing or looking, agents' presence, visitors' page trails.
//! - [`directory`]: agents, teams, saved replies, labels, saved views, sites.
//! - [`ui`]: the toast, the help overlay, the details panel, composer focus requests.
//!
//! Everything that happens is one [`Action`]; [`route`] says which stores it concerns, so
//! a typing frame touches only `live` and re-renders only what shows typing. Each store
//! keeps its collections behind `Rc`, so an update copies the collection it changes and
//! shares the rest; stores compare by pointer.

pub mod directory;
pub mod inbox;
pub mod live;
pub mod session;
pub mod timeline;
pub mod ui;

#[cfg(test)]
mod tests;

use std::rc::Rc;

use openapi::{
    agents::Agent,
    auth::Me,
    canned::CannedResponse,
    conversations::Conversation,
    labels::Label,
    messages::{Message, MessageKind},
    realtime::{AgentStatus, ConversationChange, Participant},
    routing::QueueEntry,
    sites::Site,
    teams::Team,
    views::SavedView,
    visitors::Visitor,
};
use uuid::Uuid;
#[cfg(test)]
use yew::Reducible;
use yew::UseReducerDispatcher;

pub use directory::Directory;
pub use inbox::{Alert, Filters, Inbox, Screen, SearchHit, View};
pub use live::Live;
pub use session::{Link, Session};
pub use timeline::{Pending, Timeline};
pub use ui::Ui;

/// Settings screens (owners and admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminSection {
    Workspace,
    Sites,
    Agents,
    Teams,
    Labels,
    CannedResponses,
    ApiKeys,
    Webhooks,
    AuditLog,
}

impl AdminSection {
    pub const ALL: [AdminSection; 9] = [
        AdminSection::Workspace,
        AdminSection::Sites,
        AdminSection::Agents,
        AdminSection::Teams,
        AdminSection::Labels,
        AdminSection::CannedResponses,
        AdminSection::ApiKeys,
        AdminSection::Webhooks,
        AdminSection::AuditLog,
    ];

    pub fn title(self) -> &'static str {
        match self {
            AdminSection::Workspace => "Workspace",
            AdminSection::Sites => "Sites",
            AdminSection::Agents => "Agents",
            AdminSection::Teams => "Teams",
            AdminSection::Labels => "Labels",
            AdminSection::CannedResponses => "Canned responses",
            AdminSection::ApiKeys => "API keys",
            AdminSection::Webhooks => "Webhooks",
            AdminSection::AuditLog => "Audit log",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            AdminSection::Workspace => "workspace",
            AdminSection::Sites => "sites",
            AdminSection::Agents => "agents",
            AdminSection::Teams => "teams",
            AdminSection::Labels => "labels",
            AdminSection::CannedResponses => "canned",
            AdminSection::ApiKeys => "keys",
            AdminSection::Webhooks => "webhooks",
            AdminSection::AuditLog => "audit",
        }
    }
}

/// A page the visitor viewed.
#[derive(Debug, Clone, PartialEq)]
pub struct PageVisit {
    pub url: String,
    pub title: String,
    /// When, in ms since the epoch.
    pub at: f64,
}

/// Something that happened: a server answer, a socket frame, or the agent's own doing.
#[derive(Debug, Clone)]
pub enum Action {
    Me(Option<Me>),
    Link(Link),
    Loaded,
    MyStatus(AgentStatus, bool),
    Conversations(Vec<Conversation>),
    Queue(Vec<QueueEntry>),
    Changed(ConversationChange, Conversation),
    Message(Message),
    History(Uuid, Vec<Message>, bool),
    Pending(Pending),
    Acked(String),
    SendFailed(String, String),
    Typing {
        conversation_id: Uuid,
        from: Participant,
        typing: bool,
        preview: Option<String>,
        expires_in_ms: u32,
        now: f64,
    },
    Read {
        conversation_id: Uuid,
        reader: Participant,
        seq: i64,
        now: f64,
    },
    /// A page the visitor just went to (a `page` frame).
    Page {
        visitor_id: Uuid,
        visit: PageVisit,
    },
    /// A visitor's stored trail, oldest first.
    Trail(Uuid, Vec<PageVisit>),
    AgentStatus(Uuid, AgentStatus),
    Presence(Vec<(Uuid, AgentStatus)>),
    Visitors(Vec<Visitor>),
    Agents(Vec<Agent>),
    Teams(Vec<Team>),
    Canned(Vec<CannedResponse>),
    Labels(Vec<Label>),
    Views(Vec<SavedView>),
    Sites(Vec<Site>),
    Screen(Screen),
    Select(Option<Uuid>),
    /// Select the next (+1) or previous (-1) conversation of the current list.
    Step(i32),
    /// The inbox's filters changed (the view stays).
    Filter(Filters),
    /// Search results: conversations with the text that matched.
    Search(String, Vec<inbox::SearchHit>),
    Toast(Option<(String, bool)>),
    Help(bool),
    Details(bool),
    FocusComposer(Option<MessageKind>),
    /// The tab became visible (the open conversation is read) or hidden.
    TabVisible(bool),
    /// Drops expired typing indicators and colleagues gone quiet.
    Tick(f64),
}

/// One store's part of an action.
pub enum StoreAction {
    Session(session::SessionAction),
    Inbox(inbox::InboxAction),
    Timeline(timeline::TimelineAction),
    Live(live::LiveAction),
    Directory(directory::DirectoryAction),
    Ui(ui::UiAction),
}

/// Which stores an action concerns, and what each does with it.
pub fn route(action: Action) -> Vec<StoreAction> {
    use StoreAction as S;
    use directory::DirectoryAction as D;
    use inbox::InboxAction as I;
    use live::LiveAction as L;
    use session::SessionAction as Se;
    use timeline::TimelineAction as T;
    use ui::UiAction as U;
    match action {
        Action::Me(me) => {
            let me = me.map(Rc::new);
            let my_id = me.as_ref().map(|m| m.agent.id);
            if me.is_none() {
                // Signed out: nothing of the previous agent stays on screen.
                vec![
                    S::Session(Se::Me(None)),
                    S::Inbox(I::Reset(None)),
                    S::Timeline(T::Reset),
                    S::Live(L::Reset),
                    S::Directory(D::Reset),
                    S::Ui(U::Reset),
                ]
            } else {
                vec![S::Session(Se::Me(me)), S::Inbox(I::Me(my_id)), S::Live(L::Me(my_id))]
            }
        }
        Action::Link(link) => vec![S::Session(Se::Link(link))],
        Action::Loaded => vec![S::Inbox(I::Loaded)],
        Action::MyStatus(status, auto) => vec![S::Session(Se::MyStatus(status, auto))],
        Action::Conversations(list) => vec![S::Inbox(I::Conversations(list))],
        Action::Queue(items) => vec![S::Inbox(I::Queue(items))],
        Action::Changed(change, conversation) => vec![S::Inbox(I::Changed(change, conversation))],
        Action::Message(message) => {
            let message = Rc::new(message);
            let mut actions = vec![S::Inbox(I::Message(message.clone()))];
            if let Some(author) = inbox::author(&message) {
                // A message ends its author's typing indicator.
                actions.push(S::Live(L::Stopped(message.conversation_id, author)));
            }
            actions.push(S::Timeline(T::Message(message)));
            actions
        }
        Action::History(id, list, complete) => vec![S::Timeline(T::History(id, list, complete))],
        Action::Pending(pending) => vec![S::Timeline(T::Pending(pending))],
        Action::Acked(client_msg_id) => vec![S::Timeline(T::Acked(client_msg_id))],
        Action::SendFailed(client_msg_id, why) => vec![S::Timeline(T::SendFailed(client_msg_id, why))],
        Action::Typing { conversation_id, from, typing, preview, expires_in_ms, now } => {
            vec![S::Live(L::Typing {
                conversation_id,
                from,
                typing,
                preview,
                until: now + f64::from(expires_in_ms),
                now,
            })]
        }
        Action::Read { conversation_id, reader, seq, now } => vec![
            S::Timeline(T::Read { conversation_id, reader, seq }),
            S::Live(L::Seen { conversation_id, reader, now }),
        ],
        Action::Page { visitor_id, visit } => vec![S::Live(L::Page(visitor_id, visit))],
        Action::Trail(visitor_id, trail) => vec![S::Live(L::Trail(visitor_id, trail))],
        Action::AgentStatus(agent, status) => vec![S::Live(L::AgentStatus(agent, status))],
        Action::Presence(list) => vec![S::Live(L::Presence(list))],
        Action::Visitors(list) => vec![S::Inbox(I::Visitors(list))],
        Action::Agents(list) => vec![S::Directory(D::Agents(list))],
        Action::Teams(list) => vec![S::Directory(D::Teams(list))],
        Action::Canned(list) => vec![S::Directory(D::Canned(list))],
        Action::Labels(list) => vec![S::Directory(D::Labels(list))],
        Action::Views(list) => vec![S::Inbox(I::Views(list.clone())), S::Directory(D::Views(list))],
        Action::Sites(list) => vec![S::Directory(D::Sites(list))],
        Action::Screen(screen) => vec![S::Inbox(I::Screen(screen)), S::Ui(U::Help(false))],
        Action::Select(id) => vec![S::Inbox(I::Select(id))],
        Action::Step(delta) => vec![S::Inbox(I::Step(delta))],
        Action::Filter(filters) => vec![S::Inbox(I::Filter(filters))],
        Action::Search(text, hits) => vec![S::Inbox(I::Search(text, hits))],
        Action::Toast(toast) => vec![S::Ui(U::Toast(toast))],
        Action::Help(open) => vec![S::Ui(U::Help(open))],
        Action::Details(open) => vec![S::Ui(U::Details(open))],
        Action::FocusComposer(kind) => vec![S::Ui(U::FocusComposer(kind))],
        Action::TabVisible(visible) => vec![S::Inbox(I::TabVisible(visible))],
        Action::Tick(now) => vec![S::Live(L::Tick(now))],
    }
}

/// Sends actions to the stores. Stable for the console's life, so holding one never
/// re-renders anything.
#[derive(Clone, PartialEq)]
pub struct Dispatch {
    pub session: UseReducerDispatcher<Session>,
    pub inbox: UseReducerDispatcher<Inbox>,
    pub timeline: UseReducerDispatcher<Timeline>,
    pub live: UseReducerDispatcher<Live>,
    pub directory: UseReducerDispatcher<Directory>,
    pub ui: UseReducerDispatcher<Ui>,
}

impl Dispatch {
    pub fn send(&self, action: Action) {
        for part in route(action) {
            match part {
                StoreAction::Session(a) => self.session.dispatch(a),
                StoreAction::Inbox(a) => self.inbox.dispatch(a),
                StoreAction::Timeline(a) => self.timeline.dispatch(a),
                StoreAction::Live(a) => self.live.dispatch(a),
                StoreAction::Directory(a) => self.directory.dispatch(a),
                StoreAction::Ui(a) => self.ui.dispatch(a),
            }
        }
    }
}

/// All stores as plain values: what the reducers' tests drive, and what a test can read
/// after a sequence of actions.
#[cfg(test)]
#[derive(Clone, Default)]
pub struct Model {
    pub session: Rc<Session>,
    pub inbox: Rc<Inbox>,
    pub timeline: Rc<Timeline>,
    pub live: Rc<Live>,
    pub directory: Rc<Directory>,
    pub ui: Rc<Ui>,
}

#[cfg(test)]
impl Model {
    pub fn apply(&mut self, action: Action) {
        for part in route(action) {
            match part {
                StoreAction::Session(a) => self.session = self.session.clone().reduce(a),
                StoreAction::Inbox(a) => self.inbox = self.inbox.clone().reduce(a),
                StoreAction::Timeline(a) => self.timeline = self.timeline.clone().reduce(a),
                StoreAction::Live(a) => self.live = self.live.clone().reduce(a),
                StoreAction::Directory(a) => self.directory = self.directory.clone().reduce(a),
                StoreAction::Ui(a) => self.ui = self.ui.clone().reduce(a),
            }
        }
    }
}

/// "Visitor 3f2a": stable per visitor, so two anonymous visitors can be told apart.
pub fn anonymous(id: Uuid) -> String {
    let simple = id.simple().to_string();
    format!("Visitor {}", &simple[simple.len() - 4..])
}

/// A message as one line: its text, or the names of its files.
pub fn summary(message: &Message) -> String {
    if !message.body.is_empty() || message.attachments.is_empty() {
        return message.body.clone();
    }
    let names: Vec<&str> = message.attachments.iter().map(|a| a.filename.as_str()).collect();
    // Words, not an emoji: not every system has a font for it.
    format!("{}: {}", if names.len() == 1 { "File" } else { "Files" }, names.join(", "))
}
