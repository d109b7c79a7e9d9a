//! What the rest of the server calls after something happened, to tell the connections.
//!
//! Everything here runs *after* the change is stored. A publish that fails is logged and
//! not returned: the change stands, and clients that missed the event catch up from the
//! database when they resume (or when the conversation's next message reveals the gap).

use openapi::{
    conversations::Conversation,
    messages::{Message, MessageKind},
    realtime::{ConversationChange, ServerFrame},
    routing::QueueStatus,
};
use uuid::Uuid;

use super::bus::{Event, Topic};
use crate::state::AppState;

async fn publish(state: &AppState, topic: Topic, event: Event) {
    if let Err(err) = state.realtime.bus.publish(topic, event).await {
        tracing::error!(%topic, error = %err, "publishing a real-time event failed");
    }
}

/// A message was stored: the team sees it, and the visitor too unless it is a note.
pub async fn message_stored(state: &AppState, workspace_id: Uuid, visitor_id: Uuid, message: Message) {
    let visible_to_visitor = message.kind != MessageKind::Note;
    let event = Event::Frame { frame: ServerFrame::Message { message } };
    if visible_to_visitor {
        publish(state, Topic::Visitor(visitor_id), event.clone()).await;
    }
    publish(state, Topic::Workspace(workspace_id), event).await;
}

/// A conversation was created or changed. The visitor's copy leaves out the team's labels.
pub async fn conversation_changed(
    state: &AppState,
    workspace_id: Uuid,
    change: ConversationChange,
    conversation: Conversation,
) {
    let visitor_copy = Conversation { labels: Vec::new(), ..conversation.clone() };
    let to_visitor = Event::Frame { frame: ServerFrame::Conversation { change, conversation: visitor_copy } };
    publish(state, Topic::Visitor(conversation.visitor_id), to_visitor).await;
    let to_team = Event::Frame { frame: ServerFrame::Conversation { change, conversation } };
    publish(state, Topic::Workspace(workspace_id), to_team).await;
}

/// A visitor's place in the queue changed.
pub async fn queue_status(state: &AppState, visitor_id: Uuid, status: QueueStatus) {
    publish(state, Topic::Visitor(visitor_id), Event::Frame { frame: ServerFrame::Queue { status } }).await;
}

/// An ephemeral frame (typing, receipt, page, status) for the team and maybe the visitor.
pub async fn frame(state: &AppState, workspace_id: Uuid, visitor_id: Option<Uuid>, frame: ServerFrame) {
    let event = Event::Frame { frame };
    if let Some(visitor_id) = visitor_id {
        publish(state, Topic::Visitor(visitor_id), event.clone()).await;
    }
    publish(state, Topic::Workspace(workspace_id), event).await;
}

/// An agent signed out: that session's sockets close.
pub async fn session_ended(state: &AppState, workspace_id: Uuid, session_id: Uuid) {
    publish(state, Topic::Workspace(workspace_id), Event::SessionEnded { session_id }).await;
}

/// An agent was deactivated: all their sockets close.
pub async fn agent_deactivated(state: &AppState, workspace_id: Uuid, agent_id: Uuid) {
    publish(state, Topic::Workspace(workspace_id), Event::AgentDeactivated { agent_id }).await;
}

/// A visitor's token was revoked: their sockets close.
pub async fn visitor_revoked(state: &AppState, visitor_id: Uuid) {
    publish(state, Topic::Visitor(visitor_id), Event::VisitorRevoked { visitor_id }).await;
}
