//! Redis pub/sub between nodes, with local fan-out on each node.
//!
//! Each node holds one pub/sub connection, owned by a background task (the [`Link`]),
//! subscribed to the channel of every topic that has subscribers on this node; the node's
//! [`Hub`] hands each event to them. Publishing goes over a separate ordinary connection
//! and is *not* dispatched locally: a node's own events come back from Redis like any
//! other node's, so every node sees one order per topic.
//!
//! When the pub/sub connection breaks, events may have been lost, so every local
//! subscription is closed (clients resume from the database) and the link reconnects
//! with backoff.

use std::{collections::HashSet, sync::Arc, time::Duration};

use futures_util::{FutureExt, StreamExt, future::BoxFuture};
use redis::{
    Client, Msg,
    aio::{ConnectionManager, PubSub, PubSubSink, PubSubStream},
};
use tokio::sync::{mpsc, oneshot};

use super::{Bus, Event, Subscription, Topic, local::Hub};
use crate::error::{Error, Result};

/// Longest wait for a connection, a `SUBSCRIBE` confirmation or a heartbeat answer before
/// the pub/sub link counts as broken (a half-open TCP connection never reports an error).
const LINK_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the idle pub/sub link is pinged, so a silently dead connection is noticed.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// First wait before reconnecting a broken link; doubles up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// The bus of a multi-node deployment. Cheap to clone; clones share one link.
#[derive(Clone)]
pub struct RedisBus {
    /// This node's subscribers, fed by the link.
    hub: Arc<Hub>,
    /// Ordinary connection for `PUBLISH`; reconnects on its own.
    publisher: ConnectionManager,
    /// Requests to the link task, which alone touches the pub/sub connection.
    link: mpsc::UnboundedSender<Align>,
    /// Namespaces channel names, so several deployments (or test runs) can share a Redis.
    prefix: Arc<str>,
}

/// Asks the link to bring the Redis subscription of `topic` in line with the hub: subscribed
/// while the topic has local subscribers, unsubscribed once it has none.
///
/// Sent after every join and every last leave. Because the link handles requests one at a
/// time and reads the hub's *current* state rather than trusting the request, a leave
/// racing a join can never unsubscribe a topic that still has a subscriber.
struct Align {
    topic: Topic,
    /// Answered once Redis confirmed the subscription (for a subscriber waiting to start).
    done: Option<oneshot::Sender<Result<()>>>,
}

impl RedisBus {
    /// Connects both connections (failing fast if Redis is unreachable at start-up) and
    /// starts the link task. Channels are named `{prefix}{topic}`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        Self::connect_with(url, prefix, Hub::default()).await
    }

    /// [`RedisBus::connect`] with this node's hub (e.g. its workspace buffer size).
    pub async fn connect_with(url: &str, prefix: &str, hub: Hub) -> Result<Self> {
        let client =
            Client::open(url).map_err(|error| Error::Internal(format!("invalid Redis URL for the bus: {error}")))?;
        let publisher = ConnectionManager::new(client.clone())
            .await
            .map_err(|error| Error::Internal(format!("connecting the bus publisher to Redis: {error}")))?;
        let pubsub = open_pubsub(&client)
            .await
            .map_err(|error| Error::Internal(format!("connecting the bus subscriber to Redis: {error}")))?;
        let hub = Arc::new(hub);
        let prefix: Arc<str> = prefix.into();
        let (link, requests) = mpsc::unbounded_channel();
        let task = Link { client, hub: hub.clone(), prefix: prefix.clone(), requests };
        tokio::spawn(task.run(pubsub));
        Ok(Self { hub, publisher, link, prefix })
    }
}

impl Bus for RedisBus {
    fn publish(&self, topic: Topic, event: Event) -> BoxFuture<'_, Result<()>> {
        let channel = channel_name(&self.prefix, topic);
        let mut publisher = self.publisher.clone();
        async move {
            let payload = serde_json::to_vec(&event)
                .map_err(|error| Error::Internal(format!("encoding an event for {channel}: {error}")))?;
            redis::cmd("PUBLISH")
                .arg(&channel)
                .arg(payload)
                .query_async::<i64>(&mut publisher)
                .await
                .map_err(|error| Error::Internal(format!("publishing to Redis channel {channel}: {error}")))?;
            Ok(())
        }
        .boxed()
    }

    fn subscribe(&self, topic: Topic) -> BoxFuture<'_, Result<Subscription>> {
        let joined = self.hub.join(topic);
        let (hub, link, generation) = (self.hub.clone(), self.link.clone(), joined.generation);
        let on_drop = Box::new(move || {
            if hub.leave(topic, generation) {
                // Fails only when the link task is gone, and then there is nothing to undo.
                let _ = link.send(Align { topic, done: None });
            }
        });
        // Built before waiting, so a failed or abandoned subscribe still leaves the hub.
        let subscription = Subscription::new(topic, joined.receiver, Some(on_drop));
        let (done, confirmed) = oneshot::channel();
        let sent = self.link.send(Align { topic, done: Some(done) });
        async move {
            if sent.is_err() {
                return Err(Error::Internal("the Redis bus link has stopped".into()));
            }
            match confirmed.await {
                Ok(Ok(())) => Ok(subscription),
                Ok(Err(error)) => Err(error),
                Err(_) => Err(Error::Internal("the Redis bus link has stopped".into())),
            }
        }
        .boxed()
    }
}

fn channel_name(prefix: &str, topic: Topic) -> String {
    format!("{prefix}{topic}")
}

async fn open_pubsub(client: &Client) -> redis::RedisResult<PubSub> {
    match tokio::time::timeout(LINK_TIMEOUT, client.get_async_pubsub()).await {
        Ok(result) => result,
        Err(_) => Err(redis::RedisError::from(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer from Redis in time",
        ))),
    }
}

/// The background task that owns the node's pub/sub connection.
struct Link {
    /// To reconnect after the connection breaks.
    client: Client,
    hub: Arc<Hub>,
    prefix: Arc<str>,
    requests: mpsc::UnboundedReceiver<Align>,
}

/// Why [`Link::serve`] returned.
enum Ended {
    /// Every `RedisBus` clone and every subscription is gone: nothing left to serve.
    Unused,
    /// The connection failed (the text says how); events may have been lost.
    Broken(String),
}

impl Link {
    async fn run(mut self, mut pubsub: PubSub) {
        loop {
            let (sink, stream) = pubsub.split();
            match self.serve(sink, stream).await {
                Ended::Unused => return,
                Ended::Broken(reason) => {
                    tracing::warn!(%reason, "Redis pub/sub link broke; closing this node's subscriptions so clients resume");
                    self.hub.close_all();
                }
            }
            pubsub = match self.reconnect().await {
                Some(pubsub) => pubsub,
                None => return,
            };
        }
    }

    /// Delivers messages and handles requests until the connection breaks.
    async fn serve(&mut self, mut sink: PubSubSink, mut stream: PubSubStream) -> Ended {
        // What this connection is subscribed to (a fresh connection: nothing).
        let mut subscribed = HashSet::new();
        let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => self.deliver(&message),
                    None => return Ended::Broken("the connection closed".into()),
                },
                request = self.requests.recv() => match request {
                    Some(request) => {
                        if let Err(reason) = self.align(&mut sink, &mut subscribed, request).await {
                            return Ended::Broken(reason);
                        }
                    }
                    None => return Ended::Unused,
                },
                _ = heartbeat.tick() => {
                    match tokio::time::timeout(LINK_TIMEOUT, sink.ping::<redis::Value>()).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(error)) => return Ended::Broken(format!("heartbeat failed: {error}")),
                        Err(_) => return Ended::Broken("no heartbeat answer in time".into()),
                    }
                }
            }
        }
    }

    /// Hands one message to this node's subscribers. Anything unreadable is skipped: one
    /// bad publisher must not take the node's bus down.
    fn deliver(&self, message: &Msg) {
        let channel = message.get_channel_name();
        let Some(topic) = channel.strip_prefix(&*self.prefix).and_then(Topic::parse) else {
            tracing::warn!(channel, "skipping a Redis message on a channel that is not a topic");
            return;
        };
        match serde_json::from_slice::<Event>(message.get_payload_bytes()) {
            Ok(event) => self.hub.dispatch(topic, Arc::new(event)),
            Err(error) => tracing::warn!(channel, %error, "skipping an unreadable event"),
        }
    }

    /// Handles one [`Align`]. An error means the connection can no longer be trusted.
    async fn align(
        &self,
        sink: &mut PubSubSink,
        subscribed: &mut HashSet<Topic>,
        Align { topic, done }: Align,
    ) -> Result<(), String> {
        // Linear in this node's topics; requests come at connection rate, not event rate.
        let wanted = self.hub.topics().contains(&topic);
        let channel = channel_name(&self.prefix, topic);
        let outcome = if wanted && !subscribed.contains(&topic) {
            let outcome = tokio::time::timeout(LINK_TIMEOUT, sink.subscribe(&channel)).await;
            if matches!(outcome, Ok(Ok(()))) {
                subscribed.insert(topic);
            }
            outcome
        } else if !wanted && subscribed.contains(&topic) {
            let outcome = tokio::time::timeout(LINK_TIMEOUT, sink.unsubscribe(&channel)).await;
            if matches!(outcome, Ok(Ok(()))) {
                subscribed.remove(&topic);
            }
            outcome
        } else {
            Ok(Ok(()))
        };
        let (answer, verdict) = match outcome {
            Ok(Ok(())) => (Ok(()), Ok(())),
            // Redis refused the command (e.g. an ACL): the connection itself is fine.
            Ok(Err(error)) if matches!(error.kind(), redis::ErrorKind::Server(_)) => {
                (Err(format!("Redis refused to (un)subscribe {channel}: {error}")), Ok(()))
            }
            Ok(Err(error)) => {
                let reason = format!("(un)subscribing {channel} failed: {error}");
                (Err(reason.clone()), Err(reason))
            }
            Err(_) => {
                let reason = format!("no confirmation for (un)subscribing {channel} in time");
                (Err(reason.clone()), Err(reason))
            }
        };
        if let Some(done) = done {
            // The subscriber may have given up waiting; its drop already sent a new request.
            let _ = done.send(answer.map_err(Error::Internal));
        }
        verdict
    }

    /// Opens a new connection, with growing pauses, refusing subscriptions meanwhile (a
    /// subscriber waiting on a dead link would hold its client with no events). `None` when
    /// the bus is no longer used.
    async fn reconnect(&mut self) -> Option<PubSub> {
        let mut backoff = MIN_BACKOFF;
        loop {
            let pause = tokio::time::sleep(backoff);
            tokio::pin!(pause);
            loop {
                tokio::select! {
                    _ = &mut pause => break,
                    request = self.requests.recv() => match request {
                        Some(Align { done: Some(done), .. }) => {
                            let _ = done.send(Err(Error::Internal("the Redis bus link is reconnecting".into())));
                        }
                        // A leave: nothing is subscribed on a link that is down.
                        Some(Align { done: None, .. }) => {}
                        None => return None,
                    },
                }
            }
            match open_pubsub(&self.client).await {
                Ok(pubsub) => {
                    tracing::info!("Redis pub/sub link restored");
                    return Some(pubsub);
                }
                Err(error) => {
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    tracing::warn!(%error, retry_in = ?backoff, "reconnecting the Redis pub/sub link failed");
                }
            }
        }
    }
}
