//! The retention worker, on every node: deletes what workspaces no longer keep, and
//! uploads nobody sent.
//!
//! Each pass, for every workspace with `retention_days`: conversations whose last
//! activity is older (in batches of [`BATCH`], one transaction each), files older than
//! that in conversations that go on, page views older than that, and visitors left with
//! nothing and not seen since — then one audit entry saying how much. For every
//! workspace: uploads never sent with a message and older than [`UNSENT_UPLOAD_LIFETIME`].
//! Nodes running the same pass at once delete the same rows: deleting twice is harmless.

use std::time::Duration;

use openapi::audit::AuditAction;
use uuid::Uuid;

use crate::{
    audit::{self, Record, Target, Who},
    config::Env,
    error::Result,
    on_pool, on_tx,
    state::AppState,
    store::{Millis, now},
};

/// Uploads not sent with a message within this long are removed.
pub const UNSENT_UPLOAD_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Conversations deleted per transaction.
const BATCH: i64 = 200;

/// How often the worker looks (`RAPPORT_RETENTION_INTERVAL_MS`, default an hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionSettings {
    pub interval: Duration,
}

impl RetentionSettings {
    pub(crate) fn from_env(env: &Env) -> Self {
        Self { interval: env.retention_interval.0 }
    }
}

/// Starts the worker; it stops with the server.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut shutdown = state.realtime.shutdown_signal();
        loop {
            if *shutdown.borrow() {
                break;
            }
            if let Err(err) = pass(&state).await {
                tracing::warn!(error = %err, "retention pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(state.settings.retention.interval) => {}
                changed = shutdown.changed() => if changed.is_err() { break },
            }
        }
    });
}

/// What one workspace's pass deleted.
#[derive(Debug, Default)]
struct Deleted {
    conversations: u64,
    attachments: u64,
    pages: u64,
    visitors: u64,
}

/// One pass over every workspace.
pub async fn pass(state: &AppState) -> Result<()> {
    remove_unsent_uploads(state).await?;
    crate::visitor_mail::limits::forget_old(&state.store).await?;
    let workspaces: Vec<(Uuid, i32)> = on_pool!(&state.store, |pool| {
        sqlx::query_as(
            "SELECT id, retention_days FROM workspaces WHERE retention_days IS NOT NULL AND retention_days > 0",
        )
        .fetch_all(pool)
        .await
    })?;
    for (workspace_id, days) in workspaces {
        let cutoff = Millis(now().0 - i64::from(days) * 86_400_000);
        let deleted = apply(state, workspace_id, cutoff).await?;
        if deleted.conversations + deleted.attachments + deleted.pages + deleted.visitors > 0 {
            let summary = format!(
                "Deleted what is older than {days} days: {} conversation(s), {} file(s), {} page view(s), {} visitor(s)",
                deleted.conversations, deleted.attachments, deleted.pages, deleted.visitors
            );
            let entry = Record {
                workspace_id,
                who: Who::System,
                action: AuditAction::RetentionApplied,
                target: Target { kind: "workspace", id: Some(workspace_id) },
                summary,
                changes: Vec::new(),
                client_ip: None,
            };
            audit::record(state, entry).await;
        }
    }
    Ok(())
}

async fn apply(state: &AppState, workspace_id: Uuid, cutoff: Millis) -> Result<Deleted> {
    let store = &state.store;
    let conversations = crate::privacy::delete_inactive_conversations(store, workspace_id, cutoff, BATCH).await?;
    let mut deleted = Deleted { conversations, ..Deleted::default() };
    let mut tx = store.begin_write().await?;
    // Files older than that in conversations still going on.
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "DELETE FROM attachment_blobs WHERE workspace_id = $1
               AND id IN (SELECT id FROM attachments WHERE workspace_id = $1 AND created_at < $2)",
        )
        .bind(workspace_id)
        .bind(cutoff)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    deleted.attachments = on_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM attachments WHERE workspace_id = $1 AND created_at < $2")
            .bind(workspace_id)
            .bind(cutoff)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    deleted.pages = on_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM visitor_pages WHERE workspace_id = $1 AND viewed_at < $2")
            .bind(workspace_id)
            .bind(cutoff)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    // Visitors left with no conversation and not seen since: their name, email and
    // attributes go too.
    deleted.visitors = on_tx!(&mut tx, |conn| {
        sqlx::query(
            "DELETE FROM visitors WHERE workspace_id = $1 AND last_seen_at < $2
               AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.visitor_id = visitors.id)",
        )
        .bind(workspace_id)
        .bind(cutoff)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    tx.commit().await?;
    Ok(deleted)
}

/// Files uploaded more than a day ago and never sent with a message.
async fn remove_unsent_uploads(state: &AppState) -> Result<()> {
    let cutoff = Millis(now().0 - UNSENT_UPLOAD_LIFETIME.as_millis() as i64);
    // A read first: most passes find nothing, and need not take SQLite's write lock.
    let any: Option<Uuid> = on_pool!(&state.store, |pool| {
        sqlx::query_scalar("SELECT id FROM attachments WHERE message_id IS NULL AND created_at < $1 LIMIT 1")
            .bind(cutoff)
            .fetch_optional(pool)
            .await
    })?;
    if any.is_none() {
        return Ok(());
    }
    let mut tx = state.store.begin_write().await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "DELETE FROM attachment_blobs
             WHERE id IN (SELECT id FROM attachments WHERE message_id IS NULL AND created_at < $1)",
        )
        .bind(cutoff)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let removed = on_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM attachments WHERE message_id IS NULL AND created_at < $1")
            .bind(cutoff)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    tx.commit().await?;
    if removed > 0 {
        tracing::info!(removed, "removed uploads never sent");
    }
    Ok(())
}
