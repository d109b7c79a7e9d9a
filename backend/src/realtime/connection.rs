//! One socket's life, in one task: `select!` over the client's frames, the bus, the
//! heartbeat and shutdown. Every frame is authorised against the caller's conversations
//! here, not only at the handshake.
//!
//! Sending happens inline with a timeout: a client that stops reading blocks its own task
//! only, its bus subscription then lags (the buffer is per topic, not per socket), and
//! the socket is closed with `SLOW_CONSUMER` for the client to resume later. Server
//! memory per socket stays bounded whatever the client does.

use std::{collections::HashMap, sync::OnceLock, time::Instant};

use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use openapi::{
    messages::{Message, MessageKind},
    realtime::{AgentStatus, ClientFrame, ConversationChange, Participant, ServerFrame, close},
};
use poem::web::websocket::{CloseCode, Message as WsMessage, WebSocketStream};
use uuid::Uuid;

use super::{
    bus::{Event, Interrupted, Subscription, Topic},
    delivery::{Deliveries, Live},
    feed::{FeedCursor, Live as FeedLive},
    handshake::Peer,
    limits::{self, RateLimiter},
    presence::{self, PRESENCE_TTL, Roster},
    publish,
};
use crate::{
    error::{ApiError, Error},
    messages::Audience,
    state::AppState,
};

type Sink = SplitSink<WebSocketStream, WsMessage>;

/// Gives `write` [`limits::SEND_TIMEOUT`] to finish, and says how the socket fares.
async fn written<E>(write: impl std::future::Future<Output = Result<(), E>>) -> Outcome {
    match tokio::time::timeout(limits::SEND_TIMEOUT, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Closing::new(1006, "")),
        Err(_) => Err(Closing::new(close::SLOW_CONSUMER, "not reading fast enough; reconnect and resume")),
    }
}

/// Why a socket ends; the close frame sent, if any.
pub(super) struct Closing {
    code: u16,
    reason: String,
}

impl Closing {
    pub(super) fn new(code: u16, reason: impl Into<String>) -> Self {
        Self { code, reason: reason.into() }
    }
}

/// What a step of the loop asks of it: go on, or close.
type Outcome = Result<(), Closing>;

/// How a client frame's handler ends when it does not simply succeed.
pub(super) enum Answer {
    /// The frame is refused with an `error` frame naming it; the socket goes on.
    Refuse(Error),
    /// The socket closes.
    Close(Closing),
}

/// What a client frame's handler returns (`?` works on domain errors and on sends).
pub(super) type Handled = Result<(), Answer>;

impl From<Error> for Answer {
    fn from(err: Error) -> Self {
        Self::Refuse(err)
    }
}

impl From<Closing> for Answer {
    fn from(closing: Closing) -> Self {
        Self::Close(closing)
    }
}

pub async fn run(state: AppState, peer: Peer, socket: WebSocketStream) {
    state.metrics.connections.inc();
    let (sink, mut inbound) = socket.split();
    let mut connection = Connection::new(state.clone(), peer, sink);
    let closing = connection.serve(&mut inbound).await;
    Box::pin(connection.finish(closing, &mut inbound)).await;
    state.metrics.connections.dec();
}

pub(super) struct Connection {
    pub(super) state: AppState,
    pub(super) peer: Peer,
    id: Uuid,
    sink: Sink,
    pub(super) deliveries: Deliveries,
    /// Where this socket is in the workspace feed, once an agent asked to follow it.
    pub(super) feed: Option<FeedCursor>,
    /// Conversation → its visitor, for conversations this peer was allowed to use.
    /// Ownership never changes, so one check per conversation per socket suffices.
    pub(super) allowed: HashMap<Uuid, Uuid>,
    limiter: RateLimiter,
    /// For `resume`, `feed` and `ping` (see [`limits::SYNC_BURST`]).
    sync_limiter: RateLimiter,
    refused_in_a_row: u32,
    /// When typing was last forwarded per conversation, and whether it was "typing".
    pub(super) typing_sent: HashMap<Uuid, (Instant, bool)>,
    last_inbound: Instant,
    last_credential_check: Instant,
    /// While true, frames are queued on the socket instead of written one by one; see
    /// [`Connection::on_events`].
    holding_writes: bool,
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
            feed: None,
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
            holding_writes: false,
        }
    }

    pub(super) fn me(&self) -> Participant {
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
        if let Err(closing) = Box::pin(self.arrive()).await {
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
            // Each handler is boxed: only the handler running now takes memory, instead of
            // every idle socket reserving room for the largest one (sending a message goes
            // through the store and is kilobytes deep).
            let outcome = tokio::select! {
                frame = inbound.next() => match frame {
                    Some(Ok(frame)) => Box::pin(self.on_inbound(frame)).await,
                    Some(Err(err)) if err.to_string().contains("too long") => Err(Closing::new(
                        close::TOO_BIG,
                        format!("frames are limited to {} bytes", limits::MAX_FRAME_BYTES),
                    )),
                    // The peer vanished: nothing to say to it.
                    Some(Err(_)) | None => return Closing::new(1006, ""),
                },
                event = subscription.recv() => Box::pin(self.on_events(event, &mut subscription)).await,
                _ = heartbeat.tick() => Box::pin(self.on_heartbeat()).await,
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

    pub(super) async fn announce_status(&self) {
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

    pub(super) async fn send(&mut self, frame: &ServerFrame) -> Outcome {
        let text = serde_json::to_string(frame).map_err(|_| Closing::new(1011, "internal error"))?;
        self.send_raw(WsMessage::Text(text)).await
    }

    /// Writes one WebSocket message (or queues it, see [`Connection::on_events`]), giving
    /// up on a client that does not take it in time.
    async fn send_raw(&mut self, message: WsMessage) -> Outcome {
        if self.holding_writes {
            written(self.sink.feed(message)).await
        } else {
            written(self.sink.send(message)).await
        }
    }

    /// Handles `first` and the bus events already waiting behind it, then writes the
    /// frames they produced at once. A committed batch reaches an agent's socket as
    /// dozens of events in a row; one write for all their frames costs the kernel (and
    /// the client) about what one frame did. Nothing waits for more events to come: an
    /// event alone is written as soon as it is handled.
    async fn on_events(
        &mut self,
        first: Result<std::sync::Arc<Event>, Interrupted>,
        subscription: &mut Subscription,
    ) -> Outcome {
        self.holding_writes = true;
        let mut handled = self.on_event(first, subscription).await;
        let mut count = 1;
        while handled.is_ok() && count < limits::EVENTS_PER_WRITE {
            let Some(next) = subscription.try_recv() else { break };
            handled = self.on_event(next, subscription).await;
            count += 1;
        }
        self.holding_writes = false;
        // On an error the socket closes; its close frame goes out after what is queued.
        handled?;
        written(self.sink.flush()).await
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
            // Events were skipped while this socket was busy (a long replay, a burst on a
            // busy workspace): what matters of them is in the database, so catch up from
            // there instead of cutting the client off. Only a client that does not read
            // at all is closed (a send that times out).
            Err(Interrupted::Lagged) => return self.catch_up().await,
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
            (Event::Frame { frame, text }, _) => self.forward(frame, text).await,
            _ => Ok(()),
        }
    }

    /// Passes a bus frame on, through delivery bookkeeping for messages. `text` is the
    /// frame's JSON shared by every connection of this node (written by the first).
    async fn forward(&mut self, frame: &ServerFrame, text: &OnceLock<String>) -> Outcome {
        let me = self.me();
        match frame {
            ServerFrame::Message { message } => {
                let missing = match self.deliveries.live(&self.state.store, message).await {
                    Ok(Live::Skip) => return Ok(()),
                    Ok(Live::Next) => Vec::new(),
                    Ok(Live::AfterGap(missing)) => missing,
                    Err(err) => {
                        tracing::error!(error = %err, "filling a delivery gap failed");
                        return Err(Closing::new(1011, "could not read messages; reconnect and resume"));
                    }
                };
                for message in missing {
                    self.send(&ServerFrame::Message { message }).await?;
                }
                self.send_shared(frame, text).await
            }
            ServerFrame::Conversation { change, conversation } => {
                let Some(feed) = &mut self.feed else {
                    // Previews are for sockets that follow the feed; others follow the
                    // messages of what they resumed.
                    if *change == ConversationChange::MessageAdded {
                        return Ok(());
                    }
                    return self.send_shared(frame, text).await;
                };
                let missing = match feed.live(&self.state.store, conversation.feed_seq).await {
                    Ok(FeedLive::Skip) => return Ok(()),
                    Ok(FeedLive::Next) => Vec::new(),
                    Ok(FeedLive::AfterGap(missing)) => missing,
                    Err(err) => {
                        tracing::error!(error = %err, "filling a feed gap failed");
                        return Err(Closing::new(1011, "could not read the feed; reconnect and follow it again"));
                    }
                };
                for conversation in missing {
                    self.send(&ServerFrame::Conversation { change: ConversationChange::Updated, conversation }).await?;
                }
                self.send_shared(frame, text).await
            }
            ServerFrame::Typing { from, .. } | ServerFrame::Read { reader: from, .. } if *from == me => Ok(()),
            other => self.send_shared(other, text).await,
        }
    }

    /// After lost events: every resumed conversation's messages after what was sent, and
    /// the feed after its cursor, read from the database.
    async fn catch_up(&mut self) -> Outcome {
        self.state.metrics.socket_catch_ups.inc();
        let store = self.state.store.clone();
        for (conversation_id, sent) in self.deliveries.resumed() {
            let mut last = sent;
            loop {
                let page = match self.deliveries.replay_page(&store, conversation_id, last, limits::REPLAY_PAGE).await {
                    Ok(page) => page,
                    Err(err) => {
                        tracing::error!(error = %err, "catching up a conversation failed");
                        return Err(Closing::new(1011, "could not read messages; reconnect and resume"));
                    }
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
        }
        while let Some(feed) = &mut self.feed {
            let page = match feed.next_page(&store).await {
                Ok(page) => page,
                Err(err) => {
                    tracing::error!(error = %err, "catching up the feed failed");
                    return Err(Closing::new(1011, "could not read the feed; reconnect and follow it again"));
                }
            };
            if page.is_empty() {
                break;
            }
            for conversation in page {
                self.send(&ServerFrame::Conversation { change: ConversationChange::Updated, conversation }).await?;
            }
        }
        Ok(())
    }

    /// A message this socket itself stored: shown through the same bookkeeping as any.
    pub(super) async fn forward_message(&mut self, message: Message) -> Outcome {
        self.forward(&ServerFrame::Message { message }, &OnceLock::new()).await
    }

    async fn send_shared(&mut self, frame: &ServerFrame, text: &OnceLock<String>) -> Outcome {
        let text = text.get_or_init(|| serde_json::to_string(frame).unwrap_or_default());
        if text.is_empty() {
            return Err(Closing::new(1011, "internal error"));
        }
        self.send_raw(WsMessage::Text(text.clone())).await
    }

    async fn on_inbound(&mut self, frame: WsMessage) -> Outcome {
        self.last_inbound = Instant::now();
        let text = match frame {
            WsMessage::Text(text) => text,
            WsMessage::Binary(_) => {
                let refusal = Refusal::new("unsupported_frame", "frames are JSON text; binary frames are not accepted");
                return self.refuse(refusal, "").await;
            }
            WsMessage::Close(_) => return Err(Closing::new(1000, "bye")),
            // Pongs (and the pings tungstenite answers itself) only prove liveness.
            WsMessage::Ping(_) | WsMessage::Pong(_) => return Ok(()),
        };
        let frame: Result<ClientFrame, _> = serde_json::from_str(&text);
        // Malformed frames count against the general bucket, like `send`.
        let (limiter, per_second, kind) = match frame {
            Ok(ClientFrame::Resume { .. } | ClientFrame::Ping | ClientFrame::Feed { .. }) => {
                (&mut self.sync_limiter, limits::SYNCS_PER_SECOND, "resume, feed and ping frames")
            }
            _ => (&mut self.limiter, limits::FRAMES_PER_SECOND, "frames"),
        };
        if let Err(wait) = limiter.check(Instant::now()) {
            self.refused_in_a_row += 1;
            if self.refused_in_a_row > limits::MAX_REFUSED_IN_A_ROW {
                return Err(Closing::new(close::POLICY, "kept sending while rate limited"));
            }
            let mut refusal = Refusal::new(
                "rate_limited",
                format!("more than {per_second} {kind} per second; this frame was dropped, send it again later"),
            );
            refusal.retry_after_ms = Some(wait.as_millis().clamp(1, u128::from(u32::MAX)) as u32);
            return self.refuse(refusal, &text).await;
        }
        self.refused_in_a_row = 0;
        let frame = match frame {
            Ok(frame) => frame,
            Err(err) => {
                return self.refuse(Refusal::new("malformed_frame", format!("not a valid frame: {err}")), &text).await;
            }
        };
        let handled = match frame {
            ClientFrame::Ping => self.send(&ServerFrame::Pong).await.map_err(Answer::Close),
            ClientFrame::Resume { conversation_id, after_seq } => self.resume(conversation_id, after_seq).await,
            ClientFrame::Feed { after } => self.follow_feed(after).await,
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
        };
        match handled {
            Ok(()) => Ok(()),
            Err(Answer::Close(closing)) => Err(closing),
            Err(Answer::Refuse(err)) => {
                let body = ApiError::from(err).into_body();
                self.refuse(Refusal::new(&body.code, body.message), &text).await
            }
        }
    }

    /// Answers a refused frame with an `error` naming it: the `client_msg_id`,
    /// `conversation_id` and `ref` it carried (read again from its text: only refused
    /// frames pay for that).
    async fn refuse(&mut self, refusal: Refusal, text: &str) -> Outcome {
        let named: Named = serde_json::from_str(text).unwrap_or_default();
        let reference = named.reference.filter(|reference| reference.chars().count() <= limits::MAX_REF_CHARS);
        let frame = ServerFrame::Error {
            code: refusal.code,
            message: refusal.message,
            client_msg_id: named.client_msg_id,
            conversation_id: named.conversation_id,
            reference,
            retry_after_ms: refusal.retry_after_ms,
        };
        self.send(&frame).await
    }
}

/// What an `error` frame says.
struct Refusal {
    code: String,
    message: String,
    retry_after_ms: Option<u32>,
}

impl Refusal {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into(), retry_after_ms: None }
    }
}

/// What a client frame names, whatever its type (and even when it is not valid).
#[derive(Default, serde::Deserialize)]
struct Named {
    client_msg_id: Option<String>,
    conversation_id: Option<Uuid>,
    #[serde(rename = "ref")]
    reference: Option<String>,
}
