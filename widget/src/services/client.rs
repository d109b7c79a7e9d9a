//! The chat client: everything between the panel and Rapport.
//!
//! It follows PROTOCOL.md: start (or resume) the visitor session over REST, open
//! `/ws/visitor`, `resume` the conversation after the highest `seq` held, and only then
//! (re)send the outbox with each message's original `client_msg_id`. A lost socket is
//! reopened with exponential backoff and jitter; a silent one (no frame for 30 s) is
//! treated as lost. The panel only sees the resulting [`Action`]s.
//!
//! Lazy by design: inside a host page it first asks the loader for the widget's memory
//! (`storage`), and opens the socket only once there is something to follow (a
//! conversation, the panel opened, a message waiting). A conversation's first message
//! goes over REST, retried on its own backoff until it is stored.
//!
//! State lives in one `Rc<RefCell<Inner>>` shared by the socket's callbacks and the
//! timers. Actions are dispatched on a later tick, so a render never runs while the
//! state is borrowed.

use std::{cell::RefCell, rc::Rc};

use openapi::messages::AuthorKind;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use yew::Callback;

use super::{
    api::{Api, Context, Failure, FirstMessage, Session},
    frames::{Frame, Message, out},
    host::{Command, Event, Host},
    json::decimal,
    socket::Socket,
};
use crate::{
    clock::now_ms,
    outbox::{Outbox, Pending},
    random::uuid_v4,
    state::{Action, Link, Notice, Progress},
    storage::{self, Memory},
};

/// First reconnect delay; doubles up to [`MAX_BACKOFF_MS`] (PROTOCOL.md §6).
const FIRST_BACKOFF_MS: f64 = 500.0;
const MAX_BACKOFF_MS: f64 = 30_000.0;
/// How often we ping, and how long a silent socket is trusted.
const PING_EVERY_MS: i32 = 10_000;
const SILENCE_LIMIT_MS: f64 = 30_000.0;
/// The longest typing preview sent.
const PREVIEW_CHARS: usize = 200;
/// A changed preview is sent this often (the server forwards one every 1.5 s).
const PREVIEW_REPEAT_MS: f64 = 1_600.0;
/// A `typing: true` is repeated this often while the visitor keeps typing.
const TYPING_REPEAT_MS: f64 = 2_000.0;
/// While the panel is open, whether agents are online is asked again this often (the
/// visitor socket carries no presence: that is the team's business).
const STATUS_EVERY_MS: i32 = 15_000;
/// How long the host page gets to hand over the memory: a loader from before the
/// memory lived there never answers.
const MEMORY_WAIT_MS: i32 = 1_500;
/// The server's limits on a `page` frame (PROTOCOL.md §3): a longer URL is refused and a
/// longer title cut, so both are cut here (and the frame stays far below 64 KiB).
const MAX_URL_CHARS: usize = 2_048;
const MAX_TITLE_CHARS: usize = 300;

#[derive(Clone)]
pub struct Client(Rc<RefCell<Inner>>);

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Inner {
    api: Api,
    socket_url: String,
    site_key: String,
    memory: Memory,
    dispatch: Callback<Action>,
    host: Option<Host>,
    /// The session has begun (with the memory, or without it after the wait).
    begun: bool,
    token: Option<String>,
    conversation_id: Option<String>,
    /// A `POST /widget/conversations` is in flight.
    starting: bool,
    /// The conversation start's own backoff (it does not wait for the socket).
    start_backoff_ms: f64,
    socket: Option<Socket>,
    /// `hello` received on the current socket.
    connected: bool,
    /// The conversation's replay is complete on the current socket.
    resumed: bool,
    /// Outbox entries already written to the current socket (resent on the next one).
    /// A few ids at most: a `Vec` is as fast here and lighter in the wasm than a set.
    sent_here: Vec<String>,
    /// Highest `seq` received (PROTOCOL.md §2: notes may leave holes on our side).
    last_seq: i64,
    /// The visitor's read cursor, kept across reloads for the unread count.
    read_seq: i64,
    agent_seqs: Vec<i64>,
    /// Agents whose faces were asked for already.
    faces_asked: Vec<String>,
    outbox: Outbox,
    open: bool,
    page: Option<(String, String)>,
    typing: bool,
    /// The composer holds text (its send button is on).
    draft: bool,
    typing_sent_at: f64,
    /// The site lets agents see what the visitor types (sent with `typing`).
    typing_preview: bool,
    /// The text last sent as a preview, the latest typed, and whether a send of it waits
    /// for the throttle.
    preview_sent: String,
    preview_draft: String,
    preview_due: bool,
    typing_generation: u32,
    backoff_ms: f64,
    reconnect_timer: Option<i32>,
    last_frame_at: f64,
    ever_connected: bool,
    /// The first replay of this page load is done: later messages are news.
    live: bool,
    /// Host page calls that arrived before the session.
    queued: Vec<Command>,
    /// The pre-chat form's (name, email), sent with the conversation's first message.
    profile: (Option<String>, Option<String>),
}

impl Client {
    /// Uploads a file the visitor picked and sends it as a message of its own; a refusal
    /// is shown by the paper clip.
    pub fn send_file(&self, file: web_sys::File) {
        let Some((api, token, conversation_id)) = self.current() else { return };
        self.emit(Action::FileError(None));
        let client = self.clone();
        let done = Box::new(move |result: Result<(), Failure>| {
            let why = result.err().map(|failure| match failure {
                Failure::Network => "Network error".to_owned(),
                Failure::Refused(_, body) => body.message,
            });
            client.emit(Action::FileError(why));
        });
        api.send_file(&token, &conversation_id, file, uuid_v4(), done);
    }

    /// Starts the client; `dispatch` receives what to show.
    pub fn start(origin: &str, site_key: &str, host: Option<Host>, dispatch: Callback<Action>) -> Self {
        let inner = Inner {
            api: Api::new(origin),
            // http → ws, https → wss.
            socket_url: ["ws", origin.strip_prefix("http").unwrap_or(origin), "/ws/visitor"].concat(),
            site_key: site_key.to_owned(),
            memory: Memory::for_site(site_key, host.clone()),
            dispatch,
            // Without a host page (the frame opened on its own) the panel is always open.
            open: host.is_none(),
            host,
            begun: false,
            token: None,
            conversation_id: None,
            starting: false,
            start_backoff_ms: FIRST_BACKOFF_MS,
            socket: None,
            connected: false,
            resumed: false,
            sent_here: Vec::new(),
            last_seq: 0,
            read_seq: 0,
            agent_seqs: Vec::new(),
            faces_asked: Vec::new(),
            outbox: Outbox::default(),
            page: None,
            typing: false,
            draft: false,
            typing_sent_at: 0.0,
            typing_preview: false,
            preview_sent: String::new(),
            preview_draft: String::new(),
            preview_due: false,
            typing_generation: 0,
            backoff_ms: FIRST_BACKOFF_MS,
            reconnect_timer: None,
            last_frame_at: now_ms(),
            ever_connected: false,
            live: false,
            queued: Vec::new(),
            profile: (None, None),
        };
        let client = Self(Rc::new(RefCell::new(inner)));
        client.listen_to_host();
        client.watch_browser();
        client.watch_status();
        if client.0.borrow().host.is_some() {
            // The memory lives in the host page: ask for it, and start without it if the
            // loader never answers.
            client.post(Event::Boot);
            let waited = client.clone();
            after(MEMORY_WAIT_MS, move || waited.begin());
        } else {
            client.begin();
        }
        client
    }

    /// Reads the memory and starts the session (once).
    fn begin(&self) {
        {
            let mut inner = self.0.borrow_mut();
            if std::mem::replace(&mut inner.begun, true) {
                return;
            }
            inner.outbox = Outbox::from_json(inner.memory.get(storage::OUTBOX).as_deref());
            inner.read_seq = inner.memory.get(storage::READ).and_then(|s| s.parse().ok()).unwrap_or(0);
            inner.token = inner.memory.get(storage::TOKEN);
        }
        self.emit(Action::Outbox(self.0.borrow().outbox.items.clone()));
        match continue_token() {
            Some(link) => self.clone().continue_from(link),
            None => self.clone().begin_session(None),
        }
    }

    /// Dispatches on a later tick: never while `Inner` is borrowed, never inside a render.
    pub fn emit(&self, action: Action) {
        let dispatch = self.0.borrow().dispatch.clone();
        wasm_bindgen_futures::spawn_local(async move { dispatch.emit(action) });
    }

    fn post(&self, event: Event) {
        if let Some(host) = &self.0.borrow().host {
            host.post(&event);
        }
    }

    // ----- session -------------------------------------------------------------------

    /// The email's "Continue the conversation" link (`#continue=<token>`): a fresh token
    /// for the visitor, and that conversation, whose history the socket then replays.
    fn continue_from(self, link: String) {
        let api = self.0.borrow().api.clone();
        let retry = link.clone();
        api.continue_conversation(
            &link,
            Box::new(move |result| match result {
                Ok(continued) => {
                    // The link has done its work: a reload starts from storage.
                    forget_fragment();
                    {
                        let mut inner = self.0.borrow_mut();
                        inner.memory.set(storage::TOKEN, &continued.visitor_token);
                        inner.token = Some(continued.visitor_token);
                    }
                    self.begin_session(Some((continued.conversation.id, continued.conversation.resolved)));
                }
                Err(Failure::Network) => self.retry_later(move |client| client.continue_from(retry)),
                Err(Failure::Refused(_, body)) => {
                    // Expired or forged: the visitor still gets the chat, and is told.
                    forget_fragment();
                    web_sys::console::warn_1(&JsValue::from_str(&body.message));
                    self.emit(Action::Notice(Some(Notice::LinkExpired)));
                    self.begin_session(None);
                }
            }),
        );
    }

    /// Starts the visitor session; `conversation` is the one to follow (from a continue
    /// link), else the visitor's latest.
    fn begin_session(self, conversation: Option<(String, bool)>) {
        let (api, site_key, token) = {
            let inner = self.0.borrow();
            (inner.api.clone(), inner.site_key.clone(), inner.token.clone())
        };
        api.session(
            &site_key,
            token.as_deref(),
            &context(),
            Box::new(move |result| match result {
                Ok(session) => self.with_session(session, conversation),
                Err(Failure::Network) => self.retry_later(move |client| client.begin_session(conversation)),
                Err(Failure::Refused(_, body)) => {
                    web_sys::console::error_2(&JsValue::from_str("rapport:"), &JsValue::from_str(&body.message));
                    self.post(Event::Error { code: body.code, message: body.message });
                }
            }),
        );
    }

    /// The session is there: follow `conversation`, or else the visitor's latest.
    fn with_session(self, mut session: Session, conversation: Option<(String, bool)>) {
        let latest = session.conversation.take().map(|c| (c.id, c.resolved));
        self.follow(session, conversation.or(latest));
    }

    fn follow(&self, session: Session, conversation: Option<(String, bool)>) {
        let token = session.visitor_token;
        {
            let mut inner = self.0.borrow_mut();
            inner.memory.set(storage::TOKEN, &token);
            inner.token = Some(token);
            match &conversation {
                Some((id, _)) => inner.memory.set(storage::CONVERSATION, id),
                None => inner.memory.remove(storage::CONVERSATION),
            }
            inner.conversation_id = conversation.as_ref().map(|(id, _)| id.clone());
        }
        let resolved = conversation.as_ref().is_some_and(|(_, resolved)| *resolved);
        self.emit(Action::Conversation { started: conversation.is_some(), resolved });
        if let Some(score) = conversation.as_ref().filter(|(_, r)| *r).and_then(|(id, _)| self.rating_given(id)) {
            // Rated before this page load: thanks (and "Change") rather than the question.
            self.emit(Action::Rating(Some(score), Progress::Done));
        }
        crate::theme::apply(&session.site.color);
        self.post(Event::Ready { color: session.site.color.clone() });
        self.0.borrow_mut().typing_preview = session.site.typing_preview;
        self.emit(Action::Site(session.site));
        let queued = std::mem::take(&mut self.0.borrow_mut().queued);
        for command in queued {
            self.command(command);
        }
        if self.wants_socket() {
            self.connect();
        }
    }

    /// The socket is opened only once there is something to follow: a conversation (for
    /// its unread replies), the open panel, or a message waiting to be sent.
    fn wants_socket(&self) -> bool {
        let inner = self.0.borrow();
        inner.conversation_id.is_some() || inner.open || inner.outbox.to_send().next().is_some()
    }

    /// Runs `again` after the current backoff (and grows it).
    fn retry_later(&self, again: impl FnOnce(Client) + 'static) {
        let delay = {
            let mut inner = self.0.borrow_mut();
            next_backoff(&mut inner.backoff_ms)
        };
        let client = self.clone();
        after(delay, move || again(client));
    }

    // ----- the socket ----------------------------------------------------------------

    fn connect(&self) {
        let (url, token) = {
            let mut inner = self.0.borrow_mut();
            if inner.socket.is_some() {
                return;
            }
            if let Some(timer) = inner.reconnect_timer.take() {
                clear_timeout(timer);
            }
            let Some(token) = inner.token.clone() else { return };
            (inner.socket_url.clone(), token)
        };
        let on_frame = {
            let client = self.clone();
            move |frame| client.on_frame(frame)
        };
        let on_close = {
            let client = self.clone();
            move |code| client.on_close(code)
        };
        match Socket::open(&url, &token, on_frame, on_close) {
            Ok(socket) => {
                let mut inner = self.0.borrow_mut();
                inner.socket = Some(socket);
                inner.last_frame_at = now_ms();
            }
            Err(_) => self.schedule_reconnect(),
        }
    }

    fn schedule_reconnect(&self) {
        let delay = {
            let mut inner = self.0.borrow_mut();
            if inner.reconnect_timer.is_some() {
                return;
            }
            next_backoff(&mut inner.backoff_ms)
        };
        let client = self.clone();
        let timer = after(delay, move || {
            client.0.borrow_mut().reconnect_timer = None;
            client.connect();
        });
        self.0.borrow_mut().reconnect_timer = timer;
    }

    fn on_close(&self, code: u16) {
        let was_connected = {
            let mut inner = self.0.borrow_mut();
            inner.socket = None;
            inner.sent_here.clear();
            inner.resumed = false;
            std::mem::replace(&mut inner.connected, false)
        };
        if was_connected || self.0.borrow().ever_connected {
            self.emit(Action::Link(Link::Reconnecting));
        }
        if code == openapi::realtime::close::SESSION_ENDED {
            // The token was revoked: this browser starts over as a new visitor.
            let mut inner = self.0.borrow_mut();
            inner.memory.remove(storage::TOKEN);
            inner.memory.remove(storage::CONVERSATION);
            inner.token = None;
            inner.conversation_id = None;
            inner.last_seq = 0;
            drop(inner);
            return self.retry_later(|client| client.begin_session(None));
        }
        self.schedule_reconnect();
    }

    fn send_frame(&self, frame: &str) -> bool {
        self.0.borrow().socket.as_ref().is_some_and(|socket| socket.send(frame))
    }

    fn is_current(&self, conversation_id: &str) -> bool {
        self.0.borrow().conversation_id.as_deref() == Some(conversation_id)
    }

    fn on_frame(&self, frame: Frame) {
        self.0.borrow_mut().last_frame_at = now_ms();
        match frame {
            Frame::Hello => self.on_hello(),
            Frame::Message(message) => self.on_message(message),
            Frame::Resumed { conversation_id } if self.is_current(&conversation_id) => {
                {
                    let mut inner = self.0.borrow_mut();
                    inner.resumed = true;
                    inner.live = true;
                }
                self.flush();
                self.mark_read();
                self.post_unread();
                self.ask_queue(conversation_id);
            }
            Frame::Ack { client_msg_id } => self.settle(&client_msg_id),
            Frame::AgentTyping { typing, expires_in_ms } => {
                let generation = {
                    let mut inner = self.0.borrow_mut();
                    inner.typing_generation += 1;
                    inner.typing_generation
                };
                self.emit(Action::AgentTyping { typing, generation });
                let client = self.clone();
                after(expires_in_ms as i32, move || client.emit(Action::TypingExpired(generation)));
            }
            Frame::AgentRead { seq } => self.emit(Action::AgentRead(seq)),
            Frame::Conversation { id, resolved } => {
                // Started from another tab: follow it here too.
                let adopt = {
                    let mut inner = self.0.borrow_mut();
                    let adopt = inner.conversation_id.is_none() && !inner.starting;
                    if adopt {
                        inner.memory.set(storage::CONVERSATION, &id);
                        inner.conversation_id = Some(id.clone());
                    }
                    adopt
                };
                if self.is_current(&id) {
                    self.emit(Action::Conversation { started: true, resolved });
                }
                if adopt {
                    self.resume();
                }
            }
            Frame::Queue(queue) if self.is_current(&queue.conversation_id) => self.emit(Action::Queue(queue)),
            Frame::Error { code, client_msg_id: Some(id), retry_after_ms } => {
                if code == "rate_limited" {
                    self.0.borrow_mut().sent_here.retain(|sent| *sent != id);
                    let client = self.clone();
                    after(retry_after_ms.unwrap_or(1000) as i32, move || client.flush());
                } else if code != "internal" {
                    self.0.borrow_mut().outbox.refuse(&id);
                    self.save_outbox();
                }
            }
            _ => {}
        }
    }

    fn on_hello(&self) {
        let page = {
            let mut inner = self.0.borrow_mut();
            inner.connected = true;
            inner.ever_connected = true;
            inner.backoff_ms = FIRST_BACKOFF_MS;
            inner.page.clone()
        };
        self.emit(Action::Link(Link::Online));
        if let Some((url, title)) = page {
            self.send_frame(&out::page(&url, &title));
        }
        if self.0.borrow().conversation_id.is_some() {
            self.resume();
        } else {
            // Nothing to replay; a first message waiting in the outbox starts the chat.
            self.flush();
        }
    }

    fn resume(&self) {
        let frame = {
            let mut inner = self.0.borrow_mut();
            inner.resumed = false;
            inner.conversation_id.as_ref().map(|id| out::resume(id, inner.last_seq))
        };
        if let Some(frame) = frame {
            self.send_frame(&frame);
        }
    }

    fn on_message(&self, message: Message) {
        let (news, unknown_author) = {
            let mut inner = self.0.borrow_mut();
            if inner.conversation_id.as_ref() != Some(&message.conversation_id) {
                return;
            }
            inner.last_seq = inner.last_seq.max(message.seq);
            let by_agent = message.author_kind == AuthorKind::Agent;
            if by_agent && !inner.agent_seqs.contains(&message.seq) {
                inner.agent_seqs.push(message.seq);
            }
            let unknown = message.author_id.clone().filter(|id| by_agent && !inner.faces_asked.contains(id));
            if let Some(id) = &unknown {
                inner.faces_asked.push(id.clone());
            }
            (inner.live && by_agent, unknown)
        };
        if let Some(agent_id) = unknown_author {
            self.ask_face(agent_id);
        }
        if let Some(id) = &message.client_msg_id {
            self.settle(id);
        }
        if news {
            self.post(Event::Message {
                body: message.body.clone(),
                created_at: crate::clock::rfc3339_utc(&message.created_at),
            });
        }
        self.emit(Action::Message(message));
        if news {
            self.mark_read();
            self.post_unread();
        }
    }

    /// The name and picture of a reply's author.
    fn ask_face(&self, agent_id: String) {
        let Some((api, token)) = self.credentials() else { return };
        let client = self.clone();
        api.agent(
            &token,
            &agent_id,
            Box::new(move |face| {
                if let Ok(face) = face {
                    client.emit(Action::Face(face));
                }
            }),
        );
    }

    /// A message is stored: out of the outbox for good.
    fn settle(&self, client_msg_id: &str) {
        let changed = self.0.borrow_mut().outbox.settle(client_msg_id);
        if changed {
            self.save_outbox();
        }
    }

    fn save_outbox(&self) {
        let items = {
            let inner = self.0.borrow();
            inner.memory.set(storage::OUTBOX, &inner.outbox.to_json());
            inner.outbox.items.clone()
        };
        self.emit(Action::Outbox(items));
    }

    // ----- sending -------------------------------------------------------------------

    /// The visitor pressed Enter.
    pub fn send(&self, body: &str) {
        if body.trim().is_empty() {
            return;
        }
        let pending = Pending { client_msg_id: uuid_v4(), body: body.to_owned(), written_at: now_ms(), refused: false };
        {
            let mut inner = self.0.borrow_mut();
            inner.outbox.push(pending);
            // Sending a message ends typing on the server's side too.
            inner.typing = false;
            inner.draft = false;
            inner.preview_draft.clear();
        }
        self.save_outbox();
        self.flush();
        // Offline and waiting for the next attempt? The visitor's action is a good
        // moment to try again at once.
        let idle = {
            let inner = self.0.borrow();
            inner.socket.is_none() && inner.token.is_some()
        };
        if idle {
            self.connect();
        }
    }

    /// Sends what the outbox holds, if the channel allows it now.
    fn flush(&self) {
        let (conversation_id, first) = {
            let inner = self.0.borrow();
            (inner.conversation_id.clone(), inner.outbox.to_send().next().cloned())
        };
        let Some(first) = first else { return };
        let Some(conversation_id) = conversation_id else { return self.start_conversation(first) };
        let frames: Vec<(String, String)> = {
            let inner = self.0.borrow();
            if !inner.connected || !inner.resumed {
                return;
            }
            inner
                .outbox
                .to_send()
                .filter(|p| !inner.sent_here.contains(&p.client_msg_id))
                .map(|p| (p.client_msg_id.clone(), out::send(&conversation_id, &p.client_msg_id, &p.body)))
                .collect()
        };
        for (id, frame) in frames {
            if self.send_frame(&frame) {
                self.0.borrow_mut().sent_here.push(id);
            }
        }
    }

    /// The first message starts the conversation over REST (idempotent on its
    /// `client_msg_id`, so a retry after a lost answer finds the same conversation). A
    /// failed attempt is retried on its own backoff: the socket may well be up.
    fn start_conversation(&self, first: Pending) {
        let (api, token, (name, email)) = {
            let mut inner = self.0.borrow_mut();
            if inner.starting {
                return;
            }
            let Some(token) = inner.token.clone() else { return };
            inner.starting = true;
            (inner.api.clone(), token, inner.profile.clone())
        };
        let request = FirstMessage {
            client_msg_id: &first.client_msg_id,
            body: &first.body,
            name: name.as_deref(),
            email: email.as_deref(),
        };
        let client = self.clone();
        let client_msg_id = first.client_msg_id.clone();
        api.start_conversation(
            &token,
            &request,
            Box::new(move |result| {
                client.0.borrow_mut().starting = false;
                match result {
                    Ok(conversation_id) => {
                        {
                            let mut inner = client.0.borrow_mut();
                            inner.memory.set(storage::CONVERSATION, &conversation_id);
                            inner.conversation_id = Some(conversation_id);
                            inner.live = true;
                            inner.start_backoff_ms = FIRST_BACKOFF_MS;
                        }
                        client.emit(Action::Conversation { started: true, resolved: false });
                        client.settle(&client_msg_id);
                        client.follow_socket();
                    }
                    Err(Failure::Network) => {
                        let delay = next_backoff(&mut client.0.borrow_mut().start_backoff_ms);
                        let again = client.clone();
                        after(delay, move || again.flush());
                    }
                    Err(Failure::Refused(_, _)) => {
                        client.0.borrow_mut().outbox.refuse(&client_msg_id);
                        client.save_outbox();
                    }
                }
            }),
        );
    }

    /// A conversation was just created here: replay it on the socket (opening one if
    /// needed).
    fn follow_socket(&self) {
        if self.0.borrow().connected {
            self.resume();
        } else {
            self.connect();
        }
    }

    // ----- the start form, queue, rating, transcript ----------------------------------

    /// The pre-chat form was filled in: its answers go with the first message.
    pub fn start_with(&self, name: Option<String>, email: Option<String>, body: &str) {
        self.0.borrow_mut().profile = (name, email);
        self.send(body);
    }

    /// Nobody is online: the message goes by REST with the email the team answers to.
    pub fn leave_offline_message(&self, name: Option<String>, email: String, body: String) {
        let Some((api, token)) = self.credentials() else { return };
        self.emit(Action::StartForm(Progress::Busy));
        let client = self.clone();
        let client_msg_id = uuid_v4();
        let answer_to = email.clone();
        let message =
            FirstMessage { client_msg_id: &client_msg_id, body: &body, name: name.as_deref(), email: Some(&answer_to) };
        api.offline_message(
            &token,
            &message,
            Box::new(move |result| match result {
                Ok(conversation_id) => {
                    {
                        let mut inner = client.0.borrow_mut();
                        inner.memory.set(storage::CONVERSATION, &conversation_id);
                        inner.conversation_id = Some(conversation_id);
                        inner.live = true;
                    }
                    client.emit(Action::OfflineSent(email));
                    client.emit(Action::Conversation { started: true, resolved: false });
                    client.follow_socket();
                }
                Err(_) => client.emit(Action::StartForm(Progress::Failed)),
            }),
        );
    }

    fn credentials(&self) -> Option<(Api, String)> {
        let inner = self.0.borrow();
        Some((inner.api.clone(), inner.token.clone()?))
    }

    fn current(&self) -> Option<(Api, String, String)> {
        let (api, token) = self.credentials()?;
        let conversation_id = self.0.borrow().conversation_id.clone()?;
        Some((api, token, conversation_id))
    }

    /// Where the conversation stands in the queue now (frames bring the changes).
    fn ask_queue(&self, conversation_id: String) {
        let Some((api, token)) = self.credentials() else { return };
        let client = self.clone();
        api.queue(
            &token,
            &conversation_id,
            Box::new(move |queue| {
                if let Ok(queue) = queue
                    && client.is_current(&queue.conversation_id)
                {
                    client.emit(Action::Queue(queue));
                }
            }),
        );
    }

    /// Rates the conversation (again: the latest rating counts).
    pub fn rate(&self, score: u8, comment: Option<String>) {
        let Some((api, token, conversation_id)) = self.current() else { return };
        self.emit(Action::Rating(None, Progress::Busy));
        let client = self.clone();
        let given = [conversation_id.as_str(), ":", &decimal(i64::from(score))].concat();
        api.rate(
            &token,
            &conversation_id,
            score,
            comment.as_deref(),
            Box::new(move |result| {
                if result.is_ok() {
                    client.0.borrow().memory.set(storage::RATING, &given);
                }
                client.emit(match result {
                    Ok(()) => Action::Rating(Some(score), Progress::Done),
                    Err(_) => Action::Rating(None, Progress::Failed),
                });
            }),
        );
    }

    /// The score this browser gave `conversation_id`, if it rated it.
    fn rating_given(&self, conversation_id: &str) -> Option<u8> {
        let stored = self.0.borrow().memory.get(storage::RATING)?;
        let (id, score) = stored.split_once(':')?;
        (id == conversation_id).then(|| score.parse().ok()).flatten().filter(|s| (1..=5).contains(s))
    }

    /// Mails the transcript to `email`, or to the email Rapport knows; without either
    /// the panel asks for one.
    pub fn request_transcript(&self, email: Option<String>) {
        let Some((api, token, conversation_id)) = self.current() else { return };
        self.emit(Action::Transcript(Progress::Busy));
        let client = self.clone();
        let asked = email.is_some();
        api.transcript(
            &token,
            &conversation_id,
            email.as_deref(),
            Box::new(move |result| {
                let progress = match result {
                    Ok(false) => Progress::Done,
                    Ok(true) => Progress::ConfirmFromInbox,
                    Err(Failure::Refused(_, body)) if !asked && body.field.as_deref() == Some("email") => {
                        // The email field appears: it takes the focus.
                        focus(".rp-transcript input");
                        Progress::NeedsEmail
                    }
                    Err(_) => Progress::Failed,
                };
                client.emit(Action::Transcript(progress));
            }),
        );
    }

    /// Asks again, while the panel is open, whether agents are online.
    fn watch_status(&self) {
        let client = self.clone();
        every(STATUS_EVERY_MS, move || {
            if client.0.borrow().open {
                client.refresh_site();
            }
        });
    }

    fn refresh_site(&self) {
        let (api, site_key, token) = {
            let inner = self.0.borrow();
            let Some(token) = inner.token.clone() else { return };
            (inner.api.clone(), inner.site_key.clone(), token)
        };
        let client = self.clone();
        // The same token answers the same visitor: this only refreshes the site.
        api.session(
            &site_key,
            Some(&token),
            &context(),
            Box::new(move |session| {
                if let Ok(session) = session {
                    client.0.borrow_mut().typing_preview = session.site.typing_preview;
                    client.emit(Action::Site(session.site));
                }
            }),
        );
    }

    // ----- typing, reading, the host page --------------------------------------------

    /// The composer's text changed. With the site's typing preview on, the text goes
    /// along (cut short), as often as the server forwards it.
    pub fn draft_changed(&self, text: &str) {
        let has_text = !text.trim().is_empty();
        if has_text != self.0.borrow().draft {
            self.0.borrow_mut().draft = has_text;
            self.emit(Action::DraftEmpty(!has_text));
        }
        let frame = {
            let mut inner = self.0.borrow_mut();
            let Some(conversation_id) = inner.conversation_id.clone() else { return };
            let now = now_ms();
            let preview: Option<String> =
                inner.typing_preview.then(|| text.trim().chars().take(PREVIEW_CHARS).collect());
            let changed = preview.as_ref().is_some_and(|p| *p != inner.preview_sent);
            let every = if preview.is_some() { PREVIEW_REPEAT_MS } else { TYPING_REPEAT_MS };
            if has_text && (!inner.typing || (changed || preview.is_none()) && now - inner.typing_sent_at > every) {
                inner.typing = true;
                inner.typing_sent_at = now;
                inner.preview_sent = preview.clone().unwrap_or_default();
                out::typing(&conversation_id, true, preview.as_deref())
            } else if !has_text && inner.typing {
                inner.typing = false;
                out::typing(&conversation_id, false, None)
            } else {
                // A changed preview held back by the throttle goes out when it allows.
                if changed && !inner.preview_due {
                    inner.preview_due = true;
                    let wait = (every - (now - inner.typing_sent_at)) as i32 + 10;
                    let client = self.clone();
                    after(wait, move || {
                        let latest = {
                            let mut inner = client.0.borrow_mut();
                            inner.preview_due = false;
                            inner.preview_draft.clone()
                        };
                        client.draft_changed(&latest);
                    });
                }
                inner.preview_draft = text.to_owned();
                return;
            }
        };
        self.0.borrow_mut().preview_draft = text.to_owned();
        self.send_frame(&frame);
    }

    /// Everything received is read once the panel is open and the tab visible.
    pub fn mark_read(&self) {
        let frame = {
            let mut inner = self.0.borrow_mut();
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            let Some(conversation_id) = inner.conversation_id.clone() else { return };
            let unread = inner.agent_seqs.iter().any(|seq| *seq > inner.read_seq);
            if !inner.open || !visible || !inner.connected || !unread {
                return;
            }
            inner.read_seq = inner.last_seq;
            inner.memory.set(storage::READ, &decimal(inner.read_seq));
            out::read(&conversation_id, inner.last_seq)
        };
        self.send_frame(&frame);
        self.post_unread();
    }

    fn post_unread(&self) {
        let count = {
            let inner = self.0.borrow();
            inner.agent_seqs.iter().filter(|seq| **seq > inner.read_seq).count()
        };
        self.post(Event::Unread { count });
    }

    /// The visitor closed the panel from inside.
    pub fn close(&self) {
        self.0.borrow_mut().open = false;
        self.post(Event::Close);
    }

    fn listen_to_host(&self) {
        let Some(host) = self.0.borrow().host.clone() else { return };
        let window = web_sys::window().expect("window");
        let client = self.clone();
        host.listen(&window, move |command| client.command(command));
    }

    fn command(&self, command: Command) {
        let token = self.0.borrow().token.clone();
        match command {
            Command::Memory(values) => {
                self.0.borrow().memory.arrived(values);
                self.begin();
            }
            Command::Open => {
                self.0.borrow_mut().open = true;
                focus_panel();
                if token.is_some() {
                    self.connect();
                    self.mark_read();
                    self.refresh_site();
                }
            }
            Command::Close => self.0.borrow_mut().open = false,
            Command::Page { url, title } => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return;
                }
                let url: String = url.chars().take(MAX_URL_CHARS).collect();
                let title: String = title.chars().take(MAX_TITLE_CHARS).collect();
                let frame = out::page(&url, &title);
                self.0.borrow_mut().page = Some((url, title));
                self.send_frame(&frame);
            }
            Command::Identify { user_id, email, name, user_hash } => {
                let Some(token) = token else {
                    return self.0.borrow_mut().queued.push(Command::Identify { user_id, email, name, user_hash });
                };
                if user_id.is_none() {
                    return self.post(Event::Error {
                        code: "invalid_input".into(),
                        message: "identify needs a user_id".into(),
                    });
                }
                self.send_identity(
                    token,
                    [("user_id", user_id), ("email", email), ("name", name), ("user_hash", user_hash)],
                );
            }
            Command::Attributes { body } => {
                let Some(token) = token else { return self.0.borrow_mut().queued.push(Command::Attributes { body }) };
                let api = self.0.borrow().api.clone();
                let client = self.clone();
                api.set_attributes(
                    &token,
                    body,
                    Box::new(move |result| {
                        if let Err(Failure::Refused(_, body)) = result {
                            client.post(Event::Error { code: body.code, message: body.message });
                        }
                    }),
                );
            }
        }
    }

    fn send_identity(&self, token: String, identity: [(&'static str, Option<String>); 4]) {
        let api = self.0.borrow().api.clone();
        let client = self.clone();
        let sent = (token.clone(), identity.clone());
        api.identify(
            &token,
            &identity,
            Box::new(move |result| match result {
                Ok(_) => client.emit(Action::Notice(None)),
                Err(Failure::Refused(_, body)) => {
                    if body.code == "identity_rejected" || body.code == "identity_required" {
                        client.emit(Action::Notice(Some(Notice::IdentityRejected)));
                    }
                    client.post(Event::Error { code: body.code, message: body.message });
                }
                // Retried with the token of the moment (a new one if the session ended).
                Err(Failure::Network) => client.retry_later(move |client| {
                    let (token, identity) = sent;
                    let current = client.0.borrow().token.clone();
                    client.send_identity(current.unwrap_or(token), identity)
                }),
            }),
        );
    }

    /// Heartbeats, silence detection, and the browser's own hints (back online, tab shown).
    fn watch_browser(&self) {
        let window = web_sys::window().expect("window");
        let client = self.clone();
        every(PING_EVERY_MS, move || {
            let silent = {
                let inner = client.0.borrow();
                inner.socket.is_some() && now_ms() - inner.last_frame_at > SILENCE_LIMIT_MS
            };
            if silent {
                // The network died without a close: drop the socket and start over.
                client.0.borrow_mut().socket = None;
                client.on_close(openapi::realtime::close::IDLE);
            } else {
                client.send_frame(&out::ping());
            }
        });

        let client = self.clone();
        let online = Closure::<dyn FnMut()>::new(move || {
            client.0.borrow_mut().backoff_ms = FIRST_BACKOFF_MS;
            if client.0.borrow().reconnect_timer.is_some() {
                client.connect();
            }
        });
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        online.forget();

        let client = self.clone();
        let shown = Closure::<dyn FnMut()>::new(move || client.mark_read());
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback("visibilitychange", shown.as_ref().unchecked_ref());
        }
        shown.forget();
    }
}

/// The next delay from `backoff_ms` (with jitter), doubling it for the time after.
fn next_backoff(backoff_ms: &mut f64) -> i32 {
    let jitter = 0.8 + js_sys::Math::random() * 0.4;
    let delay = *backoff_ms * jitter;
    *backoff_ms = (*backoff_ms * 2.0).min(MAX_BACKOFF_MS);
    delay as i32
}

/// What the browser says about itself, for the team (`VisitorContext`).
fn context() -> Context {
    let window = web_sys::window();
    let get = |object: &JsValue, key: &str| js_sys::Reflect::get(object, &key.into()).ok();
    let options = js_sys::Intl::DateTimeFormat::default().resolved_options();
    let screen = window.as_ref().and_then(|w| get(w, "screen"));
    let size = screen.as_ref().and_then(|s| {
        let side = |key| get(s, key).and_then(|v| v.as_f64()).map(|n| decimal(n as i64));
        Some([side("width")?, "x".into(), side("height")?].concat())
    });
    Context {
        timezone: get(&options, "timeZone").and_then(|v| v.as_string()),
        language: window.and_then(|w| w.navigator().language()),
        screen: size,
    }
}

/// The `continue` token of an email's link (`…/widget/frame?site=…#continue=<token>`).
fn continue_token() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#continue=").filter(|token| !token.is_empty()).map(str::to_owned)
}

/// Drops the `#continue=` fragment from the address bar (and from a reload).
fn forget_fragment() {
    let Some(window) = web_sys::window() else { return };
    if let (Ok(history), Ok(path), Ok(search)) =
        (window.history(), window.location().pathname(), window.location().search())
    {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&[path, search].concat()));
    }
}

/// The panel takes the focus when it opens: the start form's first field, or the
/// composer.
fn focus_panel() {
    focus(".rp-start input, .rp-start textarea, .rp-input");
}

/// Focuses the first element matching `selector` once the next render is done.
fn focus(selector: &'static str) {
    after(50, move || {
        let element =
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(selector).ok().flatten());
        if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
}

/// Runs `f` once after `ms`; returns the timer's handle.
fn after(ms: i32, f: impl FnOnce() + 'static) -> Option<i32> {
    let callback = Closure::once_into_js(f);
    web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms.max(0)).ok()
}

/// Runs `f` every `ms` for the page's lifetime.
fn every(ms: i32, f: impl FnMut() + 'static) {
    let tick = Closure::<dyn FnMut()>::new(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), ms);
    }
    tick.forget();
}

fn clear_timeout(timer: i32) {
    if let Some(window) = web_sys::window() {
        window.clear_timeout_with_handle(timer);
    }
}
