//! The chat client: everything between the panel and Rapport.
//!
//! It follows PROTOCOL.md: start (or resume) the visitor session over REST, open
//! `/ws/visitor`, `resume` the conversation after the highest `seq` held, and only then
//! (re)send the outbox with each message's original `client_msg_id`. A lost socket is
//! reopened with exponential backoff and jitter; a silent one (no frame for 30 s) is
//! treated as lost. The panel only sees the resulting [`Action`]s.
//!
//! State lives in one `Rc<RefCell<Inner>>` shared by the socket's callbacks and the
//! timers. Actions are dispatched on a later tick, so a render never runs while the
//! state is borrowed.

use std::{cell::RefCell, rc::Rc};

use openapi::{
    mail::OfflineMessage,
    messages::AuthorKind,
    realtime::ClientFrame,
    webhooks::NewRating,
    widget::{IdentifyRequest, NewVisitorConversation},
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, closure::Closure};
use yew::Callback;

use super::{
    api::{Api, Failure},
    frames::{Frame, Message},
    host::{Command, Event, Host},
    socket::Socket,
};
use crate::{
    clock::now_ms,
    outbox::{Outbox, Pending},
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
    token: Option<String>,
    conversation_id: Option<Uuid>,
    /// A `POST /widget/conversations` is in flight.
    starting: bool,
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
    outbox: Outbox,
    open: bool,
    page: Option<(String, String)>,
    typing: bool,
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
    /// Where a file may be sent now: the API, the visitor token and the conversation.
    pub fn attachment_target(&self) -> Option<(Api, String, Uuid)> {
        let inner = self.0.borrow();
        Some((inner.api.clone(), inner.token.clone()?, inner.conversation_id?))
    }

    /// Starts the session and the live channel; `dispatch` receives what to show.
    pub fn start(origin: &str, site_key: &str, host: Option<Host>, dispatch: Callback<Action>) -> Self {
        let memory = Memory::for_site(site_key);
        let outbox = Outbox::from_json(memory.get(storage::OUTBOX).as_deref());
        let read_seq = memory.get(storage::READ).and_then(|s| s.parse().ok()).unwrap_or(0);
        let inner = Inner {
            api: Api::new(origin),
            socket_url: format!("{}/ws/visitor", origin.replacen("http", "ws", 1)),
            site_key: site_key.to_owned(),
            token: memory.get(storage::TOKEN),
            memory,
            dispatch,
            // Without a host page (the frame opened on its own) the panel is always open.
            open: host.is_none(),
            host,
            conversation_id: None,
            starting: false,
            socket: None,
            connected: false,
            resumed: false,
            sent_here: Vec::new(),
            last_seq: 0,
            read_seq,
            agent_seqs: Vec::new(),
            outbox,
            page: None,
            typing: false,
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
        client.emit(Action::Outbox(client.0.borrow().outbox.items.clone()));
        client.listen_to_host();
        client.watch_browser();
        client.watch_status();
        client.clone().begin_session();
        client
    }

    /// Dispatches on a later tick: never while `Inner` is borrowed, never inside a render.
    fn emit(&self, action: Action) {
        let dispatch = self.0.borrow().dispatch.clone();
        wasm_bindgen_futures::spawn_local(async move { dispatch.emit(action) });
    }

    fn post(&self, event: Event) {
        if let Some(host) = &self.0.borrow().host {
            host.post(&event);
        }
    }

    // ----- session -------------------------------------------------------------------

    fn begin_session(self) {
        wasm_bindgen_futures::spawn_local(async move {
            let (api, site_key, token) = {
                let inner = self.0.borrow();
                (inner.api.clone(), inner.site_key.clone(), inner.token.clone())
            };
            let session = match api.session(&site_key, token).await {
                Ok(session) => session,
                Err(Failure::Network) => return self.retry_later(|client| client.begin_session()),
                Err(Failure::Refused(_, body)) => {
                    web_sys::console::error_1(&format!("rapport: {}", body.message).into());
                    return;
                }
            };
            let token = session.visitor_token.clone();
            let conversation = match api.latest_conversation(&token).await {
                Ok(conversation) => conversation,
                Err(_) => return self.retry_later(|client| client.begin_session()),
            };
            {
                let mut inner = self.0.borrow_mut();
                inner.memory.set(storage::TOKEN, &token);
                inner.token = Some(token);
                inner.conversation_id = conversation.as_ref().map(|c| c.id);
            }
            let resolved = conversation.as_ref().is_some_and(|c| c.resolved);
            self.emit(Action::Conversation { started: conversation.is_some(), resolved });
            if let Some(score) = conversation.as_ref().filter(|c| c.resolved).and_then(|c| self.rating_given(c.id)) {
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
            self.connect();
        });
    }

    /// Runs `again` after the current backoff (and grows it).
    fn retry_later(&self, again: impl FnOnce(Client) + 'static) {
        let delay = self.next_backoff();
        let client = self.clone();
        after(delay, move || again(client));
    }

    fn next_backoff(&self) -> i32 {
        let mut inner = self.0.borrow_mut();
        let jitter = 0.8 + js_sys::Math::random() * 0.4;
        let delay = inner.backoff_ms * jitter;
        inner.backoff_ms = (inner.backoff_ms * 2.0).min(MAX_BACKOFF_MS);
        delay as i32
    }

    // ----- the socket ----------------------------------------------------------------

    fn connect(&self) {
        let (url, token) = {
            let mut inner = self.0.borrow_mut();
            if inner.socket.is_some() {
                return;
            }
            if let Some(timer) = inner.reconnect_timer.take() {
                web_sys::window().expect("window").clear_timeout_with_handle(timer);
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
        if self.0.borrow().reconnect_timer.is_some() {
            return;
        }
        let delay = self.next_backoff();
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
            inner.token = None;
            inner.conversation_id = None;
            inner.last_seq = 0;
            drop(inner);
            return self.retry_later(|client| client.begin_session());
        }
        self.schedule_reconnect();
    }

    fn send_frame(&self, frame: &ClientFrame) -> bool {
        self.0.borrow().socket.as_ref().is_some_and(|socket| socket.send(frame))
    }

    fn on_frame(&self, frame: Frame) {
        self.0.borrow_mut().last_frame_at = now_ms();
        match frame {
            Frame::Hello => self.on_hello(),
            Frame::Message(message) => self.on_message(message),
            Frame::Resumed { conversation_id } if self.0.borrow().conversation_id == Some(conversation_id) => {
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
                let (adopt, ours) = {
                    let mut inner = self.0.borrow_mut();
                    let adopt = inner.conversation_id.is_none() && !inner.starting;
                    if adopt {
                        inner.conversation_id = Some(id);
                    }
                    (adopt, inner.conversation_id == Some(id))
                };
                if ours {
                    self.emit(Action::Conversation { started: true, resolved });
                }
                if adopt {
                    self.resume();
                }
            }
            Frame::Queue(queue) if self.0.borrow().conversation_id == Some(queue.conversation_id) => {
                self.emit(Action::Queue(queue));
            }
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
            self.send_frame(&ClientFrame::Page { url, title });
        }
        if self.0.borrow().conversation_id.is_some() {
            self.resume();
        } else {
            // Nothing to replay; a first message waiting in the outbox starts the chat.
            self.flush();
        }
    }

    fn resume(&self) {
        let (conversation_id, after_seq) = {
            let mut inner = self.0.borrow_mut();
            inner.resumed = false;
            (inner.conversation_id, inner.last_seq)
        };
        if let Some(conversation_id) = conversation_id {
            self.send_frame(&ClientFrame::Resume { conversation_id, after_seq });
        }
    }

    fn on_message(&self, message: Message) {
        let news = {
            let mut inner = self.0.borrow_mut();
            if Some(message.conversation_id) != inner.conversation_id {
                return;
            }
            inner.last_seq = inner.last_seq.max(message.seq);
            if message.author_kind == AuthorKind::Agent && !inner.agent_seqs.contains(&message.seq) {
                inner.agent_seqs.push(message.seq);
            }
            inner.live && message.author_kind == AuthorKind::Agent
        };
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
        let pending = Pending {
            client_msg_id: Uuid::new_v4().to_string(),
            body: body.to_owned(),
            written_at: now_ms(),
            refused: false,
        };
        {
            let mut inner = self.0.borrow_mut();
            inner.outbox.push(pending);
            // Sending a message ends typing on the server's side too.
            inner.typing = false;
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
            (inner.conversation_id, inner.outbox.to_send().next().cloned())
        };
        let Some(first) = first else { return };
        match conversation_id {
            None => self.start_conversation(first),
            Some(conversation_id) => {
                let frames: Vec<(String, ClientFrame)> = {
                    let inner = self.0.borrow();
                    if !inner.connected || !inner.resumed {
                        return;
                    }
                    inner
                        .outbox
                        .to_send()
                        .filter(|p| !inner.sent_here.contains(&p.client_msg_id))
                        .map(|p| {
                            let frame = ClientFrame::Send {
                                conversation_id,
                                client_msg_id: p.client_msg_id.clone(),
                                body: p.body.clone(),
                                kind: None,
                                attachment_ids: Vec::new(),
                            };
                            (p.client_msg_id.clone(), frame)
                        })
                        .collect()
                };
                for (id, frame) in frames {
                    if self.send_frame(&frame) {
                        self.0.borrow_mut().sent_here.push(id);
                    }
                }
            }
        }
    }

    /// The first message starts the conversation over REST (idempotent on its
    /// `client_msg_id`, so a retry after a lost answer finds the same conversation).
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
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let request = NewVisitorConversation {
                body: first.body.clone(),
                client_msg_id: first.client_msg_id.clone(),
                name,
                email,
            };
            let result = api.start_conversation(&token, &request).await;
            client.0.borrow_mut().starting = false;
            match result {
                Ok(conversation_id) => {
                    {
                        let mut inner = client.0.borrow_mut();
                        inner.conversation_id = Some(conversation_id);
                        inner.live = true;
                    }
                    client.emit(Action::Conversation { started: true, resolved: false });
                    client.settle(&first.client_msg_id);
                    if client.0.borrow().connected {
                        client.resume();
                    }
                }
                // Offline: the next `hello` flushes the outbox again.
                Err(Failure::Network) => {}
                Err(Failure::Refused(_, _)) => {
                    client.0.borrow_mut().outbox.refuse(&first.client_msg_id);
                    client.save_outbox();
                }
            }
        });
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
        wasm_bindgen_futures::spawn_local(async move {
            let message =
                OfflineMessage { email: email.clone(), name, body, client_msg_id: Uuid::new_v4().to_string() };
            match api.offline_message(&token, &message).await {
                Ok(conversation_id) => {
                    {
                        let mut inner = client.0.borrow_mut();
                        inner.conversation_id = Some(conversation_id);
                        inner.live = true;
                    }
                    client.emit(Action::OfflineSent(email));
                    client.emit(Action::Conversation { started: true, resolved: false });
                    if client.0.borrow().connected {
                        client.resume();
                    }
                }
                Err(_) => client.emit(Action::StartForm(Progress::Failed)),
            }
        });
    }

    fn credentials(&self) -> Option<(Api, String)> {
        let inner = self.0.borrow();
        Some((inner.api.clone(), inner.token.clone()?))
    }

    fn current(&self) -> Option<(Api, String, Uuid)> {
        let (api, token) = self.credentials()?;
        let conversation_id = self.0.borrow().conversation_id?;
        Some((api, token, conversation_id))
    }

    /// Where the conversation stands in the queue now (frames bring the changes).
    fn ask_queue(&self, conversation_id: Uuid) {
        let Some((api, token)) = self.credentials() else { return };
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(queue) = api.queue(&token, conversation_id).await
                && client.0.borrow().conversation_id == Some(queue.conversation_id)
            {
                client.emit(Action::Queue(queue));
            }
        });
    }

    /// Rates the conversation (again: the latest rating counts).
    pub fn rate(&self, score: u8, comment: Option<String>) {
        let Some((api, token, conversation_id)) = self.current() else { return };
        self.emit(Action::Rating(None, Progress::Busy));
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = api.rate(&token, conversation_id, &NewRating { score, comment }).await;
            if result.is_ok() {
                client.0.borrow().memory.set(storage::RATING, &format!("{conversation_id}:{score}"));
            }
            client.emit(match result {
                Ok(()) => Action::Rating(Some(score), Progress::Done),
                Err(_) => Action::Rating(None, Progress::Failed),
            });
        });
    }

    /// The score this browser gave `conversation_id`, if it rated it.
    fn rating_given(&self, conversation_id: Uuid) -> Option<u8> {
        let stored = self.0.borrow().memory.get(storage::RATING)?;
        let (id, score) = stored.split_once(':')?;
        (id == conversation_id.to_string()).then(|| score.parse().ok()).flatten().filter(|s| (1..=5).contains(s))
    }

    /// Mails the transcript to `email`, or to the email Rapport knows; without either
    /// the panel asks for one.
    pub fn request_transcript(&self, email: Option<String>) {
        let Some((api, token, conversation_id)) = self.current() else { return };
        self.emit(Action::Transcript(Progress::Busy));
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let asked = email.is_some();
            let progress = match api.transcript(&token, conversation_id, email).await {
                Ok(()) => Progress::Done,
                Err(Failure::Refused(_, body)) if !asked && body.field.as_deref() == Some("email") => {
                    Progress::NeedsEmail
                }
                Err(_) => Progress::Failed,
            };
            client.emit(Action::Transcript(progress));
        });
    }

    /// Asks again, while the panel is open, whether agents are online.
    fn watch_status(&self) {
        let client = self.clone();
        let tick = Closure::<dyn FnMut()>::new(move || {
            if client.0.borrow().open {
                client.refresh_site();
            }
        });
        let window = web_sys::window().expect("window");
        let _ = window
            .set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), STATUS_EVERY_MS);
        tick.forget();
    }

    fn refresh_site(&self) {
        let (api, site_key, token) = {
            let inner = self.0.borrow();
            let Some(token) = inner.token.clone() else { return };
            (inner.api.clone(), inner.site_key.clone(), token)
        };
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // The same token answers the same visitor: this only refreshes the site.
            if let Ok(session) = api.session(&site_key, Some(token)).await {
                client.0.borrow_mut().typing_preview = session.site.typing_preview;
                client.emit(Action::Site(session.site));
            }
        });
    }

    // ----- typing, reading, the host page --------------------------------------------

    /// The composer's text changed. With the site's typing preview on, the text goes
    /// along (cut short), as often as the server forwards it.
    pub fn draft_changed(&self, text: &str) {
        let has_text = !text.trim().is_empty();
        let frame = {
            let mut inner = self.0.borrow_mut();
            let Some(conversation_id) = inner.conversation_id else { return };
            let now = now_ms();
            let preview: Option<String> =
                inner.typing_preview.then(|| text.trim().chars().take(PREVIEW_CHARS).collect());
            let changed = preview.as_ref().is_some_and(|p| *p != inner.preview_sent);
            let every = if preview.is_some() { PREVIEW_REPEAT_MS } else { TYPING_REPEAT_MS };
            if has_text && (!inner.typing || (changed || preview.is_none()) && now - inner.typing_sent_at > every) {
                inner.typing = true;
                inner.typing_sent_at = now;
                inner.preview_sent = preview.clone().unwrap_or_default();
                ClientFrame::Typing { conversation_id, typing: true, preview }
            } else if !has_text && inner.typing {
                inner.typing = false;
                ClientFrame::Typing { conversation_id, typing: false, preview: None }
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
            let Some(conversation_id) = inner.conversation_id else { return };
            let unread = inner.agent_seqs.iter().any(|seq| *seq > inner.read_seq);
            if !inner.open || !visible || !inner.connected || !unread {
                return;
            }
            inner.read_seq = inner.last_seq;
            inner.memory.set(storage::READ, &inner.read_seq.to_string());
            ClientFrame::Read { conversation_id, seq: inner.last_seq }
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
            Command::Open => {
                self.0.borrow_mut().open = true;
                self.mark_read();
                self.refresh_site();
            }
            Command::Close => self.0.borrow_mut().open = false,
            Command::Page { url, title } => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return;
                }
                self.0.borrow_mut().page = Some((url.clone(), title.clone()));
                self.send_frame(&ClientFrame::Page { url, title });
            }
            Command::Identify { user_id, email, name, user_hash } => {
                let Some(token) = token else {
                    return self.0.borrow_mut().queued.push(Command::Identify { user_id, email, name, user_hash });
                };
                let Some(user_id) = user_id else {
                    return self.post(Event::Error {
                        code: "invalid_input".into(),
                        message: "identify needs a user_id".into(),
                    });
                };
                self.send_identity(token, IdentifyRequest { user_id, email, name, user_hash });
            }
            Command::Attributes { body } => {
                let Some(token) = token else { return self.0.borrow_mut().queued.push(Command::Attributes { body }) };
                let api = self.0.borrow().api.clone();
                let client = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(Failure::Refused(_, body)) = api.set_attributes(&token, body).await {
                        client.post(Event::Error { code: body.code, message: body.message });
                    }
                });
            }
        }
    }

    fn send_identity(&self, token: String, request: IdentifyRequest) {
        let api = self.0.borrow().api.clone();
        let client = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match api.identify(&token, &request).await {
                Ok(_) => client.emit(Action::Notice(None)),
                Err(Failure::Refused(_, body)) => {
                    if body.code == "identity_rejected" || body.code == "identity_required" {
                        client.emit(Action::Notice(Some(Notice::IdentityRejected)));
                    }
                    client.post(Event::Error { code: body.code, message: body.message });
                }
                // Retried with the token of the moment (a new one if the session ended).
                Err(Failure::Network) => client.retry_later(move |client| {
                    let current = client.0.borrow().token.clone();
                    client.send_identity(current.unwrap_or(token), request)
                }),
            }
        });
    }

    /// Heartbeats, silence detection, and the browser's own hints (back online, tab shown).
    fn watch_browser(&self) {
        let window = web_sys::window().expect("window");
        let client = self.clone();
        let heartbeat = Closure::<dyn FnMut()>::new(move || {
            let silent = {
                let inner = client.0.borrow();
                inner.socket.is_some() && now_ms() - inner.last_frame_at > SILENCE_LIMIT_MS
            };
            if silent {
                // The network died without a close: drop the socket and start over.
                client.0.borrow_mut().socket = None;
                client.on_close(openapi::realtime::close::IDLE);
            } else {
                client.send_frame(&ClientFrame::Ping);
            }
        });
        let _ = window
            .set_interval_with_callback_and_timeout_and_arguments_0(heartbeat.as_ref().unchecked_ref(), PING_EVERY_MS);
        heartbeat.forget();

        let client = self.clone();
        let online = Closure::<dyn FnMut()>::new(move || {
            client.0.borrow_mut().backoff_ms = FIRST_BACKOFF_MS;
            client.connect();
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

/// Runs `f` once after `ms`; returns the timer's handle.
fn after(ms: i32, f: impl FnOnce() + 'static) -> Option<i32> {
    let callback = Closure::once_into_js(f);
    web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms.max(0)).ok()
}
