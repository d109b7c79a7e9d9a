//! Who resolved a conversation, for the per-agent report. Replies are credited by a
//! trigger on messages (migration 0033); resolving happens in the conversation's update,
//! which calls [`resolved`] in its transaction.

use crate::{
    auth::{Actor, Caller},
    conversations::ConversationRow,
    error::Result,
    on_tx,
    store::{Tx, now},
};

/// `caller` resolved `conversation` (an agent; an integration's resolve credits the
/// assignee, who owned it).
pub async fn resolved(tx: &mut Tx, conversation: &ConversationRow, caller: &Caller) -> Result<()> {
    let agent = match caller.actor {
        Actor::Agent { agent_id, .. } => Some(agent_id),
        Actor::ApiKey { .. } => conversation.assignee_id,
    };
    let Some(agent) = agent else { return Ok(()) };
    let at = now();
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO conversation_handlers (conversation_id, workspace_id, agent_id, resolved_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (conversation_id, agent_id) DO UPDATE SET resolved_at = excluded.resolved_at",
        )
        .bind(conversation.id)
        .bind(conversation.workspace_id)
        .bind(agent)
        .bind(at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}
