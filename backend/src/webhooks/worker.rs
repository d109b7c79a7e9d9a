//! The delivery worker: one task per node that claims due deliveries and sends them.
//!
//! - **Claiming** is one conditional `UPDATE … RETURNING` that sets a lease
//!   (`claimed_until`); a row whose lease is live is not claimable, and the condition is
//!   re-checked on the locked row, so two nodes never send one delivery at the same time.
//!   A node that dies mid-send leaves a lease that expires, and the delivery is retried
//!   (at least once, never lost; receivers deduplicate on `webhook-id`).
//! - **Ordering per conversation**: a delivery is claimable only when no older delivery
//!   of the same conversation to the same subscription is still pending (in flight or
//!   waiting for a retry).
//! - **Retries** back off exponentially ([`crate::outbox::Retry`]); after
//!   `max_attempts` the delivery is `failed` (and can be replayed).
//! - **Disabling**: consecutive failed attempts are counted per subscription (a success
//!   resets the count); past the threshold, and failing for long enough, the
//!   subscription is disabled with a notice (`disabled_at`, `disabled_reason`) and a
//!   warning in the log.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use uuid::Uuid;

use super::{
    SubscriptionRow, WebhookSettings, columns,
    deliveries::{self, DeliveryRow},
    signing, target,
};
use crate::{
    error::Result,
    on_pool, on_tx,
    outbox::{self, AfterFailure, Lease},
    state::AppState,
    store::{Millis, Store, now},
};

/// Deliveries claimed per round (sent concurrently).
const BATCH: i64 = 16;
/// Stored error texts are cut to this many characters.
const MAX_ERROR_CHARS: usize = 500;

/// Starts the worker; it stops at shutdown (abort the handle to stop it at once: a
/// claimed delivery is then retried when its lease expires).
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let settings = state.settings.webhooks.clone();
        let shutdown = state.realtime.shutdown_signal();
        let rounds = state.metrics.outbox_rounds("webhooks");
        outbox::poll("webhooks", settings.poll_interval, shutdown, rounds, || async {
            // A full batch: more may be due right now.
            Ok(run_once(&state.store, &settings).await? as i64 == BATCH)
        })
        .await;
    })
}

/// Claims and sends one batch; returns how many were claimed.
pub async fn run_once(store: &Store, settings: &WebhookSettings) -> Result<usize> {
    let claimed = claim(store, settings).await?;
    let count = claimed.len();
    join_all(claimed.into_iter().map(|delivery| async move {
        if let Err(err) = deliver(store, settings, delivery).await {
            tracing::error!(error = %err, "recording a webhook attempt failed");
        }
    }))
    .await;
    Ok(count)
}

async fn claim(store: &Store, settings: &WebhookSettings) -> Result<Vec<DeliveryRow>> {
    let now = now();
    // Long enough for the request and its bookkeeping; then another node may take over.
    let lease = Lease(settings.timeout + Duration::from_secs(60)).until(now);
    let sql = concat!(
        "UPDATE webhook_deliveries SET claimed_until = $2
         WHERE id IN (
             SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1
               AND (d.claimed_until IS NULL OR d.claimed_until < $1)
               AND s.enabled = TRUE
               AND NOT EXISTS (
                   SELECT 1 FROM webhook_deliveries e
                   WHERE e.subscription_id = d.subscription_id AND e.conversation_id = d.conversation_id
                     AND e.status = 'pending' AND e.id < d.id)
             ORDER BY d.id LIMIT $3)
           AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $1)
         RETURNING ",
        deliveries::columns!()
    );
    Ok(on_pool!(store, |pool| sqlx::query_as(sql).bind(now).bind(lease).bind(BATCH).fetch_all(pool).await)?)
}

/// What one attempt came to.
struct Outcome {
    status_code: Option<u16>,
    duration: Duration,
    error: Option<String>,
}

async fn deliver(store: &Store, settings: &WebhookSettings, delivery: DeliveryRow) -> Result<()> {
    let sql = concat!("SELECT ", columns!(), " FROM webhook_subscriptions WHERE id = $1");
    let subscription: Option<SubscriptionRow> =
        on_pool!(store, |pool| sqlx::query_as(sql).bind(delivery.subscription_id).fetch_optional(pool).await)?;
    let Some(subscription) = subscription.filter(|s| s.enabled) else {
        // Disabled (or deleted) since the claim: leave it pending for when it is re-enabled.
        release(store, delivery.id).await?;
        return Ok(());
    };
    let outcome = send(settings, &subscription, &delivery).await;
    record(store, settings, &subscription, &delivery, outcome).await
}

async fn send(settings: &WebhookSettings, subscription: &SubscriptionRow, delivery: &DeliveryRow) -> Outcome {
    let started = Instant::now();
    let failed = |error: String| Outcome { status_code: None, duration: started.elapsed(), error: Some(error) };
    let url = match target::parse(&subscription.url) {
        Ok(url) => url,
        Err(why) => return failed(format!("url {why}")),
    };
    // Checked again at every send: DNS may now point somewhere private.
    let addresses = match target::resolve(&url, settings.allow_private).await {
        Ok(addresses) => addresses,
        Err(why) => return failed(format!("refused: url {why}")),
    };
    let mut client = reqwest::Client::builder()
        .timeout(settings.timeout)
        // A redirect could lead anywhere, private networks included: never follow one.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Rapport-Webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(host) =
        url.host_str().filter(|host| host.parse::<std::net::IpAddr>().is_err() && !host.starts_with('['))
    {
        // Connect to exactly the addresses just checked.
        client = client.resolve_to_addrs(host, &addresses);
    }
    let client = match client.build() {
        Ok(client) => client,
        Err(err) => return failed(format!("building the HTTP client: {err}")),
    };
    let webhook_id = deliveries::webhook_id(delivery.event_id);
    let timestamp = now().0 / 1000;
    let mut secrets = vec![subscription.secret.as_str()];
    if let (Some(previous), Some(until)) = (&subscription.previous_secret, subscription.previous_secret_expires_at)
        && until > now()
    {
        secrets.push(previous);
    }
    let signature = signing::header(&secrets, &webhook_id, timestamp, &delivery.payload);
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &webhook_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.payload.clone())
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status();
            Outcome {
                status_code: Some(status.as_u16()),
                duration: started.elapsed(),
                error: (!status.is_success()).then(|| format!("the receiver answered HTTP {}", status.as_u16())),
            }
        }
        Err(err) => failed(describe(&err)),
    }
}

/// The whole chain of a request error ("error sending request: connection refused").
fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() { "timed out".to_owned() } else { err.to_string() };
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

async fn release(store: &Store, delivery_id: Uuid) -> Result<()> {
    on_pool!(store, |pool| {
        sqlx::query("UPDATE webhook_deliveries SET claimed_until = NULL WHERE id = $1")
            .bind(delivery_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Logs the attempt, moves the delivery on, and updates the subscription's failure count,
/// all in one transaction.
async fn record(
    store: &Store,
    settings: &WebhookSettings,
    subscription: &SubscriptionRow,
    delivery: &DeliveryRow,
    outcome: Outcome,
) -> Result<()> {
    let now = now();
    let attempts = delivery.attempts + 1;
    let succeeded = outcome.error.is_none();
    let error = outcome.error.map(|e| e.chars().take(MAX_ERROR_CHARS).collect::<String>());
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(delivery.id)
        .bind(now)
        .bind(outcome.status_code.map(i64::from))
        .bind(outcome.duration.as_millis() as i64)
        .bind(&error)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let retry = settings.retry();
    let (status, next_attempt_at) = match retry.after(attempts as u32) {
        _ if succeeded => ("delivered", now),
        AfterFailure::GiveUp => ("failed", now.plus(retry.delay(attempts as u32))),
        AfterFailure::RetryIn(delay) => ("pending", now.plus(delay)),
    };
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, claimed_until = NULL,
                delivered_at = CASE WHEN $2 = 'delivered' THEN $5 ELSE delivered_at END
             WHERE id = $1",
        )
        .bind(delivery.id)
        .bind(status)
        .bind(attempts)
        .bind(next_attempt_at)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    if succeeded {
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE webhook_subscriptions SET consecutive_failures = 0, failing_since = NULL
                 WHERE id = $1 AND consecutive_failures <> 0",
            )
            .bind(subscription.id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
    } else {
        let (failures, since): (i64, Millis) = on_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1,
                    failing_since = COALESCE(failing_since, $2)
                 WHERE id = $1 RETURNING consecutive_failures, failing_since",
            )
            .bind(subscription.id)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        let failing_for = Duration::from_millis(now.0.saturating_sub(since.0).max(0) as u64);
        if failures >= i64::from(settings.disable_after_failures) && failing_for >= settings.disable_after {
            let reason = format!(
                "disabled automatically after {failures} consecutive failed delivery attempts since {}; last error: {}",
                since.to_utc().to_rfc3339(),
                error.as_deref().unwrap_or("unknown"),
            );
            let disabled = on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "UPDATE webhook_subscriptions SET enabled = FALSE, disabled_at = $2, disabled_reason = $3, updated_at = $2
                     WHERE id = $1 AND enabled = TRUE",
                )
                .bind(subscription.id)
                .bind(now)
                .bind(&reason)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
            })?;
            if disabled > 0 {
                tracing::warn!(
                    webhook_id = %subscription.id, workspace_id = %subscription.workspace_id, url = %subscription.url,
                    %reason, "webhook subscription disabled"
                );
            }
        }
    }
    tx.commit().await?;
    Ok(())
}
