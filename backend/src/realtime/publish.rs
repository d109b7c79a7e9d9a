//! Ephemeral real-time events: what the rest of the server calls to tell connections of
//! something that is not a stored change (typing, read cursors, pages, presence, queue
//! places, sessions ending).
//!
//! Stored changes — messages, conversations — are not published from here: they are
//! recorded in their transaction and dispatched after commit by [`crate::changes`].

use openapi::{realtime::ServerFrame, routing::QueueStatus};
use uuid::Uuid;

use super::bus::{Event, Topic};
use crate::{changes::publish, state::AppState};

/// A visitor's place in the queue changed.
pub async fn queue_status(state: &AppState, visitor_id: Uuid, status: QueueStatus) {
    publish(state, Topic::Visitor(visitor_id), Event::frame(ServerFrame::Queue { status })).await;
}

/// An ephemeral frame (typing, receipt, page, status) for the team and maybe the visitor.
pub async fn frame(state: &AppState, workspace_id: Uuid, visitor_id: Option<Uuid>, frame: ServerFrame) {
    let event = Event::frame(frame);
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
