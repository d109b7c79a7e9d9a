//! Who has a conversation, and whether it waits: the changes routing decides on, made here
//! where the conversation's row is owned. Each one writes its webhook deliveries and
//! records its change in the caller's transaction.

use openapi::realtime::ConversationChange;
use uuid::Uuid;

use super::{ConversationRow, columns, record_change};
use crate::{
    error::{Error, Result},
    on_pool, on_tx,
    store::{Millis, Store, Tx, is_foreign_key_violation, now},
};

/// Assigns a conversation that has no agent. `None` when it has one by now (or is not in
/// one of `statuses`): the caller lost the race and must not commit.
pub async fn assign_if_waiting(
    tx: &mut Tx,
    workspace_id: Uuid,
    id: Uuid,
    agent_id: Uuid,
    statuses: &[&str],
) -> Result<Option<ConversationRow>> {
    let sql = concat!(
        "UPDATE conversations SET assignee_id = $3, queued_at = NULL, updated_at = $4,
            first_assigned_at = COALESCE(first_assigned_at, $4)
         WHERE workspace_id = $1 AND id = $2 AND assignee_id IS NULL AND (status = $5 OR status = $6)
         RETURNING ",
        columns!()
    );
    let first = statuses.first().copied().unwrap_or("open");
    let second = statuses.get(1).copied().unwrap_or(first);
    let now = now();
    let row: Option<ConversationRow> = on_tx!(&mut *tx, |conn| {
        sqlx::query_as(sql)
            .bind(workspace_id)
            .bind(id)
            .bind(agent_id)
            .bind(now)
            .bind(first)
            .bind(second)
            .fetch_optional(conn)
            .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let before = ConversationRow { assignee_id: None, ..row.clone() };
    crate::webhooks::conversation_updated(tx, &before, &row).await?;
    let row = super::feed::advance(tx, row).await?;
    record_change(tx, ConversationChange::Assigned, &row)?;
    Ok(Some(row))
}

/// Hands a conversation to an agent, whoever had it. The caller writes the webhook (it
/// knows what the conversation was) and records the change once its note is stored (the
/// note moves the conversation in the feed).
pub async fn hand_to_agent(
    tx: &mut Tx,
    workspace_id: Uuid,
    id: Uuid,
    agent_id: Uuid,
) -> Result<Option<ConversationRow>> {
    let sql = concat!(
        "UPDATE conversations SET assignee_id = $3, queued_at = NULL, updated_at = $4,
            first_assigned_at = COALESCE(first_assigned_at, $4)
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let now = now();
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(sql).bind(workspace_id).bind(id).bind(agent_id).bind(now).fetch_optional(conn).await
    })?)
}

/// Puts a conversation in a team's queue, without an agent (as [`hand_to_agent`]).
pub async fn hand_to_team(tx: &mut Tx, workspace_id: Uuid, id: Uuid, team_id: Uuid) -> Result<Option<ConversationRow>> {
    let sql = concat!(
        "UPDATE conversations SET team_id = $3, assignee_id = NULL, updated_at = $4,
            queued_at = CASE WHEN status = 'open' THEN $4 ELSE NULL END
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let now = now();
    match on_tx!(tx, |conn| {
        sqlx::query_as(sql).bind(workspace_id).bind(id).bind(team_id).bind(now).fetch_optional(conn).await
    }) {
        // Callers check the team first, outside the transaction; it was deleted since.
        Err(err) if is_foreign_key_violation(&err) => Err(team_gone()),
        done => Ok(done?),
    }
}

/// The answer when the team a conversation is given to is not there (any more).
pub fn team_gone() -> Error {
    Error::invalid("team_id", "is not a team of this workspace")
}

/// Takes a team being deleted off its conversations (each keeps its agent, and waits in
/// the workspace's queue if it waited in the team's); returns how many. Locked in id
/// order, as a batch of messages locks them, and each moved in the feed, so consoles stop
/// showing the team. Left to the team's foreign key (`ON DELETE SET NULL`), they changed
/// in the order its scan met them, which deadlocked with a batch on PostgreSQL, and
/// silently: consoles kept showing a team that was gone.
///
/// On PostgreSQL a conversation may be handed to the team while this runs. So the team's
/// row is locked next (after its conversations, the order a hand-over takes them in): a
/// hand-over already under way finishes first and its conversation is taken off in a
/// second pass; a later one waits and then finds the team gone. (SQLite: the write turn.)
pub async fn leave_team(tx: &mut Tx, workspace_id: Uuid, team_id: Uuid) -> Result<usize> {
    let mut left = take_off_team(tx, workspace_id, team_id).await?;
    if tx.is_postgres() {
        on_tx!(&mut *tx, |conn| {
            sqlx::query_scalar::<_, Uuid>("SELECT id FROM teams WHERE workspace_id = $1 AND id = $2 FOR UPDATE")
                .bind(workspace_id)
                .bind(team_id)
                .fetch_optional(conn)
                .await
        })?;
        left += take_off_team(tx, workspace_id, team_id).await?;
    }
    Ok(left)
}

/// One pass of [`leave_team`]: the conversations in the team now.
async fn take_off_team(tx: &mut Tx, workspace_id: Uuid, team_id: Uuid) -> Result<usize> {
    let ids: Vec<Uuid> = on_tx!(&mut *tx, |conn| {
        sqlx::query_scalar("SELECT id FROM conversations WHERE workspace_id = $1 AND team_id = $2 ORDER BY id")
            .bind(workspace_id)
            .bind(team_id)
            .fetch_all(conn)
            .await
    })?;
    let mut left = 0;
    for mut row in super::batch::lock_in(tx, &ids).await? {
        // Read again under the lock: it may have moved to another team meanwhile.
        if row.team_id != Some(team_id) {
            continue;
        }
        on_tx!(&mut *tx, |conn| {
            sqlx::query("UPDATE conversations SET team_id = NULL WHERE id = $1")
                .bind(row.id)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        row.team_id = None;
        let row = super::feed::advance(tx, row).await?;
        record_change(tx, ConversationChange::Updated, &row)?;
        left += 1;
    }
    Ok(left)
}

/// Puts every open conversation of `agent_id` back in the queue, with their webhooks; the
/// caller adds each one's note and records its change.
pub async fn return_to_queue(tx: &mut Tx, workspace_id: Uuid, agent_id: Uuid) -> Result<Vec<ConversationRow>> {
    let sql = concat!(
        "UPDATE conversations SET assignee_id = NULL, queued_at = $3, updated_at = $3
         WHERE workspace_id = $1 AND assignee_id = $2 AND status = 'open' RETURNING ",
        columns!()
    );
    let now = now();
    if let Some(conn) = tx.postgres() {
        // Locked first in id order, as a batch of messages locks them (see
        // `labels::replace`): the `UPDATE` alone locks them in the order its scan meets them.
        sqlx::query(
            "SELECT id FROM conversations WHERE workspace_id = $1 AND assignee_id = $2 AND status = 'open'
             ORDER BY id FOR NO KEY UPDATE",
        )
        .bind(workspace_id)
        .bind(agent_id)
        .execute(conn)
        .await?;
    }
    let rows: Vec<ConversationRow> = on_tx!(&mut *tx, |conn| {
        sqlx::query_as(sql).bind(workspace_id).bind(agent_id).bind(now).fetch_all(conn).await
    })?;
    for row in &rows {
        let before = ConversationRow { assignee_id: Some(agent_id), ..row.clone() };
        crate::webhooks::conversation_updated(tx, &before, row).await?;
    }
    Ok(rows)
}

/// Whether any snoozed conversation is due, read without taking the write lock (the
/// router asks every pass; on SQLite a write transaction would queue behind messages).
pub async fn any_snooze_due(store: &Store, now: Millis) -> Result<bool> {
    // `1` is an INTEGER (i32) on PostgreSQL: read as i64 there, every pass failed.
    let due: Option<i32> = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT 1 FROM conversations WHERE status = 'snoozed' AND snoozed_until <= $1 LIMIT 1")
            .bind(now)
            .fetch_optional(pool)
            .await
    })?;
    Ok(due.is_some())
}

/// Snoozed conversations whose time has come open again: with their agent if they have
/// one, otherwise back in the queue.
pub async fn wake_snoozed(tx: &mut Tx, now: Millis) -> Result<Vec<ConversationRow>> {
    let sql = concat!(
        "UPDATE conversations SET status = 'open', snoozed_until = NULL, updated_at = $1,
            queued_at = CASE WHEN assignee_id IS NULL THEN $1 ELSE NULL END
         WHERE status = 'snoozed' AND snoozed_until <= $1 RETURNING ",
        columns!()
    );
    if let Some(conn) = tx.postgres() {
        // Locked first in id order, as in `return_to_queue`.
        sqlx::query("SELECT id FROM conversations WHERE status = 'snoozed' AND snoozed_until <= $1 ORDER BY id FOR NO KEY UPDATE")
            .bind(now)
            .execute(conn)
            .await?;
    }
    let rows: Vec<ConversationRow> = on_tx!(&mut *tx, |conn| sqlx::query_as(sql).bind(now).fetch_all(conn).await)?;
    let mut woken = Vec::with_capacity(rows.len());
    for row in rows {
        let before = ConversationRow { status: "snoozed".into(), ..row.clone() };
        crate::webhooks::conversation_updated(tx, &before, &row).await?;
        let row = super::feed::advance(tx, row).await?;
        record_change(tx, ConversationChange::StatusChanged, &row)?;
        woken.push(row);
    }
    Ok(woken)
}
