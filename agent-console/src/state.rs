//! Everything the console shows, as one reducer: the signed-in agent, the workspace's
//! conversations (kept live by the socket), the open conversation's messages, who is
//! typing or looking, and the screen the agent is on.
//!
//! Lists and counts are derived from the one conversation map, so a `conversation`
//! frame moves a conversation between views (queue → mine → resolved) without a reload.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    rc::Rc,
};

use openapi::{
    agents::{Agent, Role},
    auth::Me,
    conversations::Conversation,
    conversations::ConversationStatus,
    messages::{AuthorKind, Message, MessageKind},
    realtime::{AgentStatus, ConversationChange, Participant},
    routing::{CannedResponse, QueueEntry},
    teams::Team,
    visitors::Visitor,
};
use uuid::Uuid;
use yew::Reducible;

use crate::{clock::now_ms, notify};

/// The conversation lists of the left navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Queue,
    Mine,
    Open,
    Pending,
    Snoozed,
    Resolved,
    Search,
}

impl View {
    pub const NAV: [View; 6] = [View::Queue, View::Mine, View::Open, View::Pending, View::Snoozed, View::Resolved];

    pub fn title(self) -> &'static str {
        match self {
            View::Queue => "Queue",
            View::Mine => "Mine",
            View::Open => "All open",
            View::Pending => "Pending",
            View::Snoozed => "Snoozed",
            View::Resolved => "Resolved",
            View::Search => "Search",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            View::Queue => "queue",
            View::Mine => "mine",
            View::Open => "open",
            View::Pending => "pending",
            View::Snoozed => "snoozed",
            View::Resolved => "resolved",
            View::Search => "search",
        }
    }
}

/// Admin screens (owners and admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminSection {
    Sites,
    Agents,
    CannedResponses,
    ApiKeys,
    Teams,
    Webhooks,
}

impl AdminSection {
    pub const ALL: [AdminSection; 6] = [
        AdminSection::Sites,
        AdminSection::Agents,
        AdminSection::CannedResponses,
        AdminSection::ApiKeys,
        AdminSection::Teams,
        AdminSection::Webhooks,
    ];

    pub fn title(self) -> &'static str {
        match self {
            AdminSection::Sites => "Sites",
            AdminSection::Agents => "Agents",
            AdminSection::CannedResponses => "Canned responses",
            AdminSection::ApiKeys => "API keys",
            AdminSection::Teams => "Teams",
            AdminSection::Webhooks => "Webhooks",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Inbox(View),
    Admin(AdminSection),
    /// Figures and charts for owners and admins.
    Reports,
}

/// The agent socket's state, shown as a banner when not live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    Reconnecting,
}

/// A message written here and not yet acknowledged by the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub conversation_id: Uuid,
    pub client_msg_id: String,
    pub body: String,
    pub kind: MessageKind,
    pub failed: Option<String>,
}

/// Someone typing, until `until` (ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Typing {
    pub preview: Option<String>,
    pub until: f64,
}

#[derive(Clone, PartialEq)]
pub struct Console {
    /// `None` until `/me` answered; then `Some(None)` when signed out.
    pub me: Option<Option<Me>>,
    pub link: Link,
    /// The conversation lists have been loaded once.
    pub loaded: bool,
    pub my_status: AgentStatus,
    /// Set away by the idle timer (input brings the agent back online).
    pub auto_away: bool,
    pub conversations: HashMap<Uuid, Conversation>,
    /// Queue positions and waiting times from `GET /queue`.
    pub waiting: HashMap<Uuid, (i64, f64)>,
    /// Messages held per conversation, by `seq`.
    pub messages: HashMap<Uuid, BTreeMap<i64, Message>>,
    /// Conversations whose first message is loaded (no more scroll-back).
    pub complete: HashSet<Uuid>,
    /// Highest `seq` seen per conversation: a message above it is news.
    pub seen_seq: HashMap<Uuid, i64>,
    pub pending: Vec<Pending>,
    pub visitors: HashMap<Uuid, Visitor>,
    /// Pages a visitor went to since the console opened (url, title, when in ms),
    /// oldest first; the last is the current one.
    pub pages: HashMap<Uuid, Vec<(String, String, f64)>>,
    pub typing: HashMap<(Uuid, Participant), Typing>,
    /// Other agents seen in a conversation (read or typing), with when (ms).
    pub viewers: HashMap<(Uuid, Uuid), f64>,
    pub read_cursors: HashMap<(Uuid, Participant), i64>,
    pub agents: Vec<Agent>,
    pub teams: Vec<Team>,
    pub presence: HashMap<Uuid, AgentStatus>,
    pub canned: Vec<CannedResponse>,
    /// Conversations with news the agent has not looked at.
    pub unread: HashSet<Uuid>,
    pub screen: Screen,
    pub selected: Option<Uuid>,
    pub search: String,
    pub search_results: Vec<Uuid>,
    pub toast: Option<(String, bool)>,
    pub help_open: bool,
    pub details_open: bool,
    /// Bumped to ask the composer to take focus (`r`/`n` shortcuts), with the mode.
    pub focus_composer: (u32, Option<MessageKind>),
    /// Bumped when the socket says a conversation started or was resolved: the reports
    /// page fetches its figures again, so they stay current without a reload.
    pub report_news: u32,
}

impl Default for Console {
    fn default() -> Self {
        Self {
            me: None,
            link: Link::Connecting,
            loaded: false,
            my_status: AgentStatus::Online,
            auto_away: false,
            conversations: HashMap::new(),
            waiting: HashMap::new(),
            messages: HashMap::new(),
            complete: HashSet::new(),
            seen_seq: HashMap::new(),
            pending: Vec::new(),
            visitors: HashMap::new(),
            pages: HashMap::new(),
            typing: HashMap::new(),
            viewers: HashMap::new(),
            read_cursors: HashMap::new(),
            agents: Vec::new(),
            teams: Vec::new(),
            presence: HashMap::new(),
            canned: Vec::new(),
            unread: HashSet::new(),
            screen: Screen::Inbox(View::Queue),
            selected: None,
            search: String::new(),
            search_results: Vec::new(),
            toast: None,
            help_open: false,
            details_open: false,
            focus_composer: (0, None),
            report_news: 0,
        }
    }
}

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
    },
    Read {
        conversation_id: Uuid,
        reader: Participant,
        seq: i64,
    },
    Page {
        visitor_id: Uuid,
        url: String,
        title: String,
        at: f64,
    },
    AgentStatus(Uuid, AgentStatus),
    Presence(Vec<(Uuid, AgentStatus)>),
    Visitor(Visitor),
    Agents(Vec<Agent>),
    Teams(Vec<Team>),
    Canned(Vec<CannedResponse>),
    Screen(Screen),
    Select(Option<Uuid>),
    /// Select the next (+1) or previous (-1) conversation of the current list.
    Step(i32),
    Search(String, Vec<Uuid>),
    Toast(Option<(String, bool)>),
    Help(bool),
    Details(bool),
    FocusComposer(Option<MessageKind>),
    /// The tab became visible: the open conversation is read.
    Seen,
    /// Drops expired typing indicators.
    Tick,
}

impl Console {
    pub fn me(&self) -> Option<&Me> {
        self.me.as_ref().and_then(Option::as_ref)
    }

    pub fn my_id(&self) -> Option<Uuid> {
        self.me().map(|me| me.agent.id)
    }

    pub fn is_admin(&self) -> bool {
        self.me().is_some_and(|me| matches!(me.agent.role, Role::Owner | Role::Admin))
    }

    pub fn agent(&self, id: Uuid) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub fn agent_name(&self, id: Uuid) -> String {
        self.agent(id).map_or_else(|| "An agent".to_owned(), |a| a.name.clone())
    }

    pub fn team_name(&self, id: Uuid) -> String {
        self.teams.iter().find(|t| t.id == id).map_or_else(|| "A team".to_owned(), |t| t.name.clone())
    }

    /// How a visitor is called in lists: name, email, or a short anonymous handle.
    pub fn visitor_name(&self, id: Uuid) -> String {
        match self.visitors.get(&id) {
            Some(v) => v.name.clone().or_else(|| v.email.clone()).unwrap_or_else(|| anonymous(id)),
            None => anonymous(id),
        }
    }

    pub fn in_view(&self, view: View, c: &Conversation) -> bool {
        match view {
            View::Queue => c.status == ConversationStatus::Open && c.assignee_id.is_none(),
            View::Mine => {
                c.assignee_id.is_some()
                    && c.assignee_id == self.my_id()
                    && matches!(c.status, ConversationStatus::Open | ConversationStatus::Pending)
            }
            View::Open => c.status == ConversationStatus::Open,
            View::Pending => c.status == ConversationStatus::Pending,
            View::Snoozed => c.status == ConversationStatus::Snoozed,
            View::Resolved => c.status == ConversationStatus::Resolved,
            View::Search => false,
        }
    }

    /// The conversations of a view: the queue oldest first, others most recent first.
    pub fn list(&self, view: View) -> Vec<&Conversation> {
        if view == View::Search {
            return self.search_results.iter().filter_map(|id| self.conversations.get(id)).collect();
        }
        let mut list: Vec<&Conversation> = self.conversations.values().filter(|c| self.in_view(view, c)).collect();
        if view == View::Queue {
            list.sort_by(|a, b| self.waiting_since(a).total_cmp(&self.waiting_since(b)));
        } else {
            list.sort_by_key(|c| std::cmp::Reverse(c.updated_at));
        }
        list
    }

    pub fn count(&self, view: View) -> usize {
        self.conversations.values().filter(|c| self.in_view(view, c)).count()
    }

    /// When a waiting conversation joined the queue (ms).
    pub fn waiting_since(&self, c: &Conversation) -> f64 {
        self.waiting.get(&c.id).map_or(c.created_at.timestamp_millis() as f64, |(_, since)| *since)
    }

    pub fn current_view(&self) -> View {
        match self.screen {
            Screen::Inbox(view) => view,
            Screen::Admin(_) | Screen::Reports => View::Open,
        }
    }

    /// The newest message held for a conversation.
    pub fn last_message(&self, id: Uuid) -> Option<&Message> {
        self.messages.get(&id).and_then(|m| m.values().next_back())
    }

    fn remember(&mut self, view: Conversation) {
        let id = view.id;
        let seen = self.seen_seq.entry(id).or_insert(view.last_seq);
        *seen = (*seen).max(view.last_seq);
        if view.status != ConversationStatus::Open || view.assignee_id.is_some() {
            self.waiting.remove(&id);
        }
        self.conversations.insert(id, view);
    }

    fn looking_at(&self, id: Uuid) -> bool {
        self.selected == Some(id) && matches!(self.screen, Screen::Inbox(_)) && notify::tab_visible()
    }
}

/// "Visitor 3f2a": stable per visitor, so two anonymous visitors can be told apart.
pub fn anonymous(id: Uuid) -> String {
    let simple = id.simple().to_string();
    format!("Visitor {}", &simple[simple.len() - 4..])
}

impl Reducible for Console {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Me(me) => {
                if me.is_none() {
                    // Signed out: nothing of the previous agent stays on screen.
                    s = Console::default();
                }
                s.me = Some(me);
            }
            Action::Link(link) => s.link = link,
            Action::Loaded => s.loaded = true,
            Action::MyStatus(status, auto) => {
                s.my_status = status;
                s.auto_away = auto;
            }
            Action::Conversations(list) => list.into_iter().for_each(|c| s.remember(c)),
            Action::Queue(items) => {
                s.waiting = items
                    .iter()
                    .map(|i| (i.conversation.id, (i64::from(i.position), i.waiting_since.timestamp_millis() as f64)))
                    .collect();
                items.into_iter().for_each(|i| s.remember(i.conversation));
            }
            Action::Changed(change, view) => {
                let id = view.id;
                let mine = view.assignee_id.is_some() && view.assignee_id == s.my_id();
                let was_mine = s.conversations.get(&id).and_then(|c| c.assignee_id) == s.my_id();
                let is_new = !s.conversations.contains_key(&id);
                let resolved = change == ConversationChange::StatusChanged
                    && view.status == openapi::conversations::ConversationStatus::Resolved;
                if resolved || change == ConversationChange::Created {
                    s.report_news = s.report_news.wrapping_add(1);
                }
                s.remember(view);
                if change == ConversationChange::Created && is_new {
                    if !s.looking_at(id) {
                        s.unread.insert(id);
                    }
                    notify::alert("New conversation", "A visitor is waiting in the queue.");
                } else if change == ConversationChange::Assigned && mine && !was_mine && !s.looking_at(id) {
                    s.unread.insert(id);
                    notify::alert("Conversation assigned to you", "A conversation is now yours.");
                }
            }
            Action::Message(message) => {
                let id = message.conversation_id;
                let seen = s.seen_seq.get(&id).copied().unwrap_or(0);
                let news = message.seq > seen;
                s.seen_seq.insert(id, seen.max(message.seq));
                if let Some(c) = s.conversations.get_mut(&id) {
                    c.last_seq = c.last_seq.max(message.seq);
                    if news {
                        c.updated_at = message.created_at;
                    }
                }
                if let Some(client_msg_id) = &message.client_msg_id {
                    s.pending.retain(|p| &p.client_msg_id != client_msg_id);
                }
                // A message ends its author's typing indicator.
                let author = match (message.author_kind, message.author_id) {
                    (AuthorKind::Visitor, Some(v)) => Some(Participant::Visitor(v)),
                    (AuthorKind::Agent, Some(a)) => Some(Participant::Agent(a)),
                    _ => None,
                };
                if let Some(author) = author {
                    s.typing.remove(&(id, author));
                }
                if news && message.author_kind == AuthorKind::Visitor {
                    if !s.looking_at(id) {
                        s.unread.insert(id);
                    }
                    let concerns_me =
                        s.conversations.get(&id).is_none_or(|c| c.assignee_id.is_none() || c.assignee_id == s.my_id());
                    if concerns_me && !s.looking_at(id) {
                        let who = s.conversations.get(&id).map(|c| s.visitor_name(c.visitor_id));
                        notify::alert(
                            &who.unwrap_or_else(|| "New message".into()),
                            &crate::components::attachments::summary(&message),
                        );
                    }
                }
                s.messages.entry(id).or_default().insert(message.seq, message);
            }
            Action::History(id, list, complete) => {
                if complete {
                    s.complete.insert(id);
                }
                let held = s.messages.entry(id).or_default();
                for m in list {
                    held.insert(m.seq, m);
                }
            }
            Action::Pending(p) => s.pending.push(p),
            Action::Acked(client_msg_id) => {
                // The `message` frame (or history) shows it from now on; until then keep it.
                if s.messages
                    .values()
                    .flat_map(|m| m.values())
                    .any(|m| m.client_msg_id.as_deref() == Some(&*client_msg_id))
                {
                    s.pending.retain(|p| p.client_msg_id != client_msg_id);
                }
            }
            Action::SendFailed(client_msg_id, why) => {
                if let Some(p) = s.pending.iter_mut().find(|p| p.client_msg_id == client_msg_id) {
                    p.failed = Some(why);
                }
            }
            Action::Typing { conversation_id, from, typing, preview, expires_in_ms } => {
                if typing {
                    s.typing
                        .insert((conversation_id, from), Typing { preview, until: now_ms() + expires_in_ms as f64 });
                } else {
                    s.typing.remove(&(conversation_id, from));
                }
                if let Participant::Agent(agent) = from
                    && Some(agent) != s.my_id()
                {
                    s.viewers.insert((conversation_id, agent), now_ms());
                }
            }
            Action::Read { conversation_id, reader, seq } => {
                let cursor = s.read_cursors.entry((conversation_id, reader)).or_insert(0);
                *cursor = (*cursor).max(seq);
                if let Participant::Agent(agent) = reader
                    && Some(agent) != s.my_id()
                {
                    s.viewers.insert((conversation_id, agent), now_ms());
                }
            }
            Action::Page { visitor_id, url, title, at } => {
                let visited = s.pages.entry(visitor_id).or_default();
                if visited.last().is_none_or(|(last, _, _)| *last != url) {
                    visited.push((url, title, at));
                }
                // A trail, not a log: the last few pages tell the story.
                if visited.len() > 8 {
                    visited.remove(0);
                }
            }
            Action::AgentStatus(agent, status) => {
                s.presence.insert(agent, status);
            }
            Action::Presence(list) => s.presence = list.into_iter().collect(),
            Action::Visitor(v) => {
                s.visitors.insert(v.id, v);
            }
            Action::Agents(list) => s.agents = list,
            Action::Teams(list) => s.teams = list,
            Action::Canned(list) => s.canned = list,
            Action::Screen(screen) => {
                s.screen = screen;
                s.help_open = false;
                if let Screen::Inbox(view) = screen
                    && let Some(id) = s.selected
                    && !s.conversations.get(&id).is_some_and(|c| s.in_view(view, c))
                {
                    // Keep the open conversation only if it belongs to the new list.
                    s.selected = s.list(view).first().map(|c| c.id);
                }
            }
            Action::Select(id) => {
                s.selected = id;
                if let Some(id) = id {
                    s.unread.remove(&id);
                    if let Screen::Admin(_) = s.screen {
                        s.screen = Screen::Inbox(s.current_view());
                    }
                }
            }
            Action::Step(delta) => {
                let list: Vec<Uuid> = s.list(s.current_view()).iter().map(|c| c.id).collect();
                if !list.is_empty() {
                    let at = s.selected.and_then(|id| list.iter().position(|x| *x == id));
                    let next = match at {
                        None => 0,
                        Some(i) => (i as i32 + delta).clamp(0, list.len() as i32 - 1) as usize,
                    };
                    s.selected = Some(list[next]);
                    s.unread.remove(&list[next]);
                }
            }
            Action::Search(text, results) => {
                s.search = text;
                s.search_results = results;
                s.screen = Screen::Inbox(View::Search);
            }
            Action::Toast(toast) => s.toast = toast,
            Action::Help(open) => s.help_open = open,
            Action::Details(open) => s.details_open = open,
            Action::FocusComposer(kind) => s.focus_composer = (s.focus_composer.0 + 1, kind),
            Action::Seen => {
                if let Some(id) = s.selected {
                    s.unread.remove(&id);
                }
            }
            Action::Tick => {
                let now = now_ms();
                s.typing.retain(|_, t| t.until > now);
                // Another agent counts as present for a minute after their last sign of life.
                s.viewers.retain(|_, at| now - *at < 60_000.0);
                if self.typing.len() == s.typing.len() && self.viewers.len() == s.viewers.len() {
                    return self;
                }
            }
        }
        Rc::new(s)
    }
}
