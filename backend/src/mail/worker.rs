//! The background sender. Every node runs one; they share the outbox through the
//! database and never work on the same row at once:
//!
//! - **claim**: read a due candidate, then `UPDATE … SET claimed_by, claimed_until
//!   WHERE id = $1 AND <still claimable>` (compare-and-set). The condition is re-checked
//!   on the row actually updated (PostgreSQL re-evaluates it after waiting for a
//!   concurrent update; SQLite runs one writer at a time), so of two nodes racing for a
//!   row one gets it and the other moves on. A node that dies mid-send loses its lease after [`LEASE`], and the row is
//!   retried with the same `Message-ID`.
//! - **prepare** a `pending` row (decide, render, store the bytes) — see [`super::prepare`].
//! - **send**, then record `sent` only while still holding the claim; a failure records
//!   `last_error` and schedules the next attempt after an exponential backoff, until
//!   `RAPPORT_MAIL_MAX_ATTEMPTS` marks it `failed`.

use std::time::Duration;

use uuid::Uuid;

use super::{
    OutboxRow, columns,
    prepare::{self, Prepared},
    transport::Transport,
};
use crate::{
    error::Result,
    on_pool,
    outbox::{self, AfterFailure, Lease, MAX_RETRY_DELAY, Retry},
    state::AppState,
    store::{Millis, now},
};

/// How long a claim lasts: longer than one SMTP exchange may take (30 s timeout).
const LEASE: Lease = Lease(Duration::from_secs(120));
/// Mails handled per wake-up before sleeping again (keeps one node from hogging a backlog).
const BATCH: usize = 50;

/// Starts the sender for this node; it stops when the server shuts down.
pub fn spawn(state: AppState) {
    let mail = &state.settings.mail;
    let transport = match Transport::new(&mail.transport, &state.settings.data_dir, mail.message_id_domain()) {
        Ok(transport) => transport,
        Err(err) => {
            tracing::error!(error = %err, "mail transport unusable; no mail will be sent");
            return;
        }
    };
    tokio::spawn(run(state, transport));
}

async fn run(state: AppState, transport: Transport) {
    let worker = Worker { id: Uuid::now_v7().to_string(), state, transport };
    let shutdown = worker.state.realtime.shutdown_signal();
    let interval = worker.state.settings.mail.poll_interval;
    let rounds = worker.state.metrics.outbox_rounds("mail");
    outbox::poll("mail", interval, shutdown, rounds, || worker.round()).await;
}

enum Claim {
    Got(Box<OutboxRow>),
    /// Another node claimed the candidate first.
    Lost,
    Nothing,
}

struct Worker {
    /// Written into `claimed_by`: which node holds (or last held) a row.
    id: String,
    state: AppState,
    transport: Transport,
}

impl Worker {
    /// Works through up to [`BATCH`] due mails; `Ok(true)` when there may be more.
    async fn round(&self) -> Result<bool> {
        for _ in 0..BATCH {
            match self.claim().await? {
                Claim::Got(row) => self.handle(*row).await,
                Claim::Lost => continue, // Another node took it; look for the next one.
                Claim::Nothing => return Ok(false),
            }
        }
        Ok(true)
    }

    /// Claims one due row: find a candidate (a read, so idle polling never takes
    /// SQLite's write lock), then compare-and-set the claim on it.
    async fn claim(&self) -> Result<Claim> {
        let now = now();
        let continuity_due = Millis(now.0 - self.state.settings.mail.continuity_delay.as_millis() as i64);
        let candidate: Option<Uuid> = on_pool!(&self.state.store, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM mail_outbox
                 WHERE ((state = 'queued' AND next_attempt_at <= $1)
                     OR (state = 'pending' AND next_attempt_at <= CASE WHEN kind = 'continuity' THEN $2 ELSE $1 END))
                   AND (claimed_until IS NULL OR claimed_until < $1)
                 ORDER BY next_attempt_at LIMIT 1",
            )
            .bind(now)
            .bind(continuity_due)
            .fetch_optional(pool)
            .await
        })?;
        let Some(candidate) = candidate else {
            return Ok(Claim::Nothing);
        };
        // Re-checked on the row itself: PostgreSQL re-evaluates this condition after
        // waiting for a concurrent update of the row, and SQLite has one writer at a time.
        let sql = concat!(
            "UPDATE mail_outbox SET claimed_by = $2, claimed_until = $3
             WHERE id = $1 AND state IN ('pending', 'queued') AND (claimed_until IS NULL OR claimed_until < $4)
             RETURNING ",
            columns!()
        );
        let row: Option<OutboxRow> = on_pool!(&self.state.store, |pool| {
            sqlx::query_as(sql)
                .bind(candidate)
                .bind(&self.id)
                .bind(LEASE.until(now))
                .bind(now)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map_or(Claim::Lost, |row| Claim::Got(Box::new(row))))
    }

    async fn handle(&self, row: OutboxRow) {
        let id = row.id;
        if let Err(err) = self.work(row).await {
            tracing::error!(mail = %id, error = %err, "mail could not be prepared");
            // Release with a retry later, like a send failure.
            let _ = self.failed(id, &format!("preparing: {err}")).await;
        }
    }

    async fn work(&self, mut row: OutboxRow) -> Result<()> {
        if row.state == "pending" {
            match prepare::prepare(&self.state, &row).await? {
                Prepared::Skip(reason) => return self.finish_skipped(row.id, &reason).await,
                Prepared::Ready(rendered) => {
                    let updated = on_pool!(&self.state.store, |pool| {
                        sqlx::query(
                            "UPDATE mail_outbox SET state = 'queued', recipient = $3, subject = $4, message_id = $5,
                                through_seq = $6, raw = $7
                             WHERE id = $1 AND claimed_by = $2 AND state = 'pending'",
                        )
                        .bind(row.id)
                        .bind(&self.id)
                        .bind(&rendered.recipient)
                        .bind(&rendered.subject)
                        .bind(&rendered.message_id)
                        .bind(rendered.through_seq)
                        .bind(&rendered.raw)
                        .execute(pool)
                        .await
                        .map(|done| done.rows_affected())
                    })?;
                    if updated == 0 {
                        return Ok(()); // Lost the claim; whoever holds it carries on.
                    }
                    row.recipient = Some(rendered.recipient);
                    row.raw = Some(rendered.raw);
                }
            }
        }
        let (Some(recipient), Some(raw)) = (&row.recipient, &row.raw) else {
            return self.failed(row.id, "queued without content").await;
        };
        let from = envelope_sender(raw).unwrap_or_else(|| self.state.settings.mail.from_address.clone());
        match self.transport.send(row.id, &from, recipient, raw).await {
            Ok(()) => {
                on_pool!(&self.state.store, |pool| {
                    sqlx::query(
                        // Mails that carry a one-time link keep no copy of it once sent, nor does
                        // an account notice, which names the address's other workspaces.
                        "UPDATE mail_outbox SET state = 'sent', attempts = attempts + 1, sent_at = $3, claimed_until = NULL,
                            raw = CASE WHEN kind IN ('transcript_confirmation', 'password_reset', 'invitation', 'account_notice')
                                THEN NULL ELSE raw END
                         WHERE id = $1 AND claimed_by = $2",
                    )
                    .bind(row.id)
                    .bind(&self.id)
                    .bind(now())
                    .execute(pool)
                    .await
                    .map(|done| done.rows_affected())
                })?;
                tracing::info!(mail = %row.id, kind = %row.kind, "mail sent");
                Ok(())
            }
            Err(err) => {
                tracing::warn!(mail = %row.id, attempt = row.attempts + 1, error = %err, "sending mail failed");
                self.failed(row.id, &err).await
            }
        }
    }

    async fn finish_skipped(&self, id: Uuid, reason: &str) -> Result<()> {
        on_pool!(&self.state.store, |pool| {
            sqlx::query("UPDATE mail_outbox SET state = 'skipped', last_error = $3, claimed_until = NULL WHERE id = $1 AND claimed_by = $2")
                .bind(id)
                .bind(&self.id)
                .bind(reason)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        tracing::debug!(mail = %id, reason, "mail skipped");
        Ok(())
    }

    /// Records a failed attempt: retry after a doubling delay, or give up.
    async fn failed(&self, id: Uuid, error: &str) -> Result<()> {
        let mail = &self.state.settings.mail;
        let attempts: Option<i64> = on_pool!(&self.state.store, |pool| {
            sqlx::query_scalar("SELECT attempts FROM mail_outbox WHERE id = $1 AND claimed_by = $2")
                .bind(id)
                .bind(&self.id)
                .fetch_optional(pool)
                .await
        })?;
        let Some(attempts) = attempts.map(|a| a + 1) else {
            return Ok(());
        };
        let retry = Retry { base: mail.retry_base, max_attempts: mail.max_attempts as u32, max_delay: MAX_RETRY_DELAY };
        let (give_up, backoff) = match retry.after(attempts as u32) {
            AfterFailure::GiveUp => (true, retry.delay(attempts as u32)),
            AfterFailure::RetryIn(delay) => (false, delay),
        };
        let error: String = error.chars().take(1000).collect();
        on_pool!(&self.state.store, |pool| {
            sqlx::query(
                "UPDATE mail_outbox SET attempts = $3, last_error = $4, next_attempt_at = $5, claimed_until = NULL,
                    state = CASE WHEN $6 THEN 'failed' ELSE state END
                 WHERE id = $1 AND claimed_by = $2",
            )
            .bind(id)
            .bind(&self.id)
            .bind(attempts)
            .bind(&error)
            .bind(now().plus(backoff))
            .bind(give_up)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }
}

/// The address in the rendered `From:` header, used as the envelope sender too.
fn envelope_sender(raw: &[u8]) -> Option<String> {
    let message = mail_parser::MessageParser::default().parse_headers(raw)?;
    let from = message.from()?.first()?.address()?;
    Some(from.to_owned())
}
