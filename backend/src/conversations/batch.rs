//! Conversations as a batch of messages changes them: locked together, changed in memory
//! by [`ConversationRow::take_message`], written back in one statement.

use std::collections::HashSet;

use openapi::{
    conversations::ConversationStatus,
    messages::{AuthorKind, MessageKind},
};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{ConversationRow, columns, feed};
use crate::{
    error::{Error, Result},
    messages::Author,
    on_tx,
    store::{Millis, StoredEnum, Tx, sqlite_chunks, values_list},
};

/// [`lock_in`] on PostgreSQL: each id sought through the primary key, locked in id order.
///
/// Every batch of messages runs this and [`SAVE_ON_POSTGRES`] (or
/// [`SAVE_WITH_FEED_ON_POSTGRES`]), so their plans matter. Written as `WHERE id = ANY($1)`
/// and `UPDATE .. FROM UNNEST(..) WHERE id = v.column1`, the plans PostgreSQL caches for
/// them, when made while `conversations` is small (a new database: a node's first batches
/// start its first conversations), scan the whole table, and stay cached as it grows: at
/// 9,000 msg/s in the side-by-side benchmark every batch read every conversation twice.
/// A lookup per id in a `LATERAL` subquery that locks (or takes one row) cannot be
/// flattened into such a join: its plan is an index scan whatever the statistics say.
/// Public for the conformance test that checks the plans.
pub const LOCK_ON_POSTGRES: &str = concat!(
    "SELECT c.* FROM (SELECT DISTINCT id FROM UNNEST($1::uuid[]) AS k (id) ORDER BY id) k
     CROSS JOIN LATERAL (SELECT ",
    columns!(),
    " FROM conversations WHERE id = k.id FOR NO KEY UPDATE) c ORDER BY k.id"
);

/// Locks the conversations `ids` (sorted, without repeats) for the rest of `tx` and reads
/// them as they are. Missing ids are left out.
///
/// On PostgreSQL, rows are locked in id order, so two nodes writing to overlapping sets
/// of conversations wait for each other instead of deadlocking; `NO KEY UPDATE` still lets
/// others insert rows that reference them (read cursors, uploads). SQLite's transaction
/// already holds the database's write lock.
pub async fn lock_in(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<ConversationRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(conn) = tx.postgres() {
        return Ok(sqlx::query_as(LOCK_ON_POSTGRES).bind(ids).fetch_all(conn).await?);
    }
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in sqlite_chunks(ids) {
        let sql = format!(
            "SELECT {} FROM conversations WHERE id IN (VALUES {}) ORDER BY id",
            columns!(),
            values_list(false, chunk.len(), 1)
        );
        rows.extend(on_tx!(tx, |conn| {
            let mut query = sqlx::query_as(AssertSqlSafe(sql.as_str())).persistent(true);
            for id in chunk {
                query = query.bind(id);
            }
            query.fetch_all(conn).await
        })?);
    }
    Ok(rows)
}

/// A locked conversation being changed by a batch.
#[derive(Debug)]
pub struct Changing {
    /// As it was read.
    pub before: ConversationRow,
    /// As the batch leaves it.
    pub row: ConversationRow,
    /// Visitors' and agents' text messages added (the reports' messages per conversation).
    pub text_added: i64,
}

impl Changing {
    pub fn new(row: ConversationRow) -> Self {
        Self { before: row.clone(), row, text_added: 0 }
    }

    /// Whether the batch wrote anything into it (every accepted message does).
    pub fn changed(&self) -> bool {
        self.row.last_seq != self.before.last_seq
    }
}

impl ConversationRow {
    /// What a new message does to its conversation; returns the message's `seq`.
    ///
    /// - it takes the next `seq`;
    /// - a visitor writing again reopens a pending, snoozed or resolved conversation, and
    ///   one nobody is assigned to waits in the queue (from when it first did);
    /// - the team's first public reply is the first response;
    /// - an agent who answers a conversation nobody has takes it, as in every support
    ///   inbox, so two agents don't keep answering the same visitor (notes and integrations
    ///   don't take it, nor does a reply to a conversation that is not open or pending).
    pub fn take_message(&mut self, author: Author, kind: MessageKind, at: Millis) -> i64 {
        self.last_seq += 1;
        self.updated_at = at;
        let public_text = kind == MessageKind::Text;
        match author.kind {
            AuthorKind::Visitor => {
                self.status = ConversationStatus::Open.as_db().into();
                self.snoozed_until = None;
                if self.assignee_id.is_none() {
                    self.queued_at.get_or_insert(at);
                }
            }
            AuthorKind::Agent | AuthorKind::Integration if public_text => {
                self.first_response_at.get_or_insert(at);
                let waiting = self.status == "open" || self.status == "pending";
                if let (AuthorKind::Agent, Some(agent_id), None, true) =
                    (author.kind, author.id, self.assignee_id, waiting)
                {
                    self.assignee_id = Some(agent_id);
                    self.queued_at = None;
                    self.first_assigned_at.get_or_insert(at);
                }
            }
            _ => {}
        }
        self.last_seq
    }
}

/// Whether a message counts in the reports' messages per conversation: what visitors and
/// agents wrote, not notes, not system lines, not integrations.
pub fn counts_as_text(author: Author, kind: MessageKind) -> bool {
    kind == MessageKind::Text && matches!(author.kind, AuthorKind::Visitor | AuthorKind::Agent)
}

/// Writes back what a batch changed (`changed`, ordered by workspace, then id), each
/// conversation taking its workspace's next feed position in that order. Returns the
/// workspaces that have an enabled webhook subscription (see [`feed::Taken`]).
///
/// On PostgreSQL, when the batch is one workspace's (a node's usual batch), the feed
/// counter is taken by the same statement, in a `WITH` clause: one round trip fewer, and
/// at 1,000 msg/s each is a tenth of a batch's time. Several workspaces take theirs one
/// by one, in id order, so two nodes lock workspace rows in the same order; SQLite
/// cannot update inside `WITH`, and its round trips stay in-process.
pub async fn save_in(tx: &mut Tx, changed: &mut [&mut Changing]) -> Result<HashSet<Uuid>> {
    let mut hooked = HashSet::new();
    let Some(first) = changed.first() else { return Ok(hooked) };
    let workspace_id = first.row.workspace_id;
    if let Some(conn) = tx.postgres().filter(|_| changed.iter().all(|c| c.row.workspace_id == workspace_id)) {
        if save_with_feed(conn, changed).await? {
            hooked.insert(workspace_id);
        }
        return Ok(hooked);
    }
    for group in changed.chunk_by_mut(|a, b| a.row.workspace_id == b.row.workspace_id) {
        let workspace_id = group[0].row.workspace_id;
        let taken = feed::next_seqs(tx, workspace_id, group.len() as i64).await?;
        if taken.webhooks {
            hooked.insert(workspace_id);
        }
        for (n, changing) in group.iter_mut().enumerate() {
            changing.row.feed_seq = taken.first + n as i64;
        }
    }
    save(tx, changed).await?;
    Ok(hooked)
}

/// The columns a batch changes, from `v`, the `VALUES` list [`bind_changes`] fills (on
/// PostgreSQL, the arrays of [`changes_as_arrays`]); its eleventh column is the feed position, or in
/// [`save_with_feed`] the offset from the workspace's counter.
const CHANGES: usize = 11;
macro_rules! set_changes {
    () => {
        "last_seq = v.column2, updated_at = v.column3, status = v.column4,
    first_response_at = v.column5, queued_at = v.column6, snoozed_until = v.column7,
    assignee_id = v.column8, first_assigned_at = v.column9, text_messages = text_messages + v.column10"
    };
}
const SET_CHANGES: &str = set_changes!();

/// Binds each conversation's row of the `VALUES` list, the eleventh column being `last`.
macro_rules! bind_changes {
    ($query:expr, $changed:expr, |$n:ident, $changing:ident| $last:expr) => {{
        let mut query = $query;
        for ($n, $changing) in $changed.iter().enumerate() {
            let row = &$changing.row;
            query = query
                .bind(row.id)
                .bind(row.last_seq)
                .bind(row.updated_at)
                .bind(&row.status)
                .bind(row.first_response_at)
                .bind(row.queued_at)
                .bind(row.snoozed_until)
                .bind(row.assignee_id)
                .bind(row.first_assigned_at)
                .bind($changing.text_added)
                .bind($last);
        }
        query
    }};
}

/// PostgreSQL's `v`: one array per column of the changes (see [`crate::store::sqlite_chunks`]),
/// `$1` to `$11`, with `place`, where each conversation's row is: the `UPDATE` finds its
/// rows by that, not by joining on `id`, which PostgreSQL may plan as a scan (see
/// [`LOCK_ON_POSTGRES`]). The rows are locked by this transaction, so they stay there.
macro_rules! changes_as_arrays {
    () => {
        "(SELECT v.*, c.ctid AS place FROM UNNEST($1::uuid[], $2::int8[], $3::int8[], $4::text[], $5::int8[],
            $6::int8[], $7::int8[], $8::uuid[], $9::int8[], $10::int8[], $11::int8[])
            AS v(column1, column2, column3, column4, column5, column6, column7, column8, column9, column10, column11)
         CROSS JOIN LATERAL (SELECT ctid FROM conversations WHERE id = v.column1 LIMIT 1) c) v"
    };
}

/// [`save`] on PostgreSQL, the feed positions taken before.
pub const SAVE_ON_POSTGRES: &str = concat!(
    "UPDATE conversations SET ",
    set_changes!(),
    ", feed_seq = v.column11 FROM ",
    changes_as_arrays!(),
    " WHERE conversations.ctid = v.place"
);

/// [`save_with_feed`]: one workspace's conversations and its feed counter in one
/// statement, `$12` positions taken from workspace `$13`.
pub const SAVE_WITH_FEED_ON_POSTGRES: &str = concat!(
    "WITH feed AS (
        UPDATE workspaces SET feed_seq = feed_seq + $12 WHERE id = $13
        RETURNING feed_seq - $12 AS base, EXISTS (
            SELECT 1 FROM webhook_subscriptions s WHERE s.workspace_id = $13 AND s.enabled = TRUE
        ) AS webhooks
     )
     UPDATE conversations SET ",
    set_changes!(),
    ", feed_seq = feed.base + v.column11 FROM ",
    changes_as_arrays!(),
    ", feed WHERE conversations.ctid = v.place
     RETURNING feed.base, feed.webhooks"
);

/// Binds the changes as [`changes_as_arrays`] takes them, the eleventh column being `last`.
macro_rules! bind_as_arrays {
    ($query:expr, $changed:expr, |$n:ident, $changing:ident| $last:expr) => {{
        let rows = || $changed.iter().map(|changing| &changing.row);
        let millis = |at: Option<Millis>| at.map(|at| at.0);
        $query
            .bind(rows().map(|row| row.id).collect::<Vec<Uuid>>())
            .bind(rows().map(|row| row.last_seq).collect::<Vec<i64>>())
            .bind(rows().map(|row| row.updated_at.0).collect::<Vec<i64>>())
            .bind(rows().map(|row| row.status.as_str()).collect::<Vec<&str>>())
            .bind(rows().map(|row| millis(row.first_response_at)).collect::<Vec<_>>())
            .bind(rows().map(|row| millis(row.queued_at)).collect::<Vec<_>>())
            .bind(rows().map(|row| millis(row.snoozed_until)).collect::<Vec<_>>())
            .bind(rows().map(|row| row.assignee_id).collect::<Vec<_>>())
            .bind(rows().map(|row| millis(row.first_assigned_at)).collect::<Vec<_>>())
            .bind($changed.iter().map(|changing| changing.text_added).collect::<Vec<i64>>())
            .bind($changed.iter().enumerate().map(|($n, $changing)| $last).collect::<Vec<i64>>())
    }};
}

/// The conversations, their feed positions already taken.
async fn save(tx: &mut Tx, changed: &[&mut Changing]) -> Result<()> {
    if let Some(conn) = tx.postgres() {
        let query = sqlx::query(SAVE_ON_POSTGRES);
        let done = bind_as_arrays!(query, changed, |_n, changing| changing.row.feed_seq).execute(conn).await?;
        if done.rows_affected() != changed.len() as u64 {
            return Err(Error::Internal(format!(
                "a batch changed {} conversations but wrote {}",
                changed.len(),
                done.rows_affected()
            )));
        }
        return Ok(());
    }
    for chunk in sqlite_chunks(changed) {
        let sql = format!(
            "UPDATE conversations SET {SET_CHANGES}, feed_seq = v.column11
             FROM (VALUES {}) AS v WHERE conversations.id = v.column1",
            values_list(false, chunk.len(), CHANGES)
        );
        on_tx!(tx, |conn| {
            let query = sqlx::query(AssertSqlSafe(sql.as_str())).persistent(true);
            let query = bind_changes!(query, chunk, |_n, changing| changing.row.feed_seq);
            query.execute(conn).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// One workspace's conversations and its feed counter in one PostgreSQL statement;
/// returns whether the workspace has an enabled webhook subscription.
async fn save_with_feed(conn: &mut sqlx::PgConnection, changed: &mut [&mut Changing]) -> Result<bool> {
    let rows = changed.len();
    let workspace_id = changed[0].row.workspace_id;
    let query = sqlx::query_as(SAVE_WITH_FEED_ON_POSTGRES);
    let query = bind_as_arrays!(query, changed, |n, _changing| n as i64 + 1);
    let saved: Vec<(i64, bool)> = query.bind(rows as i64).bind(workspace_id).fetch_all(conn).await?;
    // One row per conversation, all with the workspace's counter as it was; none when the
    // workspace is gone (the conversations are locked, so they are there).
    let Some(&(base, webhooks)) = saved.first().filter(|_| saved.len() == rows) else {
        return Err(Error::NotFound("workspace"));
    };
    for (n, changing) in changed.iter_mut().enumerate() {
        changing.row.feed_seq = base + n as i64 + 1;
    }
    Ok(webhooks)
}
