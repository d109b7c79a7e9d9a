//! The outbox: what other modules call, inside the transaction that makes a change, to
//! record the webhook deliveries that change causes.
//!
//! Writing deliveries in the same transaction is what makes webhooks trustworthy: a
//! change that commits always has its events recorded (even if the node dies right
//! after), and a change that rolls back (a duplicate message, a failed write) never
//! announces anything. The [`worker`](super::worker) sends them later.
//!
//! Each hook first asks whether any enabled subscription of the workspace wants the
//! event, so a workspace without webhooks pays one indexed read per change.

use openapi::{
    ratings::Rating,
    visitors::Visitor,
    webhooks::{WebhookEventType, WebhookPayload},
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{SubscriptionRow, columns};
use crate::{
    conversations::ConversationRow,
    error::Result,
    messages::MessageRow,
    on_tx,
    store::{Tx, now},
};

/// Enabled subscriptions of the workspace that want `event` (from any site).
async fn interested(tx: &mut Tx, workspace_id: Uuid, event: WebhookEventType) -> Result<Vec<SubscriptionRow>> {
    let sql = concat!("SELECT ", columns!(), " FROM webhook_subscriptions WHERE workspace_id = $1 AND enabled = TRUE");
    let rows: Vec<SubscriptionRow> = on_tx!(tx, |conn| sqlx::query_as(sql).bind(workspace_id).fetch_all(conn).await)?;
    Ok(rows.into_iter().filter(|row| row.event_types().contains(&event)).collect())
}

/// Inserts one delivery per subscription that wants `event` from `site_id`. All share one
/// event id: the `webhook-id` receivers deduplicate on.
async fn insert(
    tx: &mut Tx,
    subscriptions: &[SubscriptionRow],
    workspace_id: Uuid,
    site_id: Uuid,
    conversation_id: Option<Uuid>,
    event: WebhookEventType,
    data: Value,
) -> Result<()> {
    let targets: Vec<&SubscriptionRow> = subscriptions.iter().filter(|s| s.wants(event, site_id)).collect();
    if targets.is_empty() {
        return Ok(());
    }
    let created_at = now();
    let payload = WebhookPayload { event_type: event, timestamp: created_at.to_utc(), workspace_id, data };
    let payload = serde_json::to_string(&payload).map_err(|err| crate::error::Error::Internal(err.to_string()))?;
    let event_id = Uuid::now_v7();
    for subscription in targets {
        on_tx!(&mut *tx, |conn| {
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, workspace_id, subscription_id, event_id, event_type, conversation_id,
                    payload, status, attempts, next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)",
            )
            .bind(Uuid::now_v7())
            .bind(workspace_id)
            .bind(subscription.id)
            .bind(event_id)
            .bind(event.as_str())
            .bind(conversation_id)
            .bind(&payload)
            .bind(created_at)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// `conversation.created`.
pub async fn conversation_created(tx: &mut Tx, conversation: &ConversationRow) -> Result<()> {
    let event = WebhookEventType::ConversationCreated;
    let subscriptions = interested(tx, conversation.workspace_id, event).await?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let data = json!({ "conversation": conversation.to_wire()? });
    insert(tx, &subscriptions, conversation.workspace_id, conversation.site_id, Some(conversation.id), event, data)
        .await
}

/// `conversation.assigned` and `conversation.status_changed`, for what changed between
/// `before` and `after`.
pub async fn conversation_updated(tx: &mut Tx, before: &ConversationRow, after: &ConversationRow) -> Result<()> {
    let (workspace_id, site_id, id) = (after.workspace_id, after.site_id, Some(after.id));
    if before.assignee_id != after.assignee_id {
        let event = WebhookEventType::ConversationAssigned;
        let subscriptions = interested(tx, workspace_id, event).await?;
        if !subscriptions.is_empty() {
            let data = json!({ "conversation": after.to_wire()?, "previous_assignee_id": before.assignee_id });
            insert(tx, &subscriptions, workspace_id, site_id, id, event, data).await?;
        }
    }
    if before.status != after.status {
        let event = WebhookEventType::ConversationStatusChanged;
        let subscriptions = interested(tx, workspace_id, event).await?;
        if !subscriptions.is_empty() {
            let data = json!({ "conversation": after.to_wire()?, "previous_status": before.status });
            insert(tx, &subscriptions, workspace_id, site_id, id, event, data).await?;
        }
    }
    Ok(())
}

/// `message.created` for each newly stored message (internal notes included:
/// integrations see what agents see), with the conversation it went into. The
/// workspace's subscriptions are read once for the whole batch.
pub async fn messages_created(tx: &mut Tx, stored: &[(&ConversationRow, &MessageRow)]) -> Result<()> {
    let event = WebhookEventType::MessageCreated;
    let mut workspaces: Vec<Uuid> = stored.iter().map(|(conversation, _)| conversation.workspace_id).collect();
    workspaces.sort_unstable();
    workspaces.dedup();
    for workspace_id in workspaces {
        let subscriptions = interested(tx, workspace_id, event).await?;
        if subscriptions.is_empty() {
            continue;
        }
        for (conversation, message) in stored.iter().filter(|(c, _)| c.workspace_id == workspace_id) {
            let data = json!({ "message": message.to_wire()? });
            insert(tx, &subscriptions, workspace_id, conversation.site_id, Some(conversation.id), event, data).await?;
        }
    }
    Ok(())
}

/// `visitor.identified`. Not ordered with a conversation's events: it is about the visitor.
pub async fn visitor_identified(tx: &mut Tx, workspace_id: Uuid, visitor: &Visitor) -> Result<()> {
    let event = WebhookEventType::VisitorIdentified;
    let subscriptions = interested(tx, workspace_id, event).await?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let data = json!({ "visitor": visitor });
    insert(tx, &subscriptions, workspace_id, visitor.site_id, None, event, data).await
}

/// `rating.submitted`, ordered with the rated conversation's other events.
pub async fn rating_submitted(tx: &mut Tx, workspace_id: Uuid, site_id: Uuid, rating: &Rating) -> Result<()> {
    let event = WebhookEventType::RatingSubmitted;
    let subscriptions = interested(tx, workspace_id, event).await?;
    if subscriptions.is_empty() {
        return Ok(());
    }
    let data = json!({ "rating": rating });
    insert(tx, &subscriptions, workspace_id, site_id, Some(rating.conversation_id), event, data).await
}
