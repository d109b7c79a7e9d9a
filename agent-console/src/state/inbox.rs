//! The workspace's conversations as the inbox shows them: the views (queue, mine, team
//! inboxes, saved views…) and the filters over them, the visitors they name, which one is
//! open, which have unseen news, and the alerts to raise.
//!
//! Lists and counts are derived from the one conversation map, so a `conversation` frame
//! moves a conversation between views (queue → mine → resolved) without a reload. A
//! conversation is replaced only by a version at least as new as the one held: a REST
//! page that left the server before a frame cannot undo it.

use std::{
    collections::{HashMap, HashSet},
    rc::Rc,
};

use openapi::{
    conversations::{Conversation, ConversationStatus, MatchField, MessagePreview},
    messages::{AuthorKind, Message, MessageKind},
    realtime::{ConversationChange, Participant},
    routing::QueueEntry,
    views::{ConversationFilters, SavedView},
    visitors::Visitor,
};
use uuid::Uuid;
use yew::Reducible;

use super::{AdminSection, anonymous, summary};

/// The inbox's filters: status, assignee, team, site, label, priority (all optional).
pub type Filters = ConversationFilters;

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
    /// A team's inbox: its conversations in progress.
    Team(Uuid),
    /// One of the agent's saved views.
    Saved(Uuid),
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
            View::Team(_) => "Team",
            View::Saved(_) => "View",
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
            View::Team(_) => "team",
            View::Saved(_) => "saved",
        }
    }

    /// What the view shows, as filters (how a view is saved).
    pub fn as_filters(self, me: Option<Uuid>) -> Filters {
        let status = |s| Filters { status: Some(s), ..Filters::default() };
        match self {
            View::Queue => Filters { unassigned: Some(true), ..status(ConversationStatus::Open) },
            View::Mine => Filters { assignee_id: me, ..Filters::default() },
            View::Open => status(ConversationStatus::Open),
            View::Pending => status(ConversationStatus::Pending),
            View::Snoozed => status(ConversationStatus::Snoozed),
            View::Resolved => status(ConversationStatus::Resolved),
            View::Team(team) => Filters { team_id: Some(team), ..Filters::default() },
            View::Search | View::Saved(_) => Filters::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Inbox(View),
    Admin(AdminSection),
    /// Figures and charts for owners and admins.
    Reports,
    /// The agent's own notification settings.
    Preferences,
}

impl Screen {
    /// The screen's name in the address (`/console/?screen=settings.sites`); the inbox's
    /// views have none: `/console/` is the inbox.
    pub fn key(self) -> Option<String> {
        match self {
            Screen::Inbox(_) => None,
            Screen::Admin(section) => Some(format!("settings.{}", section.key())),
            Screen::Reports => Some("reports".to_owned()),
            Screen::Preferences => Some("preferences".to_owned()),
        }
    }

    /// The screen an address names, if it names one.
    pub fn from_key(key: &str) -> Option<Screen> {
        match key {
            "reports" => Some(Screen::Reports),
            "preferences" => Some(Screen::Preferences),
            _ => {
                let section = key.strip_prefix("settings.")?;
                AdminSection::ALL.into_iter().find(|s| s.key() == section).map(Screen::Admin)
            }
        }
    }
}

/// A search result: the conversation and the text that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub conversation_id: Uuid,
    pub field: MatchField,
    /// The matching text with some context around it.
    pub snippet: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// A visitor started a conversation (raised with their first message).
    NewConversation,
    /// A visitor wrote in a conversation that is the agent's or nobody's.
    Message,
    /// A conversation became the agent's.
    Assigned,
}

/// Something to tell the agent about (sound, browser notification): who and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Bumped for every alert, so each is raised once.
    pub serial: u32,
    pub kind: AlertKind,
    pub conversation_id: Uuid,
    pub visitor_id: Uuid,
    /// What the visitor wrote (empty for an assignment).
    pub text: String,
}

impl Alert {
    /// ("Jane Doe", "Where is my order?") — the title names who, the body says what.
    pub fn words(&self, visitor: &str) -> (String, String) {
        match self.kind {
            AlertKind::NewConversation => (format!("New conversation: {visitor}"), self.text.clone()),
            AlertKind::Message => (visitor.to_owned(), self.text.clone()),
            AlertKind::Assigned => (
                format!("Assigned to you: {visitor}"),
                if self.text.is_empty() { "A conversation is now yours.".to_owned() } else { self.text.clone() },
            ),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Inbox {
    pub my_id: Option<Uuid>,
    /// The conversation lists have been loaded once.
    pub loaded: bool,
    pub conversations: Rc<HashMap<Uuid, Rc<Conversation>>>,
    /// Highest `seq` seen per conversation: a message above it is news.
    pub seen_seq: Rc<HashMap<Uuid, i64>>,
    /// Latest activity per conversation (ms): a change or a message, for ordering lists.
    pub activity: Rc<HashMap<Uuid, f64>>,
    /// Queue positions and waiting times (ms) from `GET /queue`.
    pub waiting: Rc<HashMap<Uuid, (i64, f64)>>,
    /// Conversations with news the agent has not looked at.
    pub unread: Rc<HashSet<Uuid>>,
    pub visitors: Rc<HashMap<Uuid, Visitor>>,
    /// The agent's saved views (their filters define their lists).
    pub views: Rc<Vec<SavedView>>,
    pub screen: Screen,
    pub selected: Option<Uuid>,
    pub tab_visible: bool,
    /// Filters over the current view.
    pub filters: Rc<Filters>,
    pub search: Rc<String>,
    pub search_hits: Rc<Vec<SearchHit>>,
    /// Bumped when a conversation started or was resolved: the reports page fetches its
    /// figures again, so they stay current without a reload.
    pub report_news: u32,
    /// New conversations whose first visitor message will be announced.
    announce: Rc<HashSet<Uuid>>,
    pub alert: Option<Rc<Alert>>,
    alerts: u32,
}

impl Default for Inbox {
    fn default() -> Self {
        Self {
            my_id: None,
            loaded: false,
            conversations: Rc::default(),
            seen_seq: Rc::default(),
            activity: Rc::default(),
            waiting: Rc::default(),
            unread: Rc::default(),
            visitors: Rc::default(),
            views: Rc::default(),
            screen: Screen::Inbox(View::Queue),
            selected: None,
            tab_visible: true,
            filters: Rc::default(),
            search: Rc::default(),
            search_hits: Rc::default(),
            report_news: 0,
            announce: Rc::default(),
            alert: None,
            alerts: 0,
        }
    }
}

/// Stores compare by pointer: every change makes a new `Rc` of what it changed.
impl PartialEq for Inbox {
    fn eq(&self, other: &Self) -> bool {
        self.my_id == other.my_id
            && self.loaded == other.loaded
            && Rc::ptr_eq(&self.conversations, &other.conversations)
            && Rc::ptr_eq(&self.seen_seq, &other.seen_seq)
            && Rc::ptr_eq(&self.activity, &other.activity)
            && Rc::ptr_eq(&self.waiting, &other.waiting)
            && Rc::ptr_eq(&self.unread, &other.unread)
            && Rc::ptr_eq(&self.visitors, &other.visitors)
            && Rc::ptr_eq(&self.views, &other.views)
            && self.screen == other.screen
            && self.selected == other.selected
            && self.tab_visible == other.tab_visible
            && Rc::ptr_eq(&self.filters, &other.filters)
            && Rc::ptr_eq(&self.search, &other.search)
            && Rc::ptr_eq(&self.search_hits, &other.search_hits)
            && self.report_news == other.report_news
            && self.alerts == other.alerts
    }
}

pub enum InboxAction {
    /// Signed out (`None`): everything goes.
    Reset(Option<Uuid>),
    Me(Option<Uuid>),
    Loaded,
    Conversations(Vec<Conversation>),
    Queue(Vec<QueueEntry>),
    Changed(ConversationChange, Conversation),
    Message(Rc<Message>),
    Visitors(Vec<Visitor>),
    Views(Vec<SavedView>),
    Screen(Screen),
    Select(Option<Uuid>),
    Step(i32),
    Filter(Filters),
    Search(String, Vec<SearchHit>),
    TabVisible(bool),
}

/// Who wrote a message, as a participant (visitors and agents only).
/// What the inbox needs of a message: a whole one (from the open conversation's replay)
/// or the preview the workspace feed carries for every other conversation.
/// Also what a list row shows as the conversation's newest message.
#[derive(Debug, Clone)]
pub struct Said {
    pub conversation_id: Uuid,
    pub seq: i64,
    pub author_kind: AuthorKind,
    pub author_id: Option<Uuid>,
    pub kind: MessageKind,
    pub created_at: openapi::Timestamp,
    /// What an alert or a list row shows.
    pub summary: String,
}

impl From<&Message> for Said {
    fn from(message: &Message) -> Self {
        Self {
            conversation_id: message.conversation_id,
            seq: message.seq,
            author_kind: message.author_kind,
            author_id: message.author_id,
            kind: message.kind,
            created_at: message.created_at,
            summary: summary(message),
        }
    }
}

impl Said {
    pub fn previewed(conversation_id: Uuid, preview: &MessagePreview) -> Self {
        Self {
            conversation_id,
            seq: preview.seq,
            author_kind: preview.author_kind,
            author_id: preview.author_id,
            kind: preview.kind,
            created_at: preview.created_at,
            summary: preview_summary(preview),
        }
    }
}

/// A preview's text, or what it carries when it is only files.
pub fn preview_summary(preview: &MessagePreview) -> String {
    match preview.attachments {
        _ if !preview.body.is_empty() => preview.body.clone(),
        0 => String::new(),
        1 => "File".to_owned(),
        n => format!("{n} files"),
    }
}

pub fn author(message: &Message) -> Option<Participant> {
    match (message.author_kind, message.author_id) {
        (AuthorKind::Visitor, Some(v)) => Some(Participant::Visitor(v)),
        (AuthorKind::Agent, Some(a)) => Some(Participant::Agent(a)),
        _ => None,
    }
}

/// Whether a conversation passes the filters.
pub fn matches(filters: &Filters, c: &Conversation) -> bool {
    filters.status.is_none_or(|s| c.status == s)
        && filters.assignee_id.is_none_or(|a| c.assignee_id == Some(a))
        && (filters.unassigned != Some(true) || c.assignee_id.is_none())
        && filters.team_id.is_none_or(|t| c.team_id == Some(t))
        && filters.site_id.is_none_or(|s| c.site_id == s)
        && filters.priority.is_none_or(|p| c.priority == p)
        && filters.label.as_deref().is_none_or(|l| c.labels.iter().any(|x| x.eq_ignore_ascii_case(l)))
}

impl Inbox {
    pub fn conversation(&self, id: Uuid) -> Option<&Conversation> {
        self.conversations.get(&id).map(|c| &**c)
    }

    pub fn selected_conversation(&self) -> Option<&Conversation> {
        self.selected.and_then(|id| self.conversation(id))
    }

    /// The newest `seq` known for a conversation (from its view or a message since).
    pub fn last_seq(&self, id: Uuid) -> i64 {
        let held = self.conversation(id).map_or(0, |c| c.last_seq);
        held.max(self.seen_seq.get(&id).copied().unwrap_or(0))
    }

    /// How a visitor is called in lists: name, email, or a short anonymous handle.
    pub fn visitor_name(&self, id: Uuid) -> String {
        match self.visitors.get(&id) {
            Some(v) => v.name.clone().or_else(|| v.email.clone()).unwrap_or_else(|| anonymous(id)),
            None => anonymous(id),
        }
    }

    pub fn saved_view(&self, id: Uuid) -> Option<&SavedView> {
        self.views.iter().find(|v| v.id == id)
    }

    /// Whether a conversation belongs to a view (before the inbox's filters).
    pub fn in_view(&self, view: View, c: &Conversation) -> bool {
        let in_progress = matches!(c.status, ConversationStatus::Open | ConversationStatus::Pending);
        match view {
            View::Queue => c.status == ConversationStatus::Open && c.assignee_id.is_none(),
            View::Mine => c.assignee_id.is_some() && c.assignee_id == self.my_id && in_progress,
            View::Open => c.status == ConversationStatus::Open,
            View::Pending => c.status == ConversationStatus::Pending,
            View::Snoozed => c.status == ConversationStatus::Snoozed,
            View::Resolved => c.status == ConversationStatus::Resolved,
            View::Team(team) => c.team_id == Some(team) && in_progress,
            View::Saved(id) => self.saved_view(id).is_some_and(|v| {
                // Without a status, a saved view shows what is still in progress.
                matches(&v.filters, c) && (v.filters.status.is_some() || c.status != ConversationStatus::Resolved)
            }),
            View::Search => self.search_hits.iter().any(|h| h.conversation_id == c.id),
        }
    }

    /// The conversations of a view with the inbox's filters: the queue oldest first,
    /// search results in the server's order, others most recent first.
    pub fn list(&self, view: View) -> Vec<&Conversation> {
        if view == View::Search {
            return self
                .search_hits
                .iter()
                .filter_map(|h| self.conversation(h.conversation_id))
                .filter(|c| matches(&self.filters, c))
                .collect();
        }
        let mut list: Vec<&Conversation> = self
            .conversations
            .values()
            .map(|c| &**c)
            .filter(|c| self.in_view(view, c) && matches(&self.filters, c))
            .collect();
        if view == View::Queue {
            list.sort_by(|a, b| self.waiting_since(a).total_cmp(&self.waiting_since(b)).then(a.id.cmp(&b.id)));
        } else {
            list.sort_by(|a, b| self.active_at(b).total_cmp(&self.active_at(a)).then(b.id.cmp(&a.id)));
        }
        list
    }

    /// How many conversations a view holds (its navigation count, without filters).
    pub fn count(&self, view: View) -> usize {
        self.conversations.values().filter(|c| self.in_view(view, c)).count()
    }

    /// When a waiting conversation joined the queue (ms).
    pub fn waiting_since(&self, c: &Conversation) -> f64 {
        self.waiting.get(&c.id).map_or(c.created_at.timestamp_millis() as f64, |(_, since)| *since)
    }

    /// The latest sign of life of a conversation (ms).
    pub fn active_at(&self, c: &Conversation) -> f64 {
        let changed = c.updated_at.timestamp_millis() as f64;
        self.activity.get(&c.id).map_or(changed, |at| at.max(changed))
    }

    pub fn current_view(&self) -> View {
        match self.screen {
            Screen::Inbox(view) => view,
            _ => View::Open,
        }
    }

    fn looking_at(&self, id: Uuid) -> bool {
        self.selected == Some(id) && matches!(self.screen, Screen::Inbox(_)) && self.tab_visible
    }

    /// Keeps a conversation, unless the one held is newer. A rating is never taken
    /// back, and most answers and frames leave it out: the one held stays.
    fn remember(&mut self, mut view: Conversation) {
        let id = view.id;
        if let Some(held) = self.conversations.get(&id) {
            // An answer read before a change can arrive after the feed's frame of it.
            if held.updated_at > view.updated_at || (view.feed_seq != 0 && held.feed_seq > view.feed_seq) {
                return;
            }
            if view.rating.is_none() {
                view.rating = held.rating.clone();
            }
            if view.last_message.is_none() {
                view.last_message = held.last_message.clone();
            }
        }
        if (view.status != ConversationStatus::Open || view.assignee_id.is_some()) && self.waiting.contains_key(&id) {
            Rc::make_mut(&mut self.waiting).remove(&id);
        }
        let seen = self.seen_seq.get(&id).copied().unwrap_or(0);
        if view.last_seq > seen {
            Rc::make_mut(&mut self.seen_seq).insert(id, view.last_seq);
        }
        Rc::make_mut(&mut self.conversations).insert(id, Rc::new(view));
    }

    fn raise(&mut self, kind: AlertKind, conversation_id: Uuid, text: String) {
        let Some(visitor_id) = self.conversation(conversation_id).map(|c| c.visitor_id) else { return };
        self.alerts = self.alerts.wrapping_add(1);
        self.alert = Some(Rc::new(Alert { serial: self.alerts, kind, conversation_id, visitor_id, text }));
    }

    fn mark_unread(&mut self, id: Uuid) {
        if !self.looking_at(id) && !self.unread.contains(&id) {
            Rc::make_mut(&mut self.unread).insert(id);
        }
    }

    fn mark_read(&mut self, id: Uuid) {
        if self.unread.contains(&id) {
            Rc::make_mut(&mut self.unread).remove(&id);
        }
    }

    fn on_changed(&mut self, change: ConversationChange, view: Conversation) {
        let id = view.id;
        let mine = view.assignee_id.is_some() && view.assignee_id == self.my_id;
        let was_mine = self.conversation(id).is_some_and(|c| c.assignee_id.is_some() && c.assignee_id == self.my_id);
        let is_new = !self.conversations.contains_key(&id);
        let resolved = change == ConversationChange::StatusChanged && view.status == ConversationStatus::Resolved;
        if resolved || change == ConversationChange::Created {
            self.report_news = self.report_news.wrapping_add(1);
        }
        // The feed tells of messages in conversations the console does not follow (only
        // the open one is): their preview counts as the message for unread marks and
        // alerts, heard before the view that already counts it as seen.
        let said = view.last_message.as_ref().map(|preview| Said::previewed(id, preview));
        if change == ConversationChange::MessageAdded
            && let Some(said) = &said
        {
            self.on_said(said);
        }
        self.remember(view);
        if change == ConversationChange::Created && is_new {
            self.mark_unread(id);
            // Said with the first message, which names what the visitor wants.
            Rc::make_mut(&mut self.announce).insert(id);
            if let Some(said) = &said {
                self.on_said(said);
            }
        } else if change == ConversationChange::Assigned && mine && !was_mine && !self.looking_at(id) {
            self.mark_unread(id);
            self.raise(AlertKind::Assigned, id, String::new());
        }
    }

    fn on_said(&mut self, message: &Said) {
        let id = message.conversation_id;
        let seen = self.seen_seq.get(&id).copied().unwrap_or(0);
        // A new conversation's frame already counts its first message as seen: that
        // message is still the one that says what the visitor wants.
        let first = self.announce.contains(&id) && message.author_kind == AuthorKind::Visitor;
        let news = message.seq > seen;
        if !news && !first {
            return;
        }
        if news {
            Rc::make_mut(&mut self.seen_seq).insert(id, message.seq);
            Rc::make_mut(&mut self.activity).insert(id, message.created_at.timestamp_millis() as f64);
        }
        if message.author_kind != AuthorKind::Visitor {
            return;
        }
        if news {
            self.reopened_by(message);
        }
        self.mark_unread(id);
        if first {
            Rc::make_mut(&mut self.announce).remove(&id);
        }
        if self.looking_at(id) {
            return;
        }
        let concerns_me = self.conversation(id).is_none_or(|c| c.assignee_id.is_none() || c.assignee_id == self.my_id);
        if first {
            self.raise(AlertKind::NewConversation, id, message.summary.clone());
        } else if concerns_me {
            self.raise(AlertKind::Message, id, message.summary.clone());
        }
    }

    /// A visitor who writes reopens a pending, snoozed or resolved conversation: the
    /// server does it in the transaction that stores the message, setting `updated_at` to
    /// the message's time. The console applies the same rule to the message it receives,
    /// so lists, counts and the open conversation follow at once, whether or not a
    /// `conversation` frame also says so (one that does carries the same or a later
    /// `updated_at` and replaces this).
    fn reopened_by(&mut self, message: &Said) {
        let Some(held) = self.conversation(message.conversation_id) else { return };
        if held.status == ConversationStatus::Open || held.updated_at > message.created_at {
            return;
        }
        let reopened = Conversation {
            status: ConversationStatus::Open,
            snoozed_until: None,
            updated_at: message.created_at,
            last_seq: held.last_seq.max(message.seq),
            ..held.clone()
        };
        self.remember(reopened);
    }

    fn show(&mut self, screen: Screen) {
        self.screen = screen;
        if let Screen::Inbox(view) = screen {
            let filters = match view {
                View::Saved(id) => self.saved_view(id).map(|v| v.filters.clone()).unwrap_or_default(),
                _ => Filters::default(),
            };
            if view != View::Search && *self.filters != filters {
                self.filters = Rc::new(filters);
            }
            self.keep_selection_in(view);
        }
    }

    /// Keeps the open conversation only if it belongs to the list on screen.
    fn keep_selection_in(&mut self, view: View) {
        if let Some(id) = self.selected
            && !self.list(view).iter().any(|c| c.id == id)
        {
            self.selected = self.list(view).first().map(|c| c.id);
        }
    }
}

impl Reducible for Inbox {
    type Action = InboxAction;

    fn reduce(self: Rc<Self>, action: InboxAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            InboxAction::Reset(my_id) => s = Inbox { my_id, ..Inbox::default() },
            InboxAction::Me(my_id) if my_id == s.my_id => return self,
            InboxAction::Me(my_id) => s.my_id = my_id,
            InboxAction::Loaded => s.loaded = true,
            InboxAction::Conversations(list) => list.into_iter().for_each(|c| s.remember(c)),
            InboxAction::Queue(items) => {
                s.waiting = Rc::new(
                    items
                        .iter()
                        .map(|i| {
                            (i.conversation.id, (i64::from(i.position), i.waiting_since.timestamp_millis() as f64))
                        })
                        .collect(),
                );
                items.into_iter().for_each(|i| s.remember(i.conversation));
            }
            InboxAction::Changed(change, view) => s.on_changed(change, view),
            InboxAction::Message(message) => {
                s.on_said(&Said::from(&*message));
                if s == *self {
                    return self;
                }
            }
            InboxAction::Visitors(list) => {
                let visitors = Rc::make_mut(&mut s.visitors);
                for v in list {
                    visitors.insert(v.id, v);
                }
            }
            InboxAction::Views(list) => s.views = Rc::new(list),
            InboxAction::Screen(screen) => s.show(screen),
            InboxAction::Select(id) => {
                s.selected = id;
                if let Some(id) = id {
                    s.mark_read(id);
                    if !matches!(s.screen, Screen::Inbox(_)) {
                        s.screen = Screen::Inbox(s.current_view());
                    }
                }
            }
            InboxAction::Step(delta) => {
                let list: Vec<Uuid> = s.list(s.current_view()).iter().map(|c| c.id).collect();
                if !list.is_empty() {
                    let at = s.selected.and_then(|id| list.iter().position(|x| *x == id));
                    let next = match at {
                        None => 0,
                        Some(i) => (i as i32 + delta).clamp(0, list.len() as i32 - 1) as usize,
                    };
                    s.selected = Some(list[next]);
                    s.mark_read(list[next]);
                }
            }
            InboxAction::Filter(filters) => {
                s.filters = Rc::new(filters);
                s.keep_selection_in(s.current_view());
            }
            InboxAction::Search(text, hits) => {
                s.search = Rc::new(text);
                s.search_hits = Rc::new(hits);
                s.screen = Screen::Inbox(View::Search);
            }
            InboxAction::TabVisible(visible) => {
                s.tab_visible = visible;
                if visible && let Some(id) = s.selected {
                    s.mark_read(id);
                }
            }
        }
        Rc::new(s)
    }
}
