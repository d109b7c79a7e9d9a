//! Conversations as a batch of messages changes them: locked together, changed in memory
//! by [`ConversationRow::take_message`], written back in one statement.

use openapi::{
    conversations::ConversationStatus,
    messages::{AuthorKind, MessageKind},
};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{ConversationRow, columns};
use crate::{
    error::Result,
    messages::Author,
    on_tx,
    store::{Millis, StoredEnum, Tx, keep_prepared, values_list},
};

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
    let lock = if tx.is_postgres() { " FOR NO KEY UPDATE" } else { "" };
    let sql = format!(
        "SELECT {} FROM conversations WHERE id IN (VALUES {}) ORDER BY id{lock}",
        columns!(),
        values_list(tx.is_postgres(), ids.len(), 1)
    );
    Ok(on_tx!(tx, |conn| {
        let mut query = sqlx::query_as(AssertSqlSafe(sql.as_str())).persistent(keep_prepared(ids.len()));
        for id in ids {
            query = query.bind(id);
        }
        query.fetch_all(conn).await
    })?)
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

/// Writes back what a batch changed, in one statement.
pub async fn save_in(tx: &mut Tx, changed: &[&Changing]) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    const COLUMNS: usize = 11;
    let sql = format!(
        "UPDATE conversations SET last_seq = v.column2, updated_at = v.column3, status = v.column4,
            first_response_at = v.column5, queued_at = v.column6, snoozed_until = v.column7,
            assignee_id = v.column8, first_assigned_at = v.column9, text_messages = text_messages + v.column10,
            feed_seq = v.column11
         FROM (VALUES {}) AS v WHERE conversations.id = v.column1",
        values_list(tx.is_postgres(), changed.len(), COLUMNS)
    );
    on_tx!(tx, |conn| {
        let mut query = sqlx::query(AssertSqlSafe(sql.as_str())).persistent(keep_prepared(changed.len()));
        for changing in changed {
            let row = &changing.row;
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
                .bind(changing.text_added)
                .bind(row.feed_seq);
        }
        query.execute(conn).await.map(|done| done.rows_affected())
    })?;
    Ok(())
}
