//! The agents' workspace feed: one cursor for everything a console lists.
//!
//! Every change to a conversation — a new message, its status, assignee, priority,
//! labels — gives it the workspace's next `feed_seq`, in the transaction that makes the
//! change. The workspace's row is updated (and so locked) to hand the numbers out, so on
//! PostgreSQL feed positions follow commit order; SQLite has one writer anyway. A console
//! that holds the highest `feed_seq` it has seen asks for the conversations whose latest
//! change comes after it ([`after`]): one indexed range read, each conversation once, in
//! its current state, however many times it changed meanwhile. Live `conversation`
//! frames carry the same numbers, so a socket joins the replay to live changes without a
//! gap or a repeat (see `realtime::feed`).
//!
//! Lock order: a transaction locks its conversations first and the workspace row last,
//! and takes no other lock after it, so two transactions never wait for each other in a
//! circle.

use openapi::{
    attachments::MessageAttachment,
    conversations::{Conversation, MessagePreview, PREVIEW_CHARS},
    messages::{AuthorKind, MessageKind},
};
use uuid::Uuid;

use super::{ConversationRow, columns};
use crate::{
    error::{Error, Result},
    messages::MessageRow,
    on_pool, on_tx,
    store::{Millis, Store, StoredEnum, Tx, values_list},
};

/// Feed positions taken for a workspace by [`next_seqs`].
#[derive(Debug, Clone, Copy)]
pub struct Taken {
    /// The first of them.
    pub first: i64,
    /// Whether the workspace has an enabled webhook subscription, read by the same
    /// statement: a batch of messages needs both, and in a workspace without webhooks it
    /// then skips looking for subscriptions (one round trip fewer per batch, a tenth of
    /// its time on PostgreSQL). A subscription created while a batch is being stored may
    /// miss that batch's events, as it could with the separate read before.
    pub webhooks: bool,
}

/// Takes the workspace's next `count` feed positions.
pub async fn next_seqs(tx: &mut Tx, workspace_id: Uuid, count: i64) -> Result<Taken> {
    let taken: Option<(i64, bool)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE workspaces SET feed_seq = feed_seq + $2 WHERE id = $1
             RETURNING feed_seq, EXISTS (
                SELECT 1 FROM webhook_subscriptions s WHERE s.workspace_id = $1 AND s.enabled = TRUE
             )",
        )
        .bind(workspace_id)
        .bind(count)
        .fetch_optional(conn)
        .await
    })?;
    let (last, webhooks) = taken.ok_or(Error::NotFound("workspace"))?;
    Ok(Taken { first: last - count + 1, webhooks })
}

/// Moves a conversation just changed in `tx` to the head of its workspace's feed.
pub async fn advance(tx: &mut Tx, mut row: ConversationRow) -> Result<ConversationRow> {
    row.feed_seq = next_seqs(tx, row.workspace_id, 1).await?.first;
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE conversations SET feed_seq = $1 WHERE id = $2")
            .bind(row.feed_seq)
            .bind(row.id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(row)
}

/// The workspace's newest feed position: where a console that just listed everything
/// starts following.
pub async fn head(store: &Store, workspace_id: Uuid) -> Result<i64> {
    let seq: Option<i64> = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT feed_seq FROM workspaces WHERE id = $1")
            .bind(workspace_id)
            .fetch_optional(pool)
            .await
    })?;
    seq.ok_or(Error::NotFound("workspace"))
}

/// Conversations whose latest change comes after `after` (and, when given, before
/// `before`), oldest change first, at most `limit`, with their newest message.
pub async fn after(
    store: &Store,
    workspace_id: Uuid,
    after: i64,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Conversation>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM conversations WHERE workspace_id = $1 AND feed_seq > $2 AND ($3 IS NULL OR feed_seq < $3)
         ORDER BY feed_seq LIMIT $4"
    );
    let rows: Vec<ConversationRow> = on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(workspace_id).bind(after).bind(before).bind(i64::from(limit)).fetch_all(pool).await
    })?;
    with_previews(store, &rows).await
}

/// `rows` on the wire, each with a preview of its newest message (one read for all).
pub async fn with_previews(store: &Store, rows: &[ConversationRow]) -> Result<Vec<Conversation>> {
    let keys: Vec<(Uuid, i64)> = rows.iter().filter(|row| row.last_seq > 0).map(|row| (row.id, row.last_seq)).collect();
    let mut newest: std::collections::HashMap<Uuid, MessageRow> = std::collections::HashMap::new();
    for chunk in keys.chunks(500) {
        let postgres = matches!(store.pool(), crate::store::Pool::Postgres(_));
        let sql = format!(
            "SELECT {} FROM messages WHERE (conversation_id, seq) IN (VALUES {})",
            crate::messages::columns!(),
            values_list(postgres, chunk.len(), 2)
        );
        let found: Vec<MessageRow> = on_pool!(store, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).persistent(false);
            for (id, seq) in chunk {
                query = query.bind(id).bind(seq);
            }
            query.fetch_all(pool).await
        })?;
        newest.extend(found.into_iter().map(|message| (message.conversation_id, message)));
    }
    rows.iter()
        .map(|row| {
            let mut conversation = row.to_wire()?;
            conversation.last_message = newest.get(&row.id).map(preview).transpose()?;
            Ok(conversation)
        })
        .collect()
}

/// What a list shows of a message.
pub fn preview(message: &MessageRow) -> Result<MessagePreview> {
    let attachments: Vec<MessageAttachment> = crate::attachments::shown_on_wire(message.attachments.as_deref())?;
    Ok(MessagePreview {
        seq: message.seq,
        author_kind: AuthorKind::from_db(&message.author_kind)?,
        author_id: message.author_id,
        kind: MessageKind::from_db(&message.kind)?,
        body: message.body.chars().take(PREVIEW_CHARS).collect(),
        attachments: attachments.len() as u32,
        created_at: Millis::to_utc(message.created_at),
    })
}
