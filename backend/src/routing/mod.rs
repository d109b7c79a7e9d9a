//! Routing: which agent answers which conversation.
//!
//! An open conversation nobody is assigned to is *queued* (`queued_at` says since when).
//! Agents take one by claiming it, or the [`router`] hands it to an available agent when
//! the site's (or team's) [`RoutingPolicy`] is automatic. Every way a conversation gets an
//! agent is one conditional `UPDATE … WHERE assignee_id IS NULL`: whichever request or node
//! runs it first wins, and the others see zero rows and step back. So one conversation never
//! has two agents, however many agents click or nodes route at once.
//!
//! - [`queue`]: the waiting line, positions and the visitor's estimated wait.
//! - [`router`]: the background task on every node (automatic assignment, agents who left).
//! - [`api`]: `GET /queue`, claim, transfer, and the visitor's queue status.

pub mod api;
pub mod queue;
pub mod router;

use std::sync::Arc;

use openapi::{messages::MessageKind, realtime::ConversationChange, routing::Transfer};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{
    auth::Caller,
    conversations::{self, ConversationRow},
    error::{Error, Result},
    input,
    messages::{self, Author, Draft, Outgoing},
    on_tx,
    store::{Store, now},
};

/// The longest transfer note, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// This node's handle on routing: a nudge that makes the router look at the queue now
/// rather than at its next tick (after a conversation starts, ends, or an agent frees up).
#[derive(Clone, Default)]
pub struct Routing {
    wake: Arc<Notify>,
}

impl Routing {
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn nudged(&self) {
        self.wake.notified().await;
    }
}

/// Gives `agent_id` the conversation if nobody has it yet (the agent's own click).
///
/// Claiming one's own conversation again answers with it unchanged, so a double click or a
/// retried request is harmless; another agent's is `already_assigned`.
pub async fn claim(store: &Store, caller: &Caller, id: Uuid) -> Result<(ConversationRow, bool)> {
    caller.require_write()?;
    let agent_id = caller.agent_id()?;
    let mut tx = store.begin_write().await?;
    let claimed =
        conversations::assignment::assign_if_waiting(&mut tx, caller.workspace_id, id, agent_id, &["open", "pending"])
            .await?;
    if let Some(row) = claimed {
        tx.commit().await?;
        return Ok((row, true));
    }
    drop(tx);
    let row = conversations::get(store, caller.workspace_id, id).await?;
    match row.assignee_id {
        Some(assignee) if assignee == agent_id => Ok((row, false)),
        Some(_) => Err(Error::conflict("already_assigned", "another agent already has this conversation")),
        None => Err(Error::conflict(
            "not_claimable",
            format!("only open or pending conversations can be claimed; this one is {}", row.status),
        )),
    }
}

/// What an automatic assignment attempt came to.
#[derive(Debug)]
pub enum Assignment {
    /// Boxed: the row is large and the other outcomes carry nothing.
    Assigned(Box<ConversationRow>),
    /// The agent is at capacity (perhaps by another node's assignment) or was deactivated.
    AgentUnavailable,
    /// Someone else assigned the conversation first, or it is no longer open.
    ConversationTaken,
}

/// Assigns a queued conversation to `agent_id` if the agent is still below capacity.
///
/// The capacity check and the assignment are one transaction that first writes the agent's
/// row: on PostgreSQL that row lock makes two nodes assigning to the same agent take turns,
/// so the second one counts the first one's assignment (SQLite runs one writer at a time).
pub async fn assign_within_capacity(store: &Store, workspace_id: Uuid, id: Uuid, agent_id: Uuid) -> Result<Assignment> {
    let mut tx = store.begin_write().await?;
    let now = now();
    let capacity: Option<i32> = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar(
            "UPDATE agents SET last_assigned_at = $3 WHERE workspace_id = $1 AND id = $2 AND active = TRUE RETURNING capacity",
        )
        .bind(workspace_id)
        .bind(agent_id)
        .bind(now)
        .fetch_optional(conn)
        .await
    })?;
    let Some(capacity) = capacity else {
        return Ok(Assignment::AgentUnavailable);
    };
    let load: i64 = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE workspace_id = $1 AND assignee_id = $2 AND status = 'open'",
        )
        .bind(workspace_id)
        .bind(agent_id)
        .fetch_one(conn)
        .await
    })?;
    if load >= i64::from(capacity) {
        return Ok(Assignment::AgentUnavailable);
    }
    match conversations::assignment::assign_if_waiting(&mut tx, workspace_id, id, agent_id, &["open"]).await? {
        Some(row) => {
            tx.commit().await?;
            Ok(Assignment::Assigned(Box::new(row)))
        }
        None => Ok(Assignment::ConversationTaken),
    }
}

/// A transfer after validation: where the conversation goes, and the note for the team.
#[derive(Debug)]
enum Target {
    Agent { id: Uuid, name: String },
    Team { id: Uuid, name: String },
}

/// Hands a conversation to another agent, or to a team's queue, with a note that the team
/// sees and the visitor never does. Returns the conversation and the stored note.
pub async fn transfer(
    store: &Store,
    caller: &Caller,
    id: Uuid,
    request: &Transfer,
) -> Result<(ConversationRow, messages::Stored)> {
    caller.require_write()?;
    let workspace_id = caller.workspace_id;
    let note = match request.note.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(note) => Some(input::text("note", note, MAX_NOTE_CHARS)?),
    };
    let target = match (request.agent_id, request.team_id) {
        (Some(agent_id), None) => {
            let agent = crate::agents::get(store, workspace_id, agent_id)
                .await
                .map_err(|_| Error::invalid("agent_id", "is not an agent of this workspace"))?;
            if !agent.active {
                return Err(Error::invalid("agent_id", "this agent is deactivated"));
            }
            Target::Agent { id: agent.id, name: agent.name }
        }
        (None, Some(team_id)) => {
            let team = crate::teams::get(store, workspace_id, team_id)
                .await
                .map_err(|_| conversations::assignment::team_gone())?;
            Target::Team { id: team.id, name: team.name }
        }
        _ => return Err(Error::invalid("agent_id", "give exactly one of agent_id and team_id")),
    };
    let current = conversations::get(store, workspace_id, id).await?;
    if current.status == "resolved" {
        return Err(Error::conflict("conversation_resolved", "reopen the conversation before transferring it"));
    }

    let mut tx = store.begin_write().await?;
    let (row, summary) = match &target {
        // To an agent: theirs now, whatever their load (a person decided).
        Target::Agent { id: agent_id, name } => (
            conversations::assignment::hand_to_agent(&mut tx, workspace_id, id, *agent_id).await?,
            format!("Transferred to {name}"),
        ),
        // To a team: back in the queue, for that team's agents.
        Target::Team { id: team_id, name } => (
            conversations::assignment::hand_to_team(&mut tx, workspace_id, id, *team_id).await?,
            format!("Transferred to the {name} team"),
        ),
    };
    let row = row.ok_or(Error::NotFound("conversation"))?;
    crate::webhooks::conversation_updated(&mut tx, &current, &row).await?;
    if let Target::Agent { .. } = target {
        // The receiver may be offline: they hear of it by mail (the worker checks).
        crate::mail::flows::conversation_assigned(&mut tx, &row).await?;
    }
    let body = match note {
        Some(note) => format!("{summary}: {note}"),
        None => format!("{summary}."),
    };
    let draft = Draft::parse(Author::of(caller), MessageKind::Note, &body, None)?;
    let stored = messages::send_in(&mut tx, Outgoing { workspace_id, conversation_id: id, draft }).await?;
    // The note took a seq: announce and report the conversation as the note left it.
    let row = stored.conversation.clone();
    conversations::record_change(&mut tx, ConversationChange::Assigned, &row)?;
    tx.commit().await?;
    Ok((row, stored))
}

/// Puts every open conversation of an agent who left back in the queue, each with a note
/// saying why. Returns them with their notes.
pub async fn return_to_queue(
    store: &Store,
    workspace_id: Uuid,
    agent_id: Uuid,
    agent_name: &str,
) -> Result<Vec<(ConversationRow, messages::Stored)>> {
    let mut tx = store.begin_write().await?;
    let rows = conversations::assignment::return_to_queue(&mut tx, workspace_id, agent_id).await?;
    let mut returned = Vec::with_capacity(rows.len());
    for row in rows {
        let body = format!("Back in the queue: {agent_name} went offline.");
        let draft = Draft::parse(Author::SYSTEM, MessageKind::Note, &body, None)?;
        let stored = messages::send_in(&mut tx, Outgoing { workspace_id, conversation_id: row.id, draft }).await?;
        let row = stored.conversation.clone();
        conversations::record_change(&mut tx, ConversationChange::Assigned, &row)?;
        returned.push((row, stored));
    }
    tx.commit().await?;
    Ok(returned)
}
