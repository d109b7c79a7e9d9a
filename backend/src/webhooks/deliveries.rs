//! The delivery log of a subscription, and replay.

use openapi::webhooks::{WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEventType, WebhookPayload};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::{Error, Result},
    on_pool,
    pagination::PageRequest,
    store::{Millis, Store, now},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub conversation_id: Option<Uuid>,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub created_at: Millis,
    pub delivered_at: Option<Millis>,
}

macro_rules! columns {
    () => {
        "id, workspace_id, subscription_id, event_id, event_type, conversation_id, payload, status, attempts, \
         next_attempt_at, created_at, delivered_at"
    };
}
pub(crate) use columns;

#[derive(Debug, Clone, sqlx::FromRow)]
struct AttemptRow {
    attempted_at: Millis,
    status_code: Option<i64>,
    duration_ms: i64,
    error: Option<String>,
}

/// The `webhook-id` header of an event: the same for every attempt and every replay.
pub fn webhook_id(event_id: Uuid) -> String {
    format!("msg_{}", event_id.simple())
}

impl DeliveryRow {
    async fn to_wire(&self, store: &Store) -> Result<WebhookDelivery> {
        let attempts: Vec<AttemptRow> = on_pool!(store, |pool| {
            sqlx::query_as(
                "SELECT attempted_at, status_code, duration_ms, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id",
            )
            .bind(self.id)
            .fetch_all(pool)
            .await
        })?;
        let status = match self.status.as_str() {
            "pending" => WebhookDeliveryStatus::Pending,
            "delivered" => WebhookDeliveryStatus::Delivered,
            "failed" => WebhookDeliveryStatus::Failed,
            other => return Err(Error::Internal(format!("unknown delivery status `{other}`"))),
        };
        let event_type = WebhookEventType::parse(&self.event_type)
            .ok_or_else(|| Error::Internal(format!("unknown event type `{}`", self.event_type)))?;
        Ok(WebhookDelivery {
            id: self.id,
            webhook_id: webhook_id(self.event_id),
            event_type,
            status,
            payload: self.payload.clone(),
            created_at: self.created_at.to_utc(),
            next_attempt_at: (status == WebhookDeliveryStatus::Pending).then(|| self.next_attempt_at.to_utc()),
            delivered_at: self.delivered_at.map(Millis::to_utc),
            attempts: attempts
                .into_iter()
                .map(|a| WebhookAttempt {
                    attempted_at: a.attempted_at.to_utc(),
                    status_code: a.status_code.and_then(|c| u16::try_from(c).ok()),
                    duration_ms: a.duration_ms,
                    error: a.error,
                })
                .collect(),
        })
    }
}

/// A subscription's deliveries, newest first, with their attempts.
pub async fn list(
    store: &Store,
    caller: &Caller,
    subscription_id: Uuid,
    page: PageRequest,
) -> Result<Vec<(Uuid, WebhookDelivery)>> {
    super::get(store, caller, subscription_id).await?;
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM webhook_deliveries
         WHERE workspace_id = $1 AND subscription_id = $2 AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
    );
    let rows: Vec<DeliveryRow> = on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(caller.workspace_id)
            .bind(subscription_id)
            .bind(page.after)
            .bind(page.fetch_limit())
            .fetch_all(pool)
            .await
    })?;
    let mut deliveries = Vec::with_capacity(rows.len());
    for row in rows {
        deliveries.push((row.id, row.to_wire(store).await?));
    }
    Ok(deliveries)
}

/// Sends an event again: a new delivery with the same `webhook-id` and body, queued
/// behind the conversation's pending events. A pending delivery is already on its way.
pub async fn replay(
    store: &Store,
    caller: &Caller,
    subscription_id: Uuid,
    delivery_id: Uuid,
) -> Result<WebhookDelivery> {
    super::get(store, caller, subscription_id).await?;
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM webhook_deliveries WHERE workspace_id = $1 AND subscription_id = $2 AND id = $3"
    );
    let original: Option<DeliveryRow> = on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(caller.workspace_id).bind(subscription_id).bind(delivery_id).fetch_optional(pool).await
    })?;
    let original = original.ok_or(Error::NotFound("delivery"))?;
    if original.status == "pending" {
        return Err(Error::conflict(
            "delivery_pending",
            "this delivery is still being attempted; replay it once it has succeeded or failed",
        ));
    }
    let replayed = Queued {
        workspace_id: original.workspace_id,
        subscription_id: original.subscription_id,
        event_id: original.event_id,
        event_type: &original.event_type,
        conversation_id: original.conversation_id,
        payload: &original.payload,
    };
    replayed.insert(store).await?.to_wire(store).await
}

/// A delivery to queue outside an event's own transaction (a replay, a test).
struct Queued<'a> {
    workspace_id: Uuid,
    subscription_id: Uuid,
    event_id: Uuid,
    event_type: &'a str,
    conversation_id: Option<Uuid>,
    payload: &'a str,
}

impl Queued<'_> {
    /// Inserts it as pending and due now, for the worker to send.
    async fn insert(&self, store: &Store) -> Result<DeliveryRow> {
        let sql = concat!(
            "INSERT INTO webhook_deliveries (id, workspace_id, subscription_id, event_id, event_type, conversation_id,
                payload, status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8) RETURNING ",
            columns!()
        );
        Ok(on_pool!(store, |pool| {
            sqlx::query_as(sql)
                .bind(Uuid::now_v7())
                .bind(self.workspace_id)
                .bind(self.subscription_id)
                .bind(self.event_id)
                .bind(self.event_type)
                .bind(self.conversation_id)
                .bind(self.payload)
                .bind(now())
                .fetch_one(pool)
                .await
        })?)
    }
}

/// Queues a `webhook.test` event for this one subscription, whatever its `events`, so an
/// integrator can check their endpoint and signature code before real traffic arrives.
/// It goes through the normal worker (signature, retries, log) like any other event.
pub async fn send_test(store: &Store, caller: &Caller, subscription_id: Uuid) -> Result<WebhookDelivery> {
    caller.require_write()?;
    let subscription = super::get(store, caller, subscription_id).await?;
    let created_at = now();
    let event = WebhookEventType::WebhookTest;
    let data = serde_json::json!({
        "message": "This is a test event from Rapport. Verify its signature as you would any other event's.",
        "webhook_id": subscription.id,
    });
    let payload =
        WebhookPayload { event_type: event, timestamp: created_at.to_utc(), workspace_id: caller.workspace_id, data };
    let payload = serde_json::to_string(&payload).map_err(|err| Error::Internal(err.to_string()))?;
    let test = Queued {
        workspace_id: caller.workspace_id,
        subscription_id: subscription.id,
        event_id: Uuid::now_v7(),
        event_type: event.as_str(),
        conversation_id: None,
        payload: &payload,
    };
    test.insert(store).await?.to_wire(store).await
}
