//! The push sender: one task per node. It claims due outbox rows with a lease (a
//! conditional `UPDATE … RETURNING`, so two nodes never take the same row), works out who
//! gets the alert at that moment (agents who want it and have no console open), and posts
//! an encrypted, VAPID-signed message to each of their browsers' push services. A browser
//! the service says is gone (404, 410) is forgotten; another failure is retried for that
//! browser alone, with backoff, a few times.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use super::{SubscriptionRow, encrypt, vapid::Vapid};
use crate::{
    error::Result,
    on_pool,
    outbox::{self, AfterFailure, Lease, Retry},
    state::AppState,
    store::now,
};

/// How often each node looks for due alerts.
const POLL: Duration = Duration::from_millis(500);
/// Rows per claim.
const BATCH: i64 = 20;
/// How long a claimed row is this node's (a round posts to a few push services, each
/// allowed 10 s).
const LEASE: Lease = Lease(Duration::from_secs(60));
/// A browser's failed alert is tried again after 5 s, 10 s, 20 s, 40 s, then given up:
/// an alert an hour late is noise.
const RETRY: Retry = Retry { base: Duration::from_secs(5), max_attempts: 5, max_delay: Duration::from_secs(60) };
/// How long a push service may keep an undelivered alert (a day: later it is stale).
const TTL_SECS: u32 = 86_400;

#[derive(Debug, Clone, sqlx::FromRow)]
struct OutboxRow {
    id: Uuid,
    workspace_id: Uuid,
    kind: String,
    conversation_id: Uuid,
    agent_id: Option<Uuid>,
    subscription_id: Option<Uuid>,
    attempts: i64,
}

/// Starts the sender; it stops at shutdown (an alert claimed then is sent again once
/// its lease lapses).
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = state.realtime.shutdown_signal();
        let vapid = loop {
            match Vapid::load_or_create(&state.store).await {
                Ok(vapid) => break vapid,
                Err(err) => {
                    tracing::error!(error = %err, "loading the VAPID key failed; push alerts wait");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
            if *shutdown.borrow() {
                return;
            }
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Rapport-Push/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client");
        let rounds = state.metrics.outbox_rounds("push");
        outbox::poll("push", POLL, shutdown, rounds, || async {
            // A full batch: more may be due right now.
            Ok(round(&state, &vapid, &http).await? as i64 == BATCH)
        })
        .await;
    })
}

async fn round(state: &AppState, vapid: &Vapid, http: &reqwest::Client) -> Result<usize> {
    let at = now();
    let rows: Vec<OutboxRow> = on_pool!(&state.store, |pool| {
        sqlx::query_as(
            "UPDATE push_outbox SET claimed_until = $2
             WHERE id IN (SELECT id FROM push_outbox
                          WHERE state = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
                          ORDER BY id LIMIT $3)
               AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $1)
             RETURNING id, workspace_id, kind, conversation_id, agent_id, subscription_id, attempts",
        )
        .bind(at)
        .bind(LEASE.until(at))
        .bind(BATCH)
        .fetch_all(pool)
        .await
    })?;
    let mut rows = rows;
    // In the order they were caused.
    rows.sort_by_key(|r| r.id);
    let count = rows.len();
    for row in rows {
        let outcome = work(state, vapid, http, &row).await;
        let (state_text, error) = match &outcome {
            Ok(()) => ("done", None),
            Err(err) => ("failed", Some(err.to_string())),
        };
        on_pool!(&state.store, |pool| {
            sqlx::query("UPDATE push_outbox SET state = $2, last_error = $3, claimed_until = NULL WHERE id = $1")
                .bind(row.id)
                .bind(state_text)
                .bind(error.as_deref())
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    Ok(count)
}

/// Who gets the alert: browsers of agents who want this kind and have no console open.
async fn recipients(state: &AppState, row: &OutboxRow) -> Result<Vec<SubscriptionRow>> {
    let columns = "s.id, s.agent_id, s.endpoint, s.p256dh, s.auth, s.created_at";
    let rows: Vec<SubscriptionRow> = if let Some(subscription) = row.subscription_id {
        let sql = format!("SELECT {columns} FROM push_subscriptions s WHERE s.id = $1");
        on_pool!(&state.store, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(subscription).fetch_all(pool).await
        })?
    } else {
        let wants = if row.kind == "assigned" { "p.assigned" } else { "p.new_conversations" };
        let sql = format!(
            "SELECT {columns} FROM push_subscriptions s JOIN agents a ON a.id = s.agent_id
             LEFT JOIN push_preferences p ON p.agent_id = a.id
             WHERE s.workspace_id = $1 AND a.active = TRUE AND COALESCE({wants}, TRUE) = TRUE
               AND ($2 IS NULL OR a.id = $2)
             ORDER BY s.id"
        );
        on_pool!(&state.store, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(row.workspace_id)
                .bind(row.agent_id)
                .fetch_all(pool)
                .await
        })?
    };
    // A console that is open (online or away) already rings: no push for its agent.
    let present = crate::realtime::presence::agents(state.realtime.presence.as_ref(), row.workspace_id).await?;
    Ok(rows.into_iter().filter(|s| !present.contains_key(&s.agent_id)).collect())
}

/// The alert's words: who (the visitor) and what (what they wrote).
async fn message(state: &AppState, row: &OutboxRow) -> Result<serde_json::Value> {
    let (name, email): (Option<String>, Option<String>) = on_pool!(&state.store, |pool| {
        sqlx::query_as(
            "SELECT v.name, v.email FROM conversations c JOIN visitors v ON v.id = c.visitor_id
             WHERE c.id = $1 AND c.workspace_id = $2",
        )
        .bind(row.conversation_id)
        .bind(row.workspace_id)
        .fetch_optional(pool)
        .await
    })?
    .unwrap_or_default();
    let said: Option<String> = on_pool!(&state.store, |pool| {
        sqlx::query_scalar(
            "SELECT body FROM messages WHERE conversation_id = $1 AND author_kind = 'visitor' ORDER BY seq DESC LIMIT 1",
        )
        .bind(row.conversation_id)
        .fetch_optional(pool)
        .await
    })?;
    let who = name.or(email).unwrap_or_else(|| {
        let simple = row.conversation_id.simple().to_string();
        format!("A visitor ({})", &simple[simple.len() - 4..])
    });
    let title =
        if row.kind == "assigned" { format!("Assigned to you: {who}") } else { format!("New conversation: {who}") };
    let body: String = said.unwrap_or_default().chars().take(140).collect();
    let url = format!("{}/console/?conversation={}", state.settings.public_url, row.conversation_id);
    Ok(serde_json::json!({
        "title": title,
        "body": body,
        "conversation_id": row.conversation_id,
        "url": url,
        "tag": format!("rapport-{}", row.conversation_id),
    }))
}

/// How this server names itself to push services: its https URL, or a mail address.
fn subject(state: &AppState) -> String {
    if state.settings.public_url.starts_with("https://") {
        state.settings.public_url.clone()
    } else {
        format!("mailto:{}", state.settings.mail.from_address)
    }
}

async fn work(state: &AppState, vapid: &Vapid, http: &reqwest::Client, row: &OutboxRow) -> Result<()> {
    let recipients = recipients(state, row).await?;
    if recipients.is_empty() {
        return Ok(());
    }
    let payload = message(state, row).await?.to_string();
    for subscription in recipients {
        match send(state, vapid, http, &subscription, payload.as_bytes()).await {
            Sent::Ok => {}
            Sent::Gone => forget(state, subscription.id).await?,
            Sent::Failed(why) => retry(state, row, &subscription, &why).await?,
        }
    }
    Ok(())
}

enum Sent {
    Ok,
    /// The push service no longer knows this browser.
    Gone,
    Failed(String),
}

async fn send(state: &AppState, vapid: &Vapid, http: &reqwest::Client, to: &SubscriptionRow, payload: &[u8]) -> Sent {
    let Ok(url) = crate::webhooks::target::parse(&to.endpoint) else { return Sent::Gone };
    // Checked at every send: DNS may now point somewhere private.
    if let Err(why) = crate::webhooks::target::resolve(&url, state.settings.webhooks.allow_private).await {
        return Sent::Failed(format!("refused: endpoint {why}"));
    }
    let keys = (URL_SAFE_NO_PAD.decode(&to.p256dh), URL_SAFE_NO_PAD.decode(&to.auth));
    let (Ok(p256dh), Ok(auth)) = keys else { return Sent::Gone };
    let Ok(receiver) = encrypt::Receiver::parse(&p256dh, &auth) else { return Sent::Gone };
    let body = encrypt::encrypt(&receiver, payload);
    let response = http
        .post(url.clone())
        .header("authorization", vapid.authorization(&url, &subject(state)))
        .header("content-encoding", "aes128gcm")
        .header("content-type", "application/octet-stream")
        .header("ttl", TTL_SECS.to_string())
        .header("urgency", "high")
        .body(body)
        .send()
        .await;
    match response {
        Ok(r) if r.status().is_success() => Sent::Ok,
        Ok(r) if matches!(r.status().as_u16(), 404 | 410) => Sent::Gone,
        Ok(r) => Sent::Failed(format!("the push service answered {}", r.status())),
        Err(err) => Sent::Failed(format!("the push service could not be reached: {err}")),
    }
}

async fn forget(state: &AppState, subscription: Uuid) -> Result<()> {
    on_pool!(&state.store, |pool| {
        sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
            .bind(subscription)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Tries that one browser again later (the others got it).
async fn retry(state: &AppState, row: &OutboxRow, to: &SubscriptionRow, why: &str) -> Result<()> {
    let attempts = row.attempts + 1;
    let delay = match RETRY.after(attempts as u32) {
        AfterFailure::RetryIn(delay) => delay,
        AfterFailure::GiveUp => {
            tracing::warn!(subscription = %to.id, error = why, "a push alert was given up");
            return Ok(());
        }
    };
    let due = now().plus(delay);
    on_pool!(&state.store, |pool| {
        sqlx::query(
            "INSERT INTO push_outbox (id, workspace_id, kind, conversation_id, agent_id, subscription_id, state, attempts,
                next_attempt_at, last_error, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10)",
        )
        .bind(Uuid::now_v7())
        .bind(row.workspace_id)
        .bind(&row.kind)
        .bind(row.conversation_id)
        .bind(row.agent_id)
        .bind(to.id)
        .bind(attempts)
        .bind(due)
        .bind(why)
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}
