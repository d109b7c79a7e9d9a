//! One socket's life, in one task: `select!` over the client's frames, the bus, the
//! heartbeat and shutdown. Every frame is authorised against the caller's conversations
//! here, not only at the handshake.
//!
//! Sending happens inline with a timeout: a client that stops reading blocks its own task
//! only, its bus subscription then lags (the buffer is per topic, not per socket), and
//! the socket is closed with `SLOW_CONSUMER` for the client to resume later. Server
//! memory per socket stays bounded whatever the client does.

use std::{collections::HashMap, time::Instant};

use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use openapi::{
    messages::{AuthorKind, MessageKind},
    realtime::{AgentStatus, ClientFrame, ConversationChange, Participant, ServerFrame, close},
};
use poem::web::websocket::{CloseCode, Message as WsMessage, WebSocketStream};
use uuid::Uuid;

use super::{
    bus::{Event, Interrupted, Subscription, Topic},
    delivery::Deliveries,
    handshake::Peer,
    limits::{self, RateLimiter},
    pages::{self, PageView},
    presence::{self, PRESENCE_TTL, Roster},
    publish, receipts,
};
use crate::{
    conversations,
    error::{ApiError, Error},
    messages::{self, Audience, Author, Draft},
    state::AppState,
};

type Sink = SplitSink<WebSocketStream, WsMessage>;

/// Why a socket ends; the close frame sent, if any.
struct Closing {
    code: u16,
    reason: String,
}

impl Closing {
    fn new(code: u16, reason: impl Into<String>) -> Self {
        Self { code, reason: reason.into() }
    }
}

/// What a frame handler asks of the loop.
type Outcome = Result<(), Closing>;

pub async fn run(state: AppState, peer: Peer, socket: WebSocketStream) {
    state.metrics.connections.inc();
    let (sink, mut inbound) = socket.split();
    let mut connection = Connection::new(state.clone(), peer, sink);
    let closing = connection.serve(&mut inbound).await;
    connection.finish(closing, &mut inbound).await;
    state.metrics.connections.dec();
}

struct Connection {
    state: AppState,
    peer: Peer,
    id: Uuid,
    sink: Sink,
    deliveries: Deliveries,
    /// Conversation → its visitor, for conversations this peer was allowed to use.
    /// Ownership never changes, so one check per conversation per socket suffices.
    allowed: HashMap<Uuid, Uuid>,
    limiter: RateLimiter,
    /// For `resume` and `ping` (see [`limits::SYNC_BURST`]).
    sync_limiter: RateLimiter,
    refused_in_a_row: u32,
    /// When typing was last forwarded per conversation, and whether it was "typing".
    typing_sent: HashMap<Uuid, (Instant, bool)>,
    last_inbound: Instant,
    last_credential_check: Instant,
}

impl Connection {
    fn new(state: AppState, peer: Peer, sink: Sink) -> Self {
        let audience = match peer {
            Peer::Visitor { .. } => Audience::Visitor,
            Peer::Agent { .. } => Audience::Team,
        };
        let now = Instant::now();
        Self {
            deliveries: Deliveries::new(peer.workspace_id(), audience),
            state,
            peer,
            id: Uuid::now_v7(),
            sink,
            allowed: HashMap::new(),
            limiter: RateLimiter::new(limits::FRAMES_PER_SECOND, limits::FRAME_BURST),
            sync_limiter: RateLimiter::new(limits::SYNCS_PER_SECOND, limits::SYNC_BURST),
            refused_in_a_row: 0,
            typing_sent: HashMap::new(),
            last_inbound: now,
            last_credential_check: now,
        }
    }

    fn me(&self) -> Participant {
        match self.peer {
            Peer::Visitor { visitor_id, .. } => Participant::Visitor(visitor_id),
            Peer::Agent { agent_id, .. } => Participant::Agent(agent_id),
        }
    }

    fn topic(&self) -> Topic {
        match self.peer {
            Peer::Visitor { visitor_id, .. } => Topic::Visitor(visitor_id),
            Peer::Agent { workspace_id, .. } => Topic::Workspace(workspace_id),
        }
    }

    fn roster(&self) -> (Roster, Uuid) {
        match self.peer {
            Peer::Visitor { site_id, visitor_id, .. } => (Roster::SiteVisitors(site_id), visitor_id),
            Peer::Agent { workspace_id, agent_id, .. } => (Roster::WorkspaceAgents(workspace_id), agent_id),
        }
    }

    async fn serve(&mut self, inbound: &mut SplitStream<WebSocketStream>) -> Closing {
        // Subscribe before anything is read from the database: see `delivery`.
        let mut subscription = match self.state.realtime.bus.subscribe(self.topic()).await {
            Ok(subscription) => subscription,
            Err(err) => {
                tracing::error!(error = %err, "subscribing a socket failed");
                return Closing::new(1011, "real-time service unavailable; retry shortly");
            }
        };
        if let Err(closing) = self.arrive().await {
            return closing;
        }
        let hello = ServerFrame::Hello {
            connection_id: self.id,
            server_id: self.state.realtime.node_id,
            heartbeat_secs: limits::HEARTBEAT.as_secs() as u32,
            limits: limits::announced(),
        };
        if let Err(closing) = self.send(&hello).await {
            return closing;
        }
        let mut heartbeat = tokio::time::interval(limits::HEARTBEAT);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut shutdown = self.state.realtime.shutdown_signal();
        loop {
            let outcome = tokio::select! {
                frame = inbound.next() => match frame {
                    Some(Ok(frame)) => self.on_inbound(frame).await,
                    Some(Err(err)) if err.to_string().contains("too long") => Err(Closing::new(
                        close::TOO_BIG,
                        format!("frames are limited to {} bytes", limits::MAX_FRAME_BYTES),
                    )),
                    // The peer vanished: nothing to say to it.
                    Some(Err(_)) | None => return Closing::new(1006, ""),
                },
                event = subscription.recv() => self.on_event(event, &subscription).await,
                _ = heartbeat.tick() => self.on_heartbeat().await,
                _ = shutdown.changed() => Err(Closing::new(1001, "server restarting; reconnect and resume")),
            };
            if let Err(closing) = outcome {
                return closing;
            }
        }
    }

    /// Joins presence; an agent coming online is announced to the team.
    async fn arrive(&mut self) -> Outcome {
        let (roster, member) = self.roster();
        let presence = &self.state.realtime.presence;
        let was = match self.peer {
            Peer::Agent { workspace_id, agent_id, .. } => Some(
                presence::agent_status(presence.as_ref(), workspace_id, agent_id).await.unwrap_or(AgentStatus::Offline),
            ),
            Peer::Visitor { .. } => None,
        };
        if let Err(err) = presence.touch(roster, member, self.id, PRESENCE_TTL).await {
            tracing::warn!(error = %err, "recording presence failed");
        }
        if let (Some(AgentStatus::Offline), Peer::Agent { .. }) = (was, &self.peer) {
            self.announce_status().await;
        }
        Ok(())
    }

    async fn announce_status(&self) {
        let Peer::Agent { workspace_id, agent_id, .. } = self.peer else { return };
        let status = presence::agent_status(self.state.realtime.presence.as_ref(), workspace_id, agent_id)
            .await
            .unwrap_or(AgentStatus::Offline);
        // Presence only knows the present; the log remembers it for reports' time online.
        if let Err(err) = crate::reports::status_log::record(&self.state.store, workspace_id, agent_id, status).await {
            tracing::warn!(error = %err, "logging an agent's status change failed");
        }
        publish::frame(&self.state, workspace_id, None, ServerFrame::AgentStatus { agent_id, status }).await;
        // An agent who comes online may take waiting conversations at once.
        self.state.routing.nudge();
    }

    /// Leaves presence and says goodbye.
    async fn finish(&mut self, closing: Closing, inbound: &mut SplitStream<WebSocketStream>) {
        let (roster, member) = self.roster();
        if let Err(err) = self.state.realtime.presence.leave(roster, member, self.id).await {
            tracing::warn!(error = %err, "leaving presence failed");
        }
        if matches!(self.peer, Peer::Agent { .. }) {
            self.announce_status().await;
        }
        if closing.code != 1006 {
            let frame = WsMessage::Close(Some((CloseCode::from(closing.code), closing.reason)));
            let _ = tokio::time::timeout(limits::SEND_TIMEOUT, self.sink.send(frame)).await;
            // Linger for the client's close reply. Closing the TCP socket while it still
            // holds unread bytes (the rest of an oversize frame, which cannot be parsed
            // any more) makes the kernel send a reset, which can destroy our close frame
            // before the client reads its reason: after an oversize frame, just wait.
            let deadline = tokio::time::Instant::now() + limits::CLOSE_LINGER;
            if closing.code == close::TOO_BIG {
                tokio::time::sleep_until(deadline).await;
            } else {
                while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, inbound.next()).await {
                    if matches!(frame, WsMessage::Close(_)) {
                        break;
                    }
                }
            }
        }
        let _ = tokio::time::timeout(limits::SEND_TIMEOUT, self.sink.close()).await;
    }

    async fn send(&mut self, frame: &ServerFrame) -> Outcome {
        let text = serde_json::to_string(frame).map_err(|_| Closing::new(1011, "internal error"))?;
        self.send_raw(WsMessage::Text(text)).await
    }

    /// Writes one WebSocket message, giving up on a client that does not take it in time.
    async fn send_raw(&mut self, message: WsMessage) -> Outcome {
        match tokio::time::timeout(limits::SEND_TIMEOUT, self.sink.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Closing::new(1006, "")),
            Err(_) => Err(Closing::new(close::SLOW_CONSUMER, "not reading fast enough; reconnect and resume")),
        }
    }

    async fn send_error(&mut self, err: Error, client_msg_id: Option<String>) -> Outcome {
        let body = ApiError::from(err).into_body();
        self.send(&ServerFrame::Error { code: body.code, message: body.message, client_msg_id, retry_after_ms: None })
            .await
    }

    async fn on_heartbeat(&mut self) -> Outcome {
        if self.last_inbound.elapsed() > limits::IDLE_TIMEOUT {
            return Err(Closing::new(close::IDLE, "no traffic within the heartbeat timeout"));
        }
        if self.last_credential_check.elapsed() >= limits::RECHECK_CREDENTIALS {
            self.last_credential_check = Instant::now();
            if !self.peer.still_valid(&self.state).await {
                return Err(Closing::new(close::SESSION_ENDED, "credentials no longer valid"));
            }
        }
        let (roster, member) = self.roster();
        if let Err(err) = self.state.realtime.presence.touch(roster, member, self.id, PRESENCE_TTL).await {
            tracing::warn!(error = %err, "refreshing presence failed");
        }
        // Browsers answer pings by themselves, so an open tab stays alive without code.
        self.send_raw(WsMessage::Ping(Vec::new())).await
    }

    async fn on_event(
        &mut self,
        event: Result<std::sync::Arc<Event>, Interrupted>,
        subscription: &Subscription,
    ) -> Outcome {
        let event = match event {
            Ok(event) => event,
            Err(Interrupted::Lagged) => {
                return Err(Closing::new(close::SLOW_CONSUMER, "fell behind live events; reconnect and resume"));
            }
            Err(Interrupted::Closed) => {
                tracing::warn!(topic = %subscription.topic(), "subscription closed; asking the client to resume");
                return Err(Closing::new(close::RESYNC, "live events interrupted; reconnect and resume"));
            }
        };
        match (&*event, &self.peer) {
            (Event::SessionEnded { session_id }, Peer::Agent { session_id: mine, .. }) if session_id == mine => {
                Err(Closing::new(close::SESSION_ENDED, "signed out"))
            }
            (Event::AgentDeactivated { agent_id }, Peer::Agent { agent_id: me, .. }) if agent_id == me => {
                Err(Closing::new(close::SESSION_ENDED, "agent deactivated"))
            }
            (Event::VisitorRevoked { visitor_id }, Peer::Visitor { visitor_id: me, .. }) if visitor_id == me => {
                Err(Closing::new(close::SESSION_ENDED, "visitor token revoked"))
            }
            (Event::Frame { frame }, _) => self.forward(frame.clone()).await,
            _ => Ok(()),
        }
    }

    /// Passes a bus frame on, through delivery bookkeeping for messages.
    async fn forward(&mut self, frame: ServerFrame) -> Outcome {
        let me = self.me();
        match frame {
            ServerFrame::Message { message } => {
                let batch = match self.deliveries.live(&self.state.store, message).await {
                    Ok(batch) => batch,
                    Err(err) => {
                        tracing::error!(error = %err, "filling a delivery gap failed");
                        return Err(Closing::new(1011, "could not read messages; reconnect and resume"));
                    }
                };
                for message in batch {
                    self.send(&ServerFrame::Message { message }).await?;
                }
                Ok(())
            }
            ServerFrame::Typing { from, .. } | ServerFrame::Read { reader: from, .. } if from == me => Ok(()),
            other => self.send(&other).await,
        }
    }

    async fn on_inbound(&mut self, frame: WsMessage) -> Outcome {
        self.last_inbound = Instant::now();
        let text = match frame {
            WsMessage::Text(text) => text,
            WsMessage::Binary(_) => {
                return self
                    .refuse("unsupported_frame", "frames are JSON text; binary frames are not accepted".into(), None)
                    .await;
            }
            WsMessage::Close(_) => return Err(Closing::new(1000, "bye")),
            // Pongs (and the pings tungstenite answers itself) only prove liveness.
            WsMessage::Ping(_) | WsMessage::Pong(_) => return Ok(()),
        };
        let frame: Result<ClientFrame, _> = serde_json::from_str(&text);
        let limiter = match frame {
            Ok(ClientFrame::Resume { .. } | ClientFrame::Ping) => &mut self.sync_limiter,
            _ => &mut self.limiter,
        };
        if let Err(wait) = limiter.check(Instant::now()) {
            self.refused_in_a_row += 1;
            if self.refused_in_a_row > limits::MAX_REFUSED_IN_A_ROW {
                return Err(Closing::new(close::POLICY, "kept sending while rate limited"));
            }
            let frame = ServerFrame::Error {
                code: "rate_limited".into(),
                message: format!(
                    "more than {} frames per second; this frame was dropped, send it again later",
                    limits::FRAMES_PER_SECOND
                ),
                client_msg_id: send_id(&text),
                retry_after_ms: Some(wait.as_millis().clamp(1, u128::from(u32::MAX)) as u32),
            };
            return self.send(&frame).await;
        }
        self.refused_in_a_row = 0;
        let frame = match frame {
            Ok(frame) => frame,
            Err(err) => {
                return self.refuse("malformed_frame", format!("not a valid frame: {err}"), send_id(&text)).await;
            }
        };
        match frame {
            ClientFrame::Ping => self.send(&ServerFrame::Pong).await,
            ClientFrame::Resume { conversation_id, after_seq } => self.resume(conversation_id, after_seq).await,
            ClientFrame::Send { conversation_id, client_msg_id, body, kind, attachment_ids } => {
                let kind = kind.unwrap_or(MessageKind::Text);
                self.store_message(conversation_id, client_msg_id, body, kind, &attachment_ids).await
            }
            ClientFrame::Typing { conversation_id, typing, preview } => {
                self.typing(conversation_id, typing, preview).await
            }
            ClientFrame::Read { conversation_id, seq } => self.read(conversation_id, seq).await,
            ClientFrame::Page { url, title } => self.page(&url, &title).await,
            ClientFrame::Status { status } => self.set_status(status).await,
        }
    }

    async fn refuse(&mut self, code: &str, message: String, client_msg_id: Option<String>) -> Outcome {
        self.send(&ServerFrame::Error { code: code.into(), message, client_msg_id, retry_after_ms: None }).await
    }

    /// Checks that this peer may use `conversation_id`; returns its visitor.
    async fn authorise(&mut self, conversation_id: Uuid) -> Result<Uuid, Error> {
        if let Some(&visitor_id) = self.allowed.get(&conversation_id) {
            return Ok(visitor_id);
        }
        let store = &self.state.store;
        let conversation = match self.peer {
            Peer::Visitor { workspace_id, visitor_id, .. } => {
                conversations::get_for_visitor(store, workspace_id, visitor_id, conversation_id).await?
            }
            Peer::Agent { workspace_id, .. } => conversations::get(store, workspace_id, conversation_id).await?,
        };
        self.allowed.insert(conversation_id, conversation.visitor_id);
        Ok(conversation.visitor_id)
    }

    async fn resume(&mut self, conversation_id: Uuid, after_seq: i64) -> Outcome {
        if after_seq < 0 {
            return self.send_error(Error::invalid("after_seq", "must be 0 or more"), None).await;
        }
        if let Err(err) = self.authorise(conversation_id).await {
            return self.send_error(err, None).await;
        }
        let mut last = after_seq;
        loop {
            let page = match self
                .deliveries
                .replay_page(&self.state.store, conversation_id, last, limits::REPLAY_PAGE)
                .await
            {
                Ok(page) => page,
                Err(err) => return self.send_error(err, None).await,
            };
            let done = page.len() < limits::REPLAY_PAGE as usize;
            for message in page {
                last = message.seq;
                self.send(&ServerFrame::Message { message }).await?;
            }
            if done {
                break;
            }
        }
        self.deliveries.replayed(conversation_id, last);
        self.send(&ServerFrame::Resumed { conversation_id, last_seq: last }).await?;
        // The read state as of now; later moves arrive live.
        let me = self.me();
        let cursors =
            receipts::cursors(&self.state.store, self.peer.workspace_id(), conversation_id).await.unwrap_or_default();
        for (reader, seq) in cursors.into_iter().filter(|(reader, _)| *reader != me) {
            self.send(&ServerFrame::Read { conversation_id, reader, seq }).await?;
        }
        Ok(())
    }

    async fn store_message(
        &mut self,
        conversation_id: Uuid,
        client_msg_id: String,
        body: String,
        kind: MessageKind,
        attachment_ids: &[Uuid],
    ) -> Outcome {
        let author = match self.peer {
            Peer::Visitor { visitor_id, .. } => Author { kind: AuthorKind::Visitor, id: Some(visitor_id) },
            Peer::Agent { agent_id, .. } => Author { kind: AuthorKind::Agent, id: Some(agent_id) },
        };
        let draft = match Draft::parse_with_attachments(author, kind, &body, Some(&client_msg_id), attachment_ids) {
            Ok(draft) => draft,
            Err(err) => return self.send_error(err, Some(client_msg_id)).await,
        };
        let visitor_id = match self.authorise(conversation_id).await {
            Ok(visitor_id) => visitor_id,
            Err(err) => return self.send_error(err, Some(client_msg_id)).await,
        };
        let workspace_id = self.peer.workspace_id();
        let stored = match messages::append(&self.state.store, workspace_id, conversation_id, draft).await {
            Ok(stored) => stored,
            Err(err) => return self.send_error(err, Some(client_msg_id)).await,
        };
        self.state.metrics.message_stored(&stored);
        let message = match stored.message.to_wire() {
            Ok(message) => message,
            Err(err) => return self.send_error(err, Some(client_msg_id)).await,
        };
        // Durably stored: acknowledge first, then let everyone (this socket included,
        // through the same bookkeeping as any live message) see it.
        self.send(&ServerFrame::Ack {
            conversation_id,
            client_msg_id,
            message_id: message.id,
            seq: message.seq,
            created_at: message.created_at,
            server_id: self.state.realtime.node_id,
            duplicate: !stored.created,
        })
        .await?;
        if stored.created {
            publish::message_stored(&self.state, workspace_id, visitor_id, message.clone()).await;
            if let Some(conversation) = stored.assigned.as_ref().and_then(|row| row.to_wire().ok()) {
                publish::conversation_changed(&self.state, workspace_id, ConversationChange::Assigned, conversation)
                    .await;
            }
            // Sending a message ends "typing" without the client having to say so.
            self.typing_sent.remove(&conversation_id);
        }
        self.forward(ServerFrame::Message { message }).await
    }

    async fn typing(&mut self, conversation_id: Uuid, typing: bool, preview: Option<String>) -> Outcome {
        let visitor_id = match self.authorise(conversation_id).await {
            Ok(visitor_id) => visitor_id,
            Err(err) => return self.send_error(err, None).await,
        };
        let now = Instant::now();
        let throttled = self
            .typing_sent
            .get(&conversation_id)
            .is_some_and(|(at, was)| *was == typing && now.saturating_duration_since(*at) < limits::TYPING_THROTTLE);
        if throttled {
            return Ok(());
        }
        self.typing_sent.insert(conversation_id, (now, typing));
        // What a visitor types reaches agents only when their site opted in
        // (`typing_preview`); agents' previews are never forwarded.
        let preview = match (&self.peer, preview) {
            (Peer::Visitor { workspace_id, site_id, .. }, Some(text)) if typing => {
                let text: String = text.chars().filter(|c| !c.is_control()).take(limits::PREVIEW_CHARS).collect();
                let allowed = crate::sites::typing_preview(&self.state.store, *workspace_id, *site_id).await;
                allowed.then_some(text)
            }
            _ => None,
        };
        let frame = ServerFrame::Typing {
            conversation_id,
            from: self.me(),
            typing,
            preview,
            expires_in_ms: limits::TYPING_EXPIRES.as_millis() as u32,
        };
        // A visitor's own typing is only for the team; an agent's for the visitor too.
        let visitor = matches!(self.peer, Peer::Agent { .. }).then_some(visitor_id);
        publish::frame(&self.state, self.peer.workspace_id(), visitor, frame).await;
        Ok(())
    }

    async fn read(&mut self, conversation_id: Uuid, seq: i64) -> Outcome {
        let workspace_id = self.peer.workspace_id();
        let conversation = match self.peer {
            Peer::Visitor { visitor_id, .. } => {
                conversations::get_for_visitor(&self.state.store, workspace_id, visitor_id, conversation_id).await
            }
            Peer::Agent { .. } => conversations::get(&self.state.store, workspace_id, conversation_id).await,
        };
        let conversation = match conversation {
            Ok(conversation) => conversation,
            Err(err) => return self.send_error(err, None).await,
        };
        if !(1..=conversation.last_seq).contains(&seq) {
            let err = Error::invalid(
                "seq",
                format!("must be between 1 and the conversation's last seq ({})", conversation.last_seq),
            );
            return self.send_error(err, None).await;
        }
        let reader = self.me();
        match receipts::mark_read(&self.state.store, workspace_id, conversation_id, reader, seq).await {
            Ok(true) => {
                let frame = ServerFrame::Read { conversation_id, reader, seq };
                publish::frame(&self.state, workspace_id, Some(conversation.visitor_id), frame).await;
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(err) => self.send_error(err, None).await,
        }
    }

    async fn page(&mut self, url: &str, title: &str) -> Outcome {
        let Peer::Visitor { workspace_id, visitor_id, .. } = self.peer else {
            return self.send_error(Error::Forbidden("only visitors report pages".into()), None).await;
        };
        let page = match PageView::parse(url, title) {
            Ok(page) => page,
            Err(err) => return self.send_error(err, None).await,
        };
        match pages::record(&self.state.store, workspace_id, visitor_id, &page).await {
            Ok(at) => {
                let frame = ServerFrame::Page { visitor_id, url: page.url, title: page.title, at: at.to_utc() };
                publish::frame(&self.state, workspace_id, None, frame).await;
                Ok(())
            }
            Err(err) => self.send_error(err, None).await,
        }
    }

    async fn set_status(&mut self, status: AgentStatus) -> Outcome {
        let Peer::Agent { workspace_id, agent_id, .. } = self.peer else {
            return self.send_error(Error::Forbidden("only agents have a status".into()), None).await;
        };
        if let Err(err) = self.state.realtime.presence.set_status(workspace_id, agent_id, status).await {
            return self.send_error(err, None).await;
        }
        self.announce_status().await;
        Ok(())
    }
}

/// The `client_msg_id` of a frame that could not be handled, if it has one, so the
/// client can tell which of its messages the error is about.
fn send_id(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("client_msg_id")?.as_str().map(str::to_owned)
}
