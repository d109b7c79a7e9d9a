//! What a transaction changed, and the one place its consequences are dispatched from.
//!
//! Code that changes something inside a write transaction records a [`Change`] on it
//! ([`crate::store::Tx::record`]), next to the webhook and mail outbox rows it writes in the
//! same transaction. When the transaction commits, its changes go to this node's
//! dispatcher, which tells the sockets (through the bus), nudges routing and counts. A
//! transaction that rolls back announces nothing. So every way of storing a message or
//! changing a conversation — socket, REST, widget, inbound mail, offline form, routing —
//! has the same consequences, and a new consequence is added here, once.
//!
//! The bus is a doorbell, not the record: a socket that misses an event (another node's
//! link dropped it) catches up from the database, where every dispatched change already is.

use openapi::{
    conversations::{Conversation, ConversationStatus},
    messages::{Message, MessageKind},
    realtime::{ConversationChange, ServerFrame},
};
use tokio::{sync::mpsc, task::JoinHandle};
use uuid::Uuid;

use crate::{
    realtime::bus::{Event, Topic},
    state::AppState,
};

/// Something a committed transaction did that others must hear of.
#[derive(Debug, Clone)]
pub enum Change {
    /// A message was stored (never for a retried `client_msg_id`).
    MessageStored { workspace_id: Uuid, visitor_id: Uuid, message: Message },
    /// A conversation was created or changed; `conversation` is how it is now.
    ConversationChanged { workspace_id: Uuid, change: ConversationChange, conversation: Conversation },
}

impl Change {
    fn conversation_id(&self) -> Option<Uuid> {
        match self {
            Self::ConversationChanged { conversation, .. } => Some(conversation.id),
            Self::MessageStored { .. } => None,
        }
    }

    /// Folds a later change of the same conversation in the same transaction into this
    /// one: a transaction announces each conversation once (one feed position, one
    /// frame), in its final state, as the most telling kind of change it underwent.
    fn absorb(&mut self, later: Change) {
        if let (
            Self::ConversationChanged { change, conversation, .. },
            Self::ConversationChanged { change: later_change, conversation: mut latest, .. },
        ) = (&mut *self, later)
        {
            if strength(later_change) > strength(*change) {
                *change = later_change;
            }
            if latest.last_message.is_none() {
                latest.last_message = conversation.last_message.take();
            }
            // A copy taken before the transaction gave the conversation its feed
            // position (a new conversation announced as its first message left it) must
            // not take the position back: a socket would skip the frame as old.
            latest.feed_seq = latest.feed_seq.max(conversation.feed_seq);
            *conversation = latest;
        }
    }
}

fn strength(change: ConversationChange) -> u8 {
    match change {
        ConversationChange::Created => 4,
        ConversationChange::Assigned => 3,
        ConversationChange::StatusChanged => 2,
        ConversationChange::Updated => 1,
        ConversationChange::MessageAdded => 0,
    }
}

/// Records `change` among a transaction's `changes` (see [`crate::store::Tx::record`]):
/// at `place`, or at the end, or folded into an earlier change of the same conversation
/// (moved to `place` when one is given).
pub(crate) fn record(changes: &mut Vec<Change>, place: Option<usize>, change: Change) {
    let earlier = change
        .conversation_id()
        .and_then(|id| changes.iter().position(|recorded| recorded.conversation_id() == Some(id)));
    match (earlier, place) {
        (Some(index), None) => changes[index].absorb(change),
        (Some(index), Some(place)) => {
            let mut merged = changes.remove(index);
            merged.absorb(change);
            changes.insert(place.min(index).min(changes.len()), merged);
        }
        (None, Some(place)) => changes.insert(place.min(changes.len()), change),
        (None, None) => changes.push(change),
    }
}

/// Committed batches of changes waiting for the dispatcher. Bounded: when the
/// dispatcher falls behind (a slow Redis), committing transactions wait for it instead of
/// queueing without limit.
const QUEUE: usize = 1024;

/// Starts this node's dispatcher and points the store's commits at it.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    let (sender, mut committed) = mpsc::channel::<Vec<Change>>(QUEUE);
    state.store.dispatch_changes_to(sender);
    tokio::spawn(async move {
        while let Some(changes) = committed.recv().await {
            for change in changes {
                dispatch(&state, change).await;
            }
        }
    })
}

async fn dispatch(state: &AppState, change: Change) {
    match change {
        Change::MessageStored { workspace_id, visitor_id, message } => {
            state.metrics.messages_stored.inc();
            let visible_to_visitor = message.kind != MessageKind::Note;
            let event = Event::frame(ServerFrame::Message { message });
            if visible_to_visitor {
                publish(state, Topic::Visitor(visitor_id), event.clone()).await;
            }
            publish(state, Topic::Workspace(workspace_id), event).await;
        }
        Change::ConversationChanged { workspace_id, change, conversation } => {
            // The queue may have gained or lost a conversation, or an agent freed up.
            let routing_cares = match change {
                ConversationChange::Created | ConversationChange::Assigned => true,
                ConversationChange::StatusChanged => true,
                ConversationChange::Updated => conversation.status == ConversationStatus::Open,
                ConversationChange::MessageAdded => false,
            };
            // Visitors follow their messages, not the feed; their copy leaves out what is
            // the team's (labels, feed position, a preview that may be a note).
            if change != ConversationChange::MessageAdded {
                let visitor_id = conversation.visitor_id;
                let visitor_copy = crate::conversations::for_visitor(conversation.clone());
                let to_visitor = Event::frame(ServerFrame::Conversation { change, conversation: visitor_copy });
                publish(state, Topic::Visitor(visitor_id), to_visitor).await;
            }
            let to_team = Event::frame(ServerFrame::Conversation { change, conversation });
            publish(state, Topic::Workspace(workspace_id), to_team).await;
            if routing_cares {
                state.routing.nudge();
            }
        }
    }
}

/// A publish that fails is logged, not retried: the change is stored, and clients that
/// missed the event catch up from the database when they resume.
pub(crate) async fn publish(state: &AppState, topic: Topic, event: Event) {
    if let Err(err) = state.realtime.bus.publish(topic, event).await {
        tracing::error!(%topic, error = %err, "publishing a real-time event failed");
    }
}
