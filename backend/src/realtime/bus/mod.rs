//! The bus: events between connections, on one node or across nodes.
//!
//! Publishers put an [`Event`] on a [`Topic`]; every live [`Subscription`] to that topic,
//! on any node, receives it. The bus is *not* the source of truth: messages are stored
//! before they are published, and a connection that misses bus traffic (lag, a node's
//! Redis link dropping) is closed so its client resumes from the database. That is why
//! the bus may be fire-and-forget.
//!
//! - [`local`]: in-process fan-out (the default, one node).
//! - [`redis`]: Redis pub/sub between nodes, with local fan-out on each node.

pub mod local;
pub mod redis;

use std::{
    fmt,
    sync::{Arc, OnceLock},
};

use futures_util::future::BoxFuture;
use openapi::realtime::ServerFrame;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::Result;

pub use self::{local::LocalBus, redis::RedisBus};

/// Where an event goes. Each kind of connection subscribes only to topics its caller may
/// read, so isolation is decided at subscription, not per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Topic {
    /// Everything the agents of a workspace see (all its conversations, notes included).
    Workspace(Uuid),
    /// What one visitor sees (their conversations, never notes).
    Visitor(Uuid),
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Workspace(id) => write!(f, "workspace.{id}"),
            Self::Visitor(id) => write!(f, "visitor.{id}"),
        }
    }
}

impl Topic {
    /// Events a topic buffers for its slowest local subscriber before that subscriber is
    /// told it lagged (its connection then closes and the client resumes). The buffer is
    /// allocated up front and shared by the topic's subscribers: a visitor's topic carries
    /// one person's chat, a workspace's carries every chat of the team.
    pub fn capacity(self) -> usize {
        match self {
            Self::Workspace(_) => TOPIC_CAPACITY,
            // Allocated for every visitor socket, so kept small: a visitor's topic
            // carries one person's chat, which a socket that reads at all keeps up with.
            Self::Visitor(_) => 32,
        }
    }

    /// The inverse of `Display`, for events read back from Redis channel names.
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, id) = text.split_once('.')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "workspace" => Some(Self::Workspace(id)),
            "visitor" => Some(Self::Visitor(id)),
            _ => None,
        }
    }
}

/// What travels on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A frame to forward to every subscribed connection (messages, typing, receipts…).
    Frame {
        /// Boxed: a conversation frame is ten times the size of the other events.
        frame: Box<ServerFrame>,
        /// The frame as JSON, written once per node by the first connection that sends
        /// it, not once per connection.
        #[serde(skip)]
        text: OnceLock<String>,
    },
    /// An agent session ended (sign-out): its sockets close.
    SessionEnded { session_id: Uuid },
    /// An agent was deactivated: all their sockets close.
    AgentDeactivated { agent_id: Uuid },
    /// A visitor's token was revoked: their sockets close.
    VisitorRevoked { visitor_id: Uuid },
}

impl Event {
    pub fn frame(frame: ServerFrame) -> Self {
        Self::Frame { frame: Box::new(frame), text: OnceLock::new() }
    }
}

/// The buffer of a workspace topic (see [`Topic::capacity`]).
pub const TOPIC_CAPACITY: usize = 1024;

/// Carries events between connections.
pub trait Bus: Send + Sync + 'static {
    /// Delivers `event` to every current subscriber of `topic`, on every node.
    fn publish(&self, topic: Topic, event: Event) -> BoxFuture<'_, Result<()>>;

    /// Starts receiving `topic`. When this resolves, every event published afterwards
    /// (from any node) will be received: callers rely on that to read the database
    /// *after* subscribing and miss nothing in between.
    fn subscribe(&self, topic: Topic) -> BoxFuture<'_, Result<Subscription>>;
}

/// Receives one topic's events until dropped.
pub struct Subscription {
    topic: Topic,
    receiver: broadcast::Receiver<Arc<Event>>,
    /// Runs when the subscription is dropped (e.g. to unsubscribe from Redis when the last
    /// local subscriber leaves).
    on_drop: Option<Box<dyn FnOnce() + Send + Sync>>,
}

/// Why a subscription stopped delivering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupted {
    /// The subscriber fell more than [`TOPIC_CAPACITY`] events behind; some were skipped.
    Lagged,
    /// The bus closed the topic (shutdown, or the link between nodes broke); events may
    /// have been missed.
    Closed,
}

impl Subscription {
    pub fn new(
        topic: Topic,
        receiver: broadcast::Receiver<Arc<Event>>,
        on_drop: Option<Box<dyn FnOnce() + Send + Sync>>,
    ) -> Self {
        Self { topic, receiver, on_drop }
    }

    pub fn topic(&self) -> Topic {
        self.topic
    }

    /// The next event, or why there will be no reliable next event.
    pub async fn recv(&mut self) -> Result<Arc<Event>, Interrupted> {
        match self.receiver.recv().await {
            Ok(event) => Ok(event),
            Err(broadcast::error::RecvError::Lagged(_)) => Err(Interrupted::Lagged),
            Err(broadcast::error::RecvError::Closed) => Err(Interrupted::Closed),
        }
    }

    /// The next event if one is already waiting, without waiting for one.
    pub fn try_recv(&mut self) -> Option<Result<Arc<Event>, Interrupted>> {
        match self.receiver.try_recv() {
            Ok(event) => Some(Ok(event)),
            Err(broadcast::error::TryRecvError::Empty) => None,
            Err(broadcast::error::TryRecvError::Lagged(_)) => Some(Err(Interrupted::Lagged)),
            Err(broadcast::error::TryRecvError::Closed) => Some(Err(Interrupted::Closed)),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(on_drop) = self.on_drop.take() {
            on_drop();
        }
    }
}
