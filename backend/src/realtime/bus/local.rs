//! In-process fan-out: one broadcast channel per topic with at least one subscriber.
//!
//! [`Hub`] is also the local half of the Redis bus: Redis carries an event to each node
//! once, and the node's hub hands it to that node's subscribers.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use futures_util::{FutureExt, future::BoxFuture};
use tokio::sync::broadcast;

use super::{Bus, Event, Subscription, Topic};
use crate::error::Result;

/// Topics with local subscribers.
#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<Topic, Channel>>,
    /// Tells channels apart across [`Hub::close_all`], so a subscription of a closed
    /// channel leaving later does not count against its topic's new channel.
    next_generation: std::sync::atomic::AtomicU64,
    /// A workspace topic's buffer, when not [`Topic::capacity`]'s
    /// (`RAPPORT_WORKSPACE_EVENT_BUFFER`).
    workspace_buffer: Option<usize>,
}

struct Channel {
    sender: broadcast::Sender<Arc<Event>>,
    /// Live [`Subscription`]s; counted here rather than with `receiver_count` because a
    /// subscription's drop hook runs while its receiver still exists.
    subscribers: usize,
    generation: u64,
}

/// What [`Hub::join`] did.
pub struct Joined {
    pub receiver: broadcast::Receiver<Arc<Event>>,
    /// True when this is the topic's first local subscriber (the Redis bus then
    /// subscribes the node to the topic's channel).
    pub first: bool,
    /// Pass back to [`Hub::leave`].
    pub generation: u64,
}

impl Hub {
    /// A hub whose workspace topics buffer `workspace_buffer` events.
    pub fn with_workspace_buffer(workspace_buffer: usize) -> Self {
        Self { workspace_buffer: Some(workspace_buffer.max(1)), ..Self::default() }
    }

    fn capacity(&self, topic: Topic) -> usize {
        match (topic, self.workspace_buffer) {
            (Topic::Workspace(_), Some(buffer)) => buffer,
            _ => topic.capacity(),
        }
    }

    pub fn join(&self, topic: Topic) -> Joined {
        let mut topics = self.topics.lock().expect("hub lock");
        let channel = topics.entry(topic).or_insert_with(|| Channel {
            sender: broadcast::channel(self.capacity(topic)).0,
            subscribers: 0,
            generation: self.next_generation.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        });
        channel.subscribers += 1;
        Joined { receiver: channel.sender.subscribe(), first: channel.subscribers == 1, generation: channel.generation }
    }

    /// Forgets one subscriber; true when it was the topic's last.
    pub fn leave(&self, topic: Topic, generation: u64) -> bool {
        let mut topics = self.topics.lock().expect("hub lock");
        let Some(channel) = topics.get_mut(&topic).filter(|channel| channel.generation == generation) else {
            return false;
        };
        channel.subscribers -= 1;
        if channel.subscribers == 0 {
            topics.remove(&topic);
            true
        } else {
            false
        }
    }

    /// Hands `event` to this node's subscribers of `topic`, if any.
    pub fn dispatch(&self, topic: Topic, event: Arc<Event>) {
        let topics = self.topics.lock().expect("hub lock");
        if let Some(channel) = topics.get(&topic) {
            // An error only means nobody is listening at this instant.
            let _ = channel.sender.send(event);
        }
    }

    /// Ends every subscription: their `recv` reports [`super::Interrupted::Closed`].
    pub fn close_all(&self) {
        self.topics.lock().expect("hub lock").clear();
    }

    /// Topics with local subscribers.
    pub fn topics(&self) -> Vec<Topic> {
        self.topics.lock().expect("hub lock").keys().copied().collect()
    }
}

/// The default bus: subscribers on this node only.
#[derive(Clone, Default)]
pub struct LocalBus {
    hub: Arc<Hub>,
}

impl LocalBus {
    pub fn new() -> Self {
        Self::default()
    }

    /// [`LocalBus::new`] with workspace topics buffering `workspace_buffer` events.
    pub fn with_workspace_buffer(workspace_buffer: usize) -> Self {
        Self { hub: Arc::new(Hub::with_workspace_buffer(workspace_buffer)) }
    }
}

impl Bus for LocalBus {
    fn publish(&self, topic: Topic, event: Event) -> BoxFuture<'_, Result<()>> {
        self.hub.dispatch(topic, Arc::new(event));
        async { Ok(()) }.boxed()
    }

    fn subscribe(&self, topic: Topic) -> BoxFuture<'_, Result<Subscription>> {
        let joined = self.hub.join(topic);
        let hub = self.hub.clone();
        let generation = joined.generation;
        let on_drop = Box::new(move || {
            hub.leave(topic, generation);
        });
        async move { Ok(Subscription::new(topic, joined.receiver, Some(on_drop))) }.boxed()
    }
}
