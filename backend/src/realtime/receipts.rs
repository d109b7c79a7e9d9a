//! Read receipts: per participant, "I have read up to `seq`" in each conversation.

use openapi::realtime::Participant;
use uuid::Uuid;

use crate::{
    error::Result,
    on_pool,
    store::{Store, now},
};

fn split(reader: Participant) -> (&'static str, Uuid) {
    match reader {
        Participant::Visitor(id) => ("visitor", id),
        Participant::Agent(id) => ("agent", id),
    }
}

/// Moves `reader`'s cursor forward to `seq`. Returns false when it already was at or
/// past `seq` (cursors never move back, so a late duplicate changes nothing).
pub async fn mark_read(
    store: &Store,
    workspace_id: Uuid,
    conversation_id: Uuid,
    reader: Participant,
    seq: i64,
) -> Result<bool> {
    let (kind, reader_id) = split(reader);
    let moved = on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO read_cursors (conversation_id, workspace_id, reader_kind, reader_id, seq, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (conversation_id, reader_kind, reader_id)
             DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at
             WHERE read_cursors.seq < excluded.seq",
        )
        .bind(conversation_id)
        .bind(workspace_id)
        .bind(kind)
        .bind(reader_id)
        .bind(seq)
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(moved > 0)
}

/// Every participant's cursor in a conversation.
pub async fn cursors(store: &Store, workspace_id: Uuid, conversation_id: Uuid) -> Result<Vec<(Participant, i64)>> {
    let rows: Vec<(String, Uuid, i64)> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT reader_kind, reader_id, seq FROM read_cursors
             WHERE workspace_id = $1 AND conversation_id = $2 ORDER BY reader_kind, reader_id",
        )
        .bind(workspace_id)
        .bind(conversation_id)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, seq)| (if kind == "visitor" { Participant::Visitor(id) } else { Participant::Agent(id) }, seq))
        .collect())
}
