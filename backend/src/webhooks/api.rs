//! `/webhooks`: subscriptions (secret shown on create and rotate), the delivery log, replay.

use openapi::audit::AuditAction;
use openapi::webhooks::{
    CreatedWebhook, NewWebhook, RotatedWebhookSecret, Webhook, WebhookDelivery, WebhookDeliveryPage, WebhookPage,
    WebhookUpdate,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    api::ApiTags,
    audit::{self, Target},
    auth::WorkspaceAuth,
    error::ApiError,
    pagination::PageRequest,
    state::AppState,
};

pub struct WebhooksApi;

#[derive(ApiResponse)]
enum Created {
    /// The subscription and its secret; store the secret now, it is not shown again.
    #[oai(status = 201)]
    Created(Json<CreatedWebhook>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// Deleted, with its pending deliveries and its log.
    #[oai(status = 204)]
    Deleted,
}

#[derive(ApiResponse)]
enum Replayed {
    /// Queued: a new delivery with the same `webhook-id` and body.
    #[oai(status = 202)]
    Queued(Json<WebhookDelivery>),
}

#[derive(ApiResponse)]
enum TestQueued {
    /// Queued: the test event's delivery, pending; follow it in the delivery log.
    #[oai(status = 202)]
    Queued(Json<WebhookDelivery>),
}

#[OpenApi(prefix_path = "/webhooks", tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// List webhook subscriptions
    ///
    /// Owners and admins only. Secrets are never returned.
    #[oai(path = "/", method = "get", operation_id = "listWebhooks")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<WebhookPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::list(&state.store, auth.caller(), page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        Ok(Json(WebhookPage { items: rows.iter().map(super::SubscriptionRow::to_wire).collect(), next_cursor }))
    }

    /// Create a webhook subscription
    ///
    /// Owners and admins only. The URL must be `http(s)` and resolve to public addresses
    /// only (unless the operator set `RAPPORT_WEBHOOKS_ALLOW_PRIVATE=true`).
    #[oai(path = "/", method = "post", operation_id = "createWebhook")]
    async fn create(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: WorkspaceAuth,
        body: Json<NewWebhook>,
    ) -> Result<Created, ApiError> {
        let (row, secret) = super::create(&state.store, &state.settings.webhooks, auth.caller(), &body).await?;
        let webhook = row.to_wire();
        let summary = format!("Created a webhook to {}", webhook.url);
        let changes = audit::changes(None::<&Webhook>, Some(&webhook));
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::WebhookCreated,
            Target::new("webhook", webhook.id),
            summary,
            changes,
        )
        .await;
        Ok(Created::Created(Json(CreatedWebhook { webhook, secret })))
    }

    /// Get a webhook subscription
    #[oai(path = "/:webhook_id", method = "get", operation_id = "getWebhook")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] webhook_id: Path<Uuid>,
    ) -> Result<Json<Webhook>, ApiError> {
        Ok(Json(super::get(&state.store, auth.caller(), *webhook_id).await?.to_wire()))
    }

    /// Change a webhook subscription
    ///
    /// `enabled: true` re-enables one that was disabled after repeated failures.
    #[oai(path = "/:webhook_id", method = "patch", operation_id = "updateWebhook")]
    async fn update(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] webhook_id: Path<Uuid>,
        body: Json<WebhookUpdate>,
    ) -> Result<Json<Webhook>, ApiError> {
        // Permission first: a refused caller learns nothing about what exists.
        auth.caller().require_admin()?;
        let before = super::get(&state.store, auth.caller(), *webhook_id).await?.to_wire();
        let row = super::update(&state.store, &state.settings.webhooks, auth.caller(), *webhook_id, &body).await?;
        let after = row.to_wire();
        let changes = audit::changes(Some(&before), Some(&after));
        let summary = audit::changed(&format!("the webhook to {}", before.url), &changes);
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::WebhookUpdated,
            Target::new("webhook", after.id),
            summary,
            changes,
        )
        .await;
        Ok(Json(after))
    }

    /// Delete a webhook subscription
    #[oai(path = "/:webhook_id", method = "delete", operation_id = "deleteWebhook")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] webhook_id: Path<Uuid>,
    ) -> Result<Deleted, ApiError> {
        // Permission first: a refused caller learns nothing about what exists.
        auth.caller().require_admin()?;
        let before = super::get(&state.store, auth.caller(), *webhook_id).await?.to_wire();
        super::delete(&state.store, auth.caller(), *webhook_id).await?;
        let summary = format!("Deleted the webhook to {}", before.url);
        let changes = audit::changes(Some(&before), None::<&Webhook>);
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::WebhookDeleted,
            Target::new("webhook", before.id),
            summary,
            changes,
        )
        .await;
        Ok(Deleted::Deleted)
    }

    /// Rotate a webhook subscription's secret
    ///
    /// Returns the new secret, shown this once. Until `previous_secret_expires_at` each
    /// delivery carries two signatures (new and previous), so receivers can switch over
    /// without dropping events.
    #[oai(path = "/:webhook_id/rotate-secret", method = "post", operation_id = "rotateWebhookSecret")]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] webhook_id: Path<Uuid>,
    ) -> Result<Json<RotatedWebhookSecret>, ApiError> {
        let (row, secret) =
            super::rotate_secret(&state.store, &state.settings.webhooks, auth.caller(), *webhook_id).await?;
        let webhook = row.to_wire();
        let summary = format!("Rotated the signing secret of the webhook to {}", webhook.url);
        let target = Target::new("webhook", webhook.id);
        audit::log(&state, req, auth.caller(), AuditAction::WebhookSecretRotated, target, summary, vec![]).await;
        Ok(Json(RotatedWebhookSecret { webhook, secret }))
    }

    /// List a subscription's deliveries
    ///
    /// Newest first, each with every attempt (status code, duration, error).
    #[oai(path = "/:webhook_id/deliveries", method = "get", operation_id = "listWebhookDeliveries")]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] webhook_id: Path<Uuid>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<WebhookDeliveryPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::deliveries::list(&state.store, auth.caller(), *webhook_id, page).await?;
        let (rows, next_cursor) = page.finish(rows, |(id, _)| *id);
        Ok(Json(WebhookDeliveryPage { items: rows.into_iter().map(|(_, delivery)| delivery).collect(), next_cursor }))
    }

    /// Replay a delivery
    ///
    /// Sends the event again with the same `webhook-id` and body (receivers that already
    /// processed it can recognise it). Refused while the delivery is still pending.
    #[oai(
        path = "/:webhook_id/deliveries/:delivery_id/replay",
        method = "post",
        operation_id = "replayWebhookDelivery"
    )]
    async fn replay(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] webhook_id: Path<Uuid>,
        #[oai(example = "crate::api_examples::id")] delivery_id: Path<Uuid>,
    ) -> Result<Replayed, ApiError> {
        let delivery = super::deliveries::replay(&state.store, auth.caller(), *webhook_id, *delivery_id).await?;
        Ok(Replayed::Queued(Json(delivery)))
    }

    /// Send a test event
    ///
    /// Queues a `webhook.test` event for this subscription only, whatever its `events`,
    /// signed and logged like any other delivery. Use it to check an endpoint.
    #[oai(path = "/:webhook_id/test", method = "post", operation_id = "sendWebhookTest")]
    async fn send_test(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] webhook_id: Path<Uuid>,
    ) -> Result<TestQueued, ApiError> {
        let delivery = super::deliveries::send_test(&state.store, auth.caller(), *webhook_id).await?;
        Ok(TestQueued::Queued(Json(delivery)))
    }
}
