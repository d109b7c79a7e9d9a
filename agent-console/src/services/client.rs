//! The agent socket (`/ws/agent`, PROTOCOL.md): authenticated by the session cookie,
//! kept alive with `ping`, reopened with exponential backoff and jitter, and after
//! every (re)connect: `status`, `feed` after the highest `feed_seq` held (one replay of
//! every conversation changed meanwhile, each with its newest message, then live),
//! `resume` of the conversations shown in full (after the highest `seq` held), then the
//! outbox with each message's original `client_msg_id`, so nothing is lost or sent
//! twice. However many conversations the workspace has, a reconnect is one replay.
//!
//! State lives in one `Rc<RefCell<Inner>>` shared by the socket's callbacks and the
//! timers; actions are sent to the stores after the borrow ends.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use crate::{
    clock::{millis, now_ms},
    state::{Action, Dispatch, Link, PageVisit, Pending},
};
use openapi::{
    conversations::Conversation,
    messages::MessageKind,
    realtime::{AgentStatus, ClientFrame, SUBPROTOCOL, ServerFrame},
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

const FIRST_BACKOFF_MS: f64 = 500.0;
const MAX_BACKOFF_MS: f64 = 30_000.0;
const PING_EVERY_MS: i32 = 10_000;
const SILENCE_LIMIT_MS: f64 = 30_000.0;
/// Close code for a session that ended (signed out elsewhere, deactivated).
const SESSION_ENDED: u16 = 4001;

type Handlers = (Closure<dyn FnMut(MessageEvent)>, Closure<dyn FnMut(CloseEvent)>);

#[derive(Clone)]
pub struct Client(Rc<RefCell<Inner>>);

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

struct Inner {
    url: String,
    dispatch: Dispatch,
    ws: Option<WebSocket>,
    /// Callbacks of the current socket, dropped with it.
    handlers: Option<Handlers>,
    connected: bool,
    /// Conversations shown in full (opened), with the highest `seq` held.
    following: HashMap<Uuid, i64>,
    /// The highest workspace feed position held; none until the lists' loading has
    /// read where the feed stood (`follow_feed_from`).
    feed_seq: Option<i64>,
    /// Sent and not acknowledged: resent after a reconnect.
    outbox: Vec<ClientFrame>,
    status: AgentStatus,
    backoff_ms: f64,
    last_frame_at: f64,
    stopped: bool,
    _ping: Option<Closure<dyn FnMut()>>,
}

impl Client {
    /// Connects, announcing `status` (the one the agent chose last time).
    pub fn start(dispatch: Dispatch, status: AgentStatus) -> Self {
        let location = web_sys::window().expect("a window").location();
        let origin = location.origin().unwrap_or_default();
        let inner = Inner {
            url: format!("{}/ws/agent", origin.replacen("http", "ws", 1)),
            dispatch,
            ws: None,
            handlers: None,
            connected: false,
            following: HashMap::new(),
            feed_seq: None,
            outbox: Vec::new(),
            status,
            backoff_ms: FIRST_BACKOFF_MS,
            last_frame_at: now_ms(),
            stopped: false,
            _ping: None,
        };
        let client = Self(Rc::new(RefCell::new(inner)));
        client.open();
        client.keep_alive();
        client
    }

    /// Closes for good (sign-out).
    pub fn stop(&self) {
        let mut inner = self.0.borrow_mut();
        inner.stopped = true;
        if let Some(ws) = inner.ws.take() {
            ws.set_onmessage(None);
            ws.set_onclose(None);
            let _ = ws.close();
        }
    }

    fn open(&self) {
        let url = self.0.borrow().url.clone();
        // No token subprotocol: the HttpOnly cookie authenticates the console.
        let Ok(ws) = WebSocket::new_with_str(&url, SUBPROTOCOL) else {
            self.reconnect_later();
            return;
        };
        let on_message = {
            let client = self.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    client.on_text(&text);
                }
            })
        };
        let on_close = {
            let client = self.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| client.on_close(event.code()))
        };
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.ws = Some(ws);
        inner.handlers = Some((on_message, on_close));
        inner.last_frame_at = now_ms();
    }

    fn on_close(&self, code: u16) {
        let dispatch = {
            let mut inner = self.0.borrow_mut();
            inner.connected = false;
            inner.ws = None;
            inner.dispatch.clone()
        };
        if code == SESSION_ENDED {
            self.stop();
            dispatch.send(Action::Me(None));
            return;
        }
        dispatch.send(Action::Link(Link::Reconnecting));
        self.reconnect_later();
    }

    fn reconnect_later(&self) {
        let delay = {
            let mut inner = self.0.borrow_mut();
            if inner.stopped {
                return;
            }
            let delay = inner.backoff_ms * (0.5 + js_sys::Math::random());
            inner.backoff_ms = (inner.backoff_ms * 2.0).min(MAX_BACKOFF_MS);
            delay
        };
        let client = self.clone();
        let retry = Closure::once_into_js(move || {
            if !client.0.borrow().stopped {
                client.open();
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay as i32);
        }
    }

    /// Pings, and treats a socket silent for too long as lost.
    fn keep_alive(&self) {
        let client = self.clone();
        let tick = Closure::<dyn FnMut()>::new(move || {
            let silent = {
                let inner = client.0.borrow();
                inner.ws.is_some() && now_ms() - inner.last_frame_at > SILENCE_LIMIT_MS
            };
            if silent {
                let ws = client.0.borrow_mut().ws.take();
                if let Some(ws) = ws {
                    ws.set_onmessage(None);
                    ws.set_onclose(None);
                    let _ = ws.close();
                }
                client.on_close(1006);
            } else {
                client.send_now(&ClientFrame::Ping);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), PING_EVERY_MS);
        }
        self.0.borrow_mut()._ping = Some(tick);
    }

    fn send_now(&self, frame: &ClientFrame) -> bool {
        let inner = self.0.borrow();
        match &inner.ws {
            Some(ws) if inner.connected && ws.ready_state() == WebSocket::OPEN => {
                ws.send_with_str(&serde_json::to_string(frame).unwrap_or_default()).is_ok()
            }
            _ => false,
        }
    }

    fn on_text(&self, text: &str) {
        self.0.borrow_mut().last_frame_at = now_ms();
        let Ok(frame) = serde_json::from_str::<ServerFrame>(text) else {
            web_sys::console::warn_1(&format!("rapport: ignored frame {text}").into());
            return;
        };
        let dispatch = self.0.borrow().dispatch.clone();
        match frame {
            ServerFrame::Hello { .. } => self.on_hello(),
            ServerFrame::Message { message } => {
                {
                    let mut inner = self.0.borrow_mut();
                    let held = inner.following.entry(message.conversation_id).or_insert(0);
                    *held = (*held).max(message.seq);
                }
                dispatch.send(Action::Message(message));
            }
            ServerFrame::Ack { client_msg_id, .. } => {
                self.0
                    .borrow_mut()
                    .outbox
                    .retain(|f| !matches!(f, ClientFrame::Send { client_msg_id: c, .. } if *c == client_msg_id));
                dispatch.send(Action::Acked(client_msg_id));
            }
            ServerFrame::Typing { conversation_id, from, typing, preview, expires_in_ms } => {
                dispatch.send(Action::Typing { conversation_id, from, typing, preview, expires_in_ms, now: now_ms() })
            }
            ServerFrame::Read { conversation_id, reader, seq } => {
                dispatch.send(Action::Read { conversation_id, reader, seq, now: now_ms() })
            }
            ServerFrame::Page { visitor_id, url, title, at } => {
                dispatch.send(Action::Page { visitor_id, visit: PageVisit { url, title, at: millis(&at) } })
            }
            ServerFrame::AgentStatus { agent_id, status } => dispatch.send(Action::AgentStatus(agent_id, status)),
            ServerFrame::Error { code, message, client_msg_id: Some(client_msg_id), .. } => {
                // Refused for good (too long, conversation gone): not retried.
                self.0
                    .borrow_mut()
                    .outbox
                    .retain(|f| !matches!(f, ClientFrame::Send { client_msg_id: c, .. } if *c == client_msg_id));
                dispatch.send(Action::SendFailed(client_msg_id, format!("{message} ({code})")));
            }
            ServerFrame::Error { message, .. } => dispatch.send(Action::Toast(Some((message, true)))),
            ServerFrame::Conversation { change, conversation } => self.on_conversation(change, conversation),
            ServerFrame::FeedSynced { feed_seq } => self.held_feed(feed_seq),
            // `queue` is for visitors; `pong` and `resumed` only prove the link is alive.
            ServerFrame::Pong | ServerFrame::Resumed { .. } | ServerFrame::Queue { .. } => {}
        }
    }

    fn on_hello(&self) {
        let (frames, dispatch) = {
            let mut inner = self.0.borrow_mut();
            inner.connected = true;
            inner.backoff_ms = FIRST_BACKOFF_MS;
            let mut frames = vec![ClientFrame::Status { status: inner.status }];
            frames.extend(inner.feed_seq.map(|after| ClientFrame::Feed { after }));
            frames.extend(
                inner.following.iter().map(|(id, seq)| ClientFrame::Resume { conversation_id: *id, after_seq: *seq }),
            );
            frames.extend(inner.outbox.iter().cloned());
            (frames, inner.dispatch.clone())
        };
        for frame in &frames {
            self.send_now(frame);
        }
        dispatch.send(Action::Link(Link::Live));
    }

    fn on_conversation(&self, change: openapi::realtime::ConversationChange, view: Conversation) {
        self.held_feed(view.feed_seq);
        let dispatch = self.0.borrow().dispatch.clone();
        dispatch.send(Action::Changed(change, view));
    }

    /// Frames arrive in feed order, so the highest position seen is where a reconnect
    /// continues.
    fn held_feed(&self, feed_seq: i64) {
        if let Some(held) = &mut self.0.borrow_mut().feed_seq {
            *held = (*held).max(feed_seq);
        }
    }

    /// Follows the workspace feed from `head`, read before the lists were loaded: what
    /// changed since comes over the socket, now and after every reconnect.
    pub fn follow_feed_from(&self, head: i64) {
        let start = {
            let mut inner = self.0.borrow_mut();
            if inner.feed_seq.is_some() {
                return;
            }
            inner.feed_seq = Some(head);
            inner.connected
        };
        if start {
            self.send_now(&ClientFrame::Feed { after: head });
        }
    }

    /// Receives this conversation's messages after `after_seq` from now on (once).
    pub fn follow(&self, id: Uuid, after_seq: i64) {
        let resume = {
            let mut inner = self.0.borrow_mut();
            match inner.following.entry(id) {
                std::collections::hash_map::Entry::Occupied(_) => None,
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(after_seq);
                    Some(ClientFrame::Resume { conversation_id: id, after_seq })
                }
            }
        };
        if let Some(frame) = resume {
            self.send_now(&frame);
        }
    }

    /// Sends a reply or note with the attachments uploaded for it; it stays in the outbox
    /// (same `client_msg_id`, same attachments) until acknowledged.
    pub fn send(&self, conversation_id: Uuid, body: String, kind: MessageKind, attachment_ids: Vec<Uuid>) {
        let client_msg_id = Uuid::now_v7().to_string();
        let frame = ClientFrame::Send {
            conversation_id,
            client_msg_id: client_msg_id.clone(),
            body: body.clone(),
            kind: Some(kind),
            attachment_ids,
        };
        let dispatch = {
            let mut inner = self.0.borrow_mut();
            inner.outbox.push(frame.clone());
            inner.dispatch.clone()
        };
        dispatch.send(Action::Pending(Pending { conversation_id, client_msg_id, body, kind, failed: None }));
        self.send_now(&frame);
    }

    pub fn typing(&self, conversation_id: Uuid, typing: bool) {
        self.send_now(&ClientFrame::Typing { conversation_id, typing, preview: None });
    }

    pub fn read(&self, conversation_id: Uuid, seq: i64) {
        if seq > 0 {
            self.send_now(&ClientFrame::Read { conversation_id, seq });
        }
    }

    pub fn set_status(&self, status: AgentStatus, auto: bool) {
        let dispatch = {
            let mut inner = self.0.borrow_mut();
            inner.status = status;
            inner.dispatch.clone()
        };
        self.send_now(&ClientFrame::Status { status });
        dispatch.send(Action::MyStatus(status, auto));
    }
}
