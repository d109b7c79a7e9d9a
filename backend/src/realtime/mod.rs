//! Real-time channels: the delivering half of the delivery contract.
//!
//! - [`bus`]: events between connections and nodes (in-process or Redis pub/sub).
//! - [`presence`]: who is online (in-process or Redis, TTL-refreshed).
//! - [`handshake`]: `/ws/visitor` and `/ws/agent`: who may connect, before any data flows.
//! - [`connection`]: one socket's life: heartbeats, limits, frames in and out.
//! - [`delivery`]: per-conversation replay and the gapless switch to live messages.
//! - [`feed`]: the same for the workspace feed an agent follows.
//! - `inbound`: what a socket does with each client frame.
//! - [`limits`]: rate limiting and the sizes the server enforces.
//! - [`publish`]: what the rest of the server calls when something happens.
//! - [`receipts`] and [`pages`]: read cursors and the visitor's current page.
//! - [`sockets`]: how many sockets this node holds, and how many it may.
//! - [`api`]: `GET /presence` over REST.

pub mod api;
pub mod bus;
pub mod connection;
pub mod delivery;
pub mod feed;
pub mod handshake;
mod inbound;
pub mod limits;
pub mod pages;
pub mod presence;
pub mod publish;
pub mod receipts;
pub mod sockets;

use std::sync::Arc;

use anyhow::Context;
use tokio::sync::watch;
use uuid::Uuid;

use self::{
    bus::{Bus, LocalBus, RedisBus},
    presence::{LocalPresence, PresenceStore, RedisPresence},
    sockets::Sockets,
};
use crate::config::Settings;

/// The node's real-time machinery, shared by every connection.
#[derive(Clone)]
pub struct Realtime {
    /// Identifies this process in acks and `hello`, so a client (or an operator reading
    /// logs) can tell which node stored a message.
    pub node_id: Uuid,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn PresenceStore>,
    /// This node's open sockets: capped below the open-files limit, waited for at shutdown.
    pub sockets: Arc<Sockets>,
    /// Flips to true when the server shuts down: connections close with 1001 so clients
    /// reconnect (to another node, or to this one once restarted) and resume.
    shutdown: watch::Sender<bool>,
}

impl Realtime {
    /// In-process bus and presence, or Redis ones when `RAPPORT_REDIS_URL` is set.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let (bus, presence): (Arc<dyn Bus>, Arc<dyn PresenceStore>) = match &settings.redis_url {
            None => (
                Arc::new(LocalBus::with_workspace_buffer(settings.workspace_event_buffer)),
                Arc::new(LocalPresence::new()),
            ),
            Some(url) => {
                let hub = bus::local::Hub::with_workspace_buffer(settings.workspace_event_buffer);
                let bus = RedisBus::connect_with(url.expose(), &settings.redis_prefix, hub)
                    .await
                    .context("connecting the Redis bus")?;
                let presence = RedisPresence::connect(url.expose(), &settings.redis_prefix)
                    .await
                    .context("connecting Redis presence")?;
                (Arc::new(bus), Arc::new(presence))
            }
        };
        let sockets = Arc::new(Sockets::within_file_limit());
        Ok(Self { node_id: Uuid::now_v7(), bus, presence, sockets, shutdown: watch::channel(false).0 })
    }

    /// Asks every connection of this node to close.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}
