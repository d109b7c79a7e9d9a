//! The REST calls only the complete build makes ([`crate::bundle`]): settings, reports,
//! notification preferences.

use gloo_net::http::Request;
use openapi::{
    agents::{Agent, AgentUpdate, CreatedAgent, NewAgent},
    api_keys::{ApiKeyPage, CreatedApiKey, NewApiKey},
    audit::AuditEntryPage,
    auth::{Workspace, WorkspaceUpdate},
    business_hours::{BusinessHours, BusinessHoursUpdate},
    canned::{CannedResponse, CannedResponseUpdate, CannedVariant, NewCannedResponse},
    labels::{Label, LabelMerge, LabelUpdate},
    mail::{SiteMailSettings, SiteMailSettingsUpdate},
    push::{NewPushSubscription, NotificationPreferences, PushSubscription, PushSubscriptionPage, VapidKey},
    reports::{AgentReport, BusiestHours, DailyReport, ReportSummary},
    sites::{EmbedSnippet, NewSite, Site, SiteUpdate},
    teams::{Team, TeamInput},
    webhooks::{
        CreatedWebhook, NewWebhook, RotatedWebhookSecret, Webhook, WebhookDelivery, WebhookDeliveryPage, WebhookPage,
        WebhookUpdate,
    },
};
use serde_json::Value;
use uuid::Uuid;

use super::{Answer, delete, finish, get, patch, post, url, with_body};

pub async fn create_agent(agent: &NewAgent) -> Answer<CreatedAgent> {
    post("/agents", agent).await
}

pub async fn update_agent(id: Uuid, changes: &AgentUpdate) -> Answer<Agent> {
    patch(&format!("/agents/{id}"), changes).await
}

pub async fn create_team(team: &TeamInput) -> Answer<Team> {
    post("/teams", team).await
}

pub async fn delete_team(id: Uuid) -> Answer<Value> {
    finish(Request::delete(&url(&format!("/teams/{id}"))).build()).await
}

pub async fn create_site(site: &NewSite) -> Answer<Site> {
    post("/sites", site).await
}

pub async fn update_site(id: Uuid, changes: &SiteUpdate) -> Answer<Site> {
    patch(&format!("/sites/{id}"), changes).await
}

pub async fn business_hours(id: Uuid) -> Answer<BusinessHours> {
    get(&format!("/sites/{id}/business-hours")).await
}

pub async fn replace_business_hours(id: Uuid, hours: &BusinessHoursUpdate) -> Answer<BusinessHours> {
    with_body(Request::put(&url(&format!("/sites/{id}/business-hours"))), hours).await
}

pub async fn site_mail_settings(id: Uuid) -> Answer<SiteMailSettings> {
    get(&format!("/sites/{id}/mail-settings")).await
}

pub async fn update_site_mail_settings(id: Uuid, changes: &SiteMailSettingsUpdate) -> Answer<SiteMailSettings> {
    patch(&format!("/sites/{id}/mail-settings"), changes).await
}

pub async fn update_workspace(changes: &WorkspaceUpdate) -> Answer<Workspace> {
    patch("/workspace", changes).await
}

pub async fn embed(id: Uuid) -> Answer<EmbedSnippet> {
    get(&format!("/sites/{id}/embed")).await
}

pub async fn create_canned_response(
    shortcut: &str,
    body: &str,
    variants: Vec<CannedVariant>,
) -> Answer<CannedResponse> {
    post(
        "/canned-responses",
        &NewCannedResponse { shortcut: shortcut.into(), body: body.into(), variants: Some(variants) },
    )
    .await
}

pub async fn delete_canned_response(id: Uuid) -> Answer<Value> {
    finish(Request::delete(&url(&format!("/canned-responses/{id}"))).build()).await
}

pub async fn api_keys() -> Answer<ApiKeyPage> {
    get("/api-keys?limit=200").await
}

pub async fn create_api_key(key: &NewApiKey) -> Answer<CreatedApiKey> {
    post("/api-keys", key).await
}

pub async fn revoke_api_key(id: Uuid) -> Answer<Value> {
    post(&format!("/api-keys/{id}/revoke"), &serde_json::json!({})).await
}

/// A page of the audit log, newest first; `query` holds the filter (`action=…`) and the
/// previous page's `cursor`, already encoded.
pub async fn audit_log(query: &str) -> Answer<AuditEntryPage> {
    get(&format!("/audit-log?limit=50&{query}")).await
}

pub async fn update_canned_response(
    id: Uuid,
    shortcut: &str,
    body: &str,
    variants: Vec<CannedVariant>,
) -> Answer<CannedResponse> {
    let changes =
        CannedResponseUpdate { shortcut: Some(shortcut.into()), body: Some(body.into()), variants: Some(variants) };
    patch(&format!("/canned-responses/{id}"), &changes).await
}

pub async fn update_team(id: Uuid, team: &TeamInput) -> Answer<Team> {
    with_body(Request::put(&url(&format!("/teams/{id}"))), team).await
}

pub async fn webhooks() -> Answer<WebhookPage> {
    get("/webhooks?limit=200").await
}

pub async fn create_webhook(webhook: &NewWebhook) -> Answer<CreatedWebhook> {
    post("/webhooks", webhook).await
}

pub async fn update_webhook(id: Uuid, changes: &WebhookUpdate) -> Answer<Webhook> {
    patch(&format!("/webhooks/{id}"), changes).await
}

pub async fn delete_webhook(id: Uuid) -> Answer<Value> {
    finish(Request::delete(&url(&format!("/webhooks/{id}"))).build()).await
}

pub async fn rotate_webhook_secret(id: Uuid) -> Answer<RotatedWebhookSecret> {
    post(&format!("/webhooks/{id}/rotate-secret"), &serde_json::json!({})).await
}

pub async fn test_webhook(id: Uuid) -> Answer<WebhookDelivery> {
    post(&format!("/webhooks/{id}/test"), &serde_json::json!({})).await
}

pub async fn webhook_deliveries(id: Uuid) -> Answer<WebhookDeliveryPage> {
    get(&format!("/webhooks/{id}/deliveries?limit=20")).await
}

pub async fn replay_delivery(id: Uuid, delivery_id: Uuid) -> Answer<WebhookDelivery> {
    post(&format!("/webhooks/{id}/deliveries/{delivery_id}/replay"), &serde_json::json!({})).await
}

// Reports. `query` is `from=…&to=…` (empty: the last 7 days).

pub async fn report_summary(query: &str) -> Answer<ReportSummary> {
    get(&format!("/reports/summary?{query}")).await
}

pub async fn report_daily(query: &str) -> Answer<DailyReport> {
    get(&format!("/reports/daily?{query}")).await
}

pub async fn report_busiest_hours(query: &str) -> Answer<BusiestHours> {
    get(&format!("/reports/busiest-hours?{query}")).await
}

pub async fn report_agents(query: &str) -> Answer<AgentReport> {
    get(&format!("/reports/agents?{query}")).await
}

/// Where the browser downloads a table as CSV (the session cookie goes along).
pub fn report_csv_url(table: &str, query: &str) -> String {
    url(&format!("/reports/{table}/csv?{query}"))
}

pub async fn update_label(id: Uuid, changes: &LabelUpdate) -> Answer<Label> {
    patch(&format!("/labels/{id}"), changes).await
}

pub async fn merge_label(id: Uuid, into_label_id: Uuid) -> Answer<Label> {
    post(&format!("/labels/{id}/merge"), &LabelMerge { into_label_id }).await
}

pub async fn delete_label(id: Uuid) -> Answer<()> {
    delete(&format!("/labels/{id}")).await
}

// Web Push.

pub async fn vapid_key() -> Answer<VapidKey> {
    get("/push/key").await
}

pub async fn push_subscriptions() -> Answer<PushSubscriptionPage> {
    get("/push/subscriptions").await
}

pub async fn create_push_subscription(subscription: &NewPushSubscription) -> Answer<PushSubscription> {
    post("/push/subscriptions", subscription).await
}

pub async fn delete_push_subscription(id: Uuid) -> Answer<()> {
    delete(&format!("/push/subscriptions/{id}")).await
}

pub async fn notification_preferences() -> Answer<NotificationPreferences> {
    get("/push/preferences").await
}

pub async fn set_notification_preferences(preferences: &NotificationPreferences) -> Answer<NotificationPreferences> {
    with_body(Request::put(&url("/push/preferences")), preferences).await
}
