//! Webhooks: signed HTTP callbacks to a business's systems, delivered from an outbox.
//!
//! Layout:
//! - this file: settings and subscriptions (create, list, change, rotate, delete);
//! - [`outbox`]: the hooks other modules call inside their write transaction, which
//!   insert one delivery per matching subscription (so an event is recorded exactly when
//!   the change commits, and never for a change that rolled back);
//! - [`worker`]: the background task that claims due deliveries, sends them, retries
//!   with exponential backoff and disables subscriptions that keep failing;
//! - [`deliveries`]: the delivery log and replay;
//! - [`signing`]: Standard Webhooks secrets and signatures;
//! - [`target`]: which URLs may be called (the SSRF guard);
//! - [`api`], the endpoints under `/webhooks`.

pub mod api;
pub mod deliveries;
pub mod outbox;
pub mod signing;
pub mod target;
pub mod worker;

use std::time::Duration;

use openapi::webhooks::{NewWebhook, Webhook, WebhookEventType, WebhookUpdate};
use uuid::Uuid;

pub use outbox::{conversation_created, conversation_updated, message_created, rating_submitted, visitor_identified};

use crate::{
    auth::Caller,
    config::Env,
    error::{Error, Result},
    input, on_pool,
    pagination::PageRequest,
    store::{Millis, Store, now},
};

/// How webhooks are delivered; every value has a production default and can be made
/// small for tests.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Allow target URLs that resolve to loopback, private, link-local or unspecified
    /// addresses (`RAPPORT_WEBHOOKS_ALLOW_PRIVATE`, default false).
    pub allow_private: bool,
    /// Attempts per delivery before it is marked failed (`RAPPORT_WEBHOOKS_MAX_ATTEMPTS`, 10).
    pub max_attempts: u32,
    /// Delay before the first retry, doubled for each further one, at most an hour
    /// (`RAPPORT_WEBHOOKS_RETRY_BASE_MS`, 30000).
    pub retry_base: Duration,
    /// A subscription is disabled after this many consecutive failed attempts…
    /// (`RAPPORT_WEBHOOKS_DISABLE_AFTER_FAILURES`, 50)
    pub disable_after_failures: u32,
    /// …that span at least this long (`RAPPORT_WEBHOOKS_DISABLE_AFTER_SECS`, 5 days), so a
    /// burst of events during a short outage does not disable it.
    pub disable_after: Duration,
    /// How often the worker looks for due deliveries (`RAPPORT_WEBHOOKS_POLL_MS`, 1000).
    pub poll_interval: Duration,
    /// Time allowed for one request (`RAPPORT_WEBHOOKS_TIMEOUT_SECS`, 10).
    pub timeout: Duration,
    /// How long the secret before a rotation keeps signing (`RAPPORT_WEBHOOKS_ROTATION_GRACE_SECS`, 1 day).
    pub rotation_grace: Duration,
}

impl WebhookSettings {
    pub(crate) fn from_env(env: &Env) -> Self {
        Self {
            allow_private: env.webhooks_allow_private,
            max_attempts: env.webhooks_max_attempts.0 as u32,
            retry_base: env.webhooks_retry_base.0,
            disable_after_failures: env.webhooks_disable_after_failures.0 as u32,
            disable_after: env.webhooks_disable_after.0,
            poll_interval: env.webhooks_poll.0,
            timeout: env.webhooks_timeout.0,
            rotation_grace: env.webhooks_rotation_grace.0,
        }
    }

    /// The delay after failed attempt number `attempt` (1-based): base, 2×base, 4×base…,
    /// capped at an hour.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.retry().delay(attempt)
    }

    /// The retry schedule shared with the mail outbox.
    pub fn retry(&self) -> crate::outbox::Retry {
        crate::outbox::Retry {
            base: self.retry_base,
            max_attempts: self.max_attempts,
            max_delay: crate::outbox::MAX_RETRY_DELAY,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub url: String,
    pub description: String,
    pub events: String,
    pub site_id: Option<Uuid>,
    pub enabled: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<Millis>,
    pub disabled_at: Option<Millis>,
    pub disabled_reason: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

macro_rules! columns {
    () => {
        "id, workspace_id, url, description, events, site_id, enabled, secret, previous_secret, \
         previous_secret_expires_at, disabled_at, disabled_reason, created_at, updated_at"
    };
}
pub(crate) use columns;

impl SubscriptionRow {
    pub fn event_types(&self) -> Vec<WebhookEventType> {
        let names: Vec<String> = serde_json::from_str(&self.events).unwrap_or_default();
        names.iter().filter_map(|name| WebhookEventType::parse(name)).collect()
    }

    /// Whether this subscription wants `event` from `site_id`.
    pub fn wants(&self, event: WebhookEventType, site_id: Uuid) -> bool {
        self.site_id.is_none_or(|only| only == site_id) && self.event_types().contains(&event)
    }

    pub fn to_wire(&self) -> Webhook {
        Webhook {
            id: self.id,
            url: self.url.clone(),
            description: self.description.clone(),
            events: self.event_types(),
            site_id: self.site_id,
            enabled: self.enabled,
            disabled_at: self.disabled_at.map(Millis::to_utc),
            disabled_reason: self.disabled_reason.clone(),
            previous_secret_expires_at: self.previous_secret_expires_at.filter(|at| *at > now()).map(Millis::to_utc),
            created_at: self.created_at.to_utc(),
            updated_at: self.updated_at.to_utc(),
        }
    }
}

fn parse_events(events: &[WebhookEventType]) -> Result<String> {
    if events.is_empty() {
        return Err(Error::invalid("events", "must name at least one event"));
    }
    if events.contains(&WebhookEventType::WebhookTest) {
        return Err(Error::invalid(
            "events",
            "`webhook.test` is sent on demand (POST /webhooks/{id}/test) and cannot be subscribed to",
        ));
    }
    let mut names: Vec<&str> = events.iter().map(WebhookEventType::as_str).collect();
    names.sort_unstable();
    names.dedup();
    Ok(serde_json::to_string(&names).expect("a list of names serialises"))
}

fn parse_description(description: Option<&str>) -> Result<String> {
    match description.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(String::new()),
        Some(d) => input::name("description", d, 200),
    }
}

async fn check_site(store: &Store, workspace_id: Uuid, site_id: Option<Uuid>) -> Result<()> {
    if let Some(site_id) = site_id {
        crate::sites::get(store, workspace_id, site_id)
            .await
            .map_err(|_| Error::invalid("site_id", "is not a site of this workspace"))?;
    }
    Ok(())
}

/// Creates a subscription; returns it with its secret.
pub async fn create(
    store: &Store,
    settings: &WebhookSettings,
    caller: &Caller,
    new: &NewWebhook,
) -> Result<(SubscriptionRow, String)> {
    caller.require_admin()?;
    let url = target::check(&new.url, settings.allow_private).await?;
    let events = parse_events(&new.events)?;
    let description = parse_description(new.description.as_deref())?;
    check_site(store, caller.workspace_id, new.site_id).await?;
    let secret = signing::generate_secret();
    let created_at = now();
    let row = SubscriptionRow {
        id: Uuid::now_v7(),
        workspace_id: caller.workspace_id,
        url,
        description,
        events,
        site_id: new.site_id,
        enabled: true,
        secret: secret.clone(),
        previous_secret: None,
        previous_secret_expires_at: None,
        disabled_at: None,
        disabled_reason: None,
        created_at,
        updated_at: created_at,
    };
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO webhook_subscriptions (id, workspace_id, url, description, events, site_id, enabled, secret, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, $8)",
        )
        .bind(row.id)
        .bind(row.workspace_id)
        .bind(&row.url)
        .bind(&row.description)
        .bind(&row.events)
        .bind(row.site_id)
        .bind(&row.secret)
        .bind(created_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok((row, secret))
}

/// Subscriptions newest first.
pub async fn list(store: &Store, caller: &Caller, page: PageRequest) -> Result<Vec<SubscriptionRow>> {
    caller.require_admin()?;
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM webhook_subscriptions
         WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(caller.workspace_id).bind(page.after).bind(page.fetch_limit()).fetch_all(pool).await
    })?)
}

pub async fn get(store: &Store, caller: &Caller, id: Uuid) -> Result<SubscriptionRow> {
    caller.require_admin()?;
    let sql = concat!("SELECT ", columns!(), " FROM webhook_subscriptions WHERE workspace_id = $1 AND id = $2");
    let row =
        on_pool!(store, |pool| sqlx::query_as(sql).bind(caller.workspace_id).bind(id).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("webhook"))
}

/// Applies changes. Enabling clears the failure notice and the failure count.
pub async fn update(
    store: &Store,
    settings: &WebhookSettings,
    caller: &Caller,
    id: Uuid,
    changes: &WebhookUpdate,
) -> Result<SubscriptionRow> {
    get(store, caller, id).await?;
    let url = match &changes.url {
        Some(url) => Some(target::check(url, settings.allow_private).await?),
        None => None,
    };
    let events = changes.events.as_deref().map(parse_events).transpose()?;
    let description = changes.description.as_deref().map(|d| parse_description(Some(d))).transpose()?;
    let clear_site = changes.clear_site == Some(true);
    if !clear_site {
        check_site(store, caller.workspace_id, changes.site_id).await?;
    }
    let sql = concat!(
        "UPDATE webhook_subscriptions SET
            url = COALESCE($3, url),
            description = COALESCE($4, description),
            events = COALESCE($5, events),
            site_id = CASE WHEN $6 THEN NULL ELSE COALESCE($7, site_id) END,
            enabled = COALESCE($8, enabled),
            disabled_at = CASE WHEN $8 = TRUE THEN NULL ELSE disabled_at END,
            disabled_reason = CASE WHEN $8 = TRUE THEN NULL ELSE disabled_reason END,
            consecutive_failures = CASE WHEN $8 = TRUE THEN 0 ELSE consecutive_failures END,
            failing_since = CASE WHEN $8 = TRUE THEN NULL ELSE failing_since END,
            updated_at = $9
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let row = on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(caller.workspace_id)
            .bind(id)
            .bind(url)
            .bind(description)
            .bind(events)
            .bind(clear_site)
            .bind(changes.site_id)
            .bind(changes.enabled)
            .bind(now())
            .fetch_optional(pool)
            .await
    })?;
    row.ok_or(Error::NotFound("webhook"))
}

/// Replaces the secret; the old one keeps signing (as a second signature) for the grace period.
pub async fn rotate_secret(
    store: &Store,
    settings: &WebhookSettings,
    caller: &Caller,
    id: Uuid,
) -> Result<(SubscriptionRow, String)> {
    caller.require_admin()?;
    let secret = signing::generate_secret();
    let now = now();
    let sql = concat!(
        "UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_expires_at = $3,
            secret = $4, updated_at = $5
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let row = on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(caller.workspace_id)
            .bind(id)
            .bind(now.plus(settings.rotation_grace))
            .bind(&secret)
            .bind(now)
            .fetch_optional(pool)
            .await
    })?;
    Ok((row.ok_or(Error::NotFound("webhook"))?, secret))
}

/// Deletes a subscription with its pending deliveries and its log.
pub async fn delete(store: &Store, caller: &Caller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    let deleted = on_pool!(store, |pool| {
        sqlx::query("DELETE FROM webhook_subscriptions WHERE workspace_id = $1 AND id = $2")
            .bind(caller.workspace_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    if deleted == 0 { Err(Error::NotFound("webhook")) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let settings = WebhookSettings::from_env(&Env::read(&|_| None).unwrap());
        assert_eq!(settings.backoff(1), Duration::from_secs(30));
        assert_eq!(settings.backoff(2), Duration::from_secs(60));
        assert_eq!(settings.backoff(4), Duration::from_secs(240));
        assert_eq!(settings.backoff(40), Duration::from_secs(3600));
    }
}
