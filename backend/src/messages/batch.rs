//! The one place a message is stored.
//!
//! [`store_in`] takes a batch of outgoing messages (one, or what the [`writer`] gathered)
//! and stores it inside one transaction, in a fixed number of statements whatever its
//! size (on SQLite, that many per chunk of rows: see [`sqlite_chunks`]): lock the
//! conversations, look up earlier sends of the same `client_msg_id`s, insert the
//! messages, write the conversations back with their feed positions (which also tells
//! whether the workspace has webhooks), then the outbox rows, if any. Each
//! message is refused or stored on its own: a refusal is decided before anything is
//! written, so it never costs the others their place.
//!
//! [`writer`]: super::writer
//! [`sqlite_chunks`]: crate::store::sqlite_chunks

use std::collections::{HashMap, HashSet};

use openapi::{messages::MessageKind, realtime::ConversationChange};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::{MessageRow, Outgoing, Stored, columns};
use crate::{
    changes::Change,
    conversations::{
        self, ConversationRow,
        batch::{Changing, counts_as_text},
    },
    error::{Error, Result},
    on_tx,
    store::{StoredEnum, Tx, now, sqlite_chunks, values_list},
};

/// Stores `batch` inside `tx`, in order. The outer error means the transaction failed and
/// must roll back; the inner results answer each message: stored, a retry of one stored
/// before (`created: false`), or refused.
pub async fn store_in(tx: &mut Tx, batch: Vec<Outgoing>) -> Result<Vec<Result<Stored>>> {
    let at = now();
    let size = batch.len();
    let mut ids: Vec<Uuid> = batch.iter().map(|outgoing| outgoing.conversation_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut conversations: HashMap<Uuid, Changing> =
        conversations::batch::lock_in(tx, &ids).await?.into_iter().map(|row| (row.id, Changing::new(row))).collect();
    // Another workspace's conversation answers like a missing one.
    let in_workspace = |outgoing: &Outgoing, conversations: &HashMap<Uuid, Changing>| {
        conversations.get(&outgoing.conversation_id).is_some_and(|c| c.row.workspace_id == outgoing.workspace_id)
    };
    let keys: Vec<(Uuid, &str)> = batch
        .iter()
        .filter(|outgoing| in_workspace(outgoing, &conversations))
        .filter_map(|outgoing| Some((outgoing.conversation_id, outgoing.draft.client_msg_id.as_deref()?)))
        .collect();
    let earlier = sent_before(tx, &keys).await?;

    let mut results: Vec<Result<Stored>> = Vec::with_capacity(batch.len());
    // What this batch writes: (index in `results`, the message, its uploads).
    let mut accepted: Vec<(usize, MessageRow, Vec<Uuid>)> = Vec::new();
    let mut keyed: HashMap<(Uuid, String), usize> = HashMap::new();
    let mut uploads_taken: HashSet<Uuid> = HashSet::new();
    for outgoing in batch {
        if !in_workspace(&outgoing, &conversations) {
            results.push(Err(Error::NotFound("conversation")));
            continue;
        }
        let Outgoing { workspace_id, conversation_id, draft } = outgoing;
        if let Some(key) = &draft.client_msg_id {
            let before = earlier.get(&(conversation_id, key.clone())).cloned().or_else(|| {
                let index = *keyed.get(&(conversation_id, key.clone()))?;
                results[index].as_ref().ok().map(|stored| stored.message.clone())
            });
            if let Some(message) = before {
                let conversation = conversations[&conversation_id].row.clone();
                results.push(retry_of(message, draft.author, conversation));
                continue;
            }
        }
        if draft.attachment_ids.iter().any(|id| uploads_taken.contains(id)) {
            let id = draft.attachment_ids.iter().find(|id| uploads_taken.contains(id)).copied().unwrap_or_default();
            results.push(Err(crate::attachments::already_sent(id)));
            continue;
        }
        let shown =
            match crate::attachments::check_in(tx, workspace_id, conversation_id, draft.author, &draft.attachment_ids)
                .await
            {
                Ok(shown) => shown,
                Err(refused) => {
                    results.push(Err(refused));
                    continue;
                }
            };
        let changing = conversations.get_mut(&conversation_id).expect("checked above");
        let seq = changing.row.take_message(draft.author, draft.kind, at);
        if counts_as_text(draft.author, draft.kind) {
            changing.text_added += 1;
        }
        let message = MessageRow {
            id: Uuid::now_v7(),
            conversation_id,
            seq,
            client_msg_id: draft.client_msg_id,
            author_kind: draft.author.kind.as_db().into(),
            author_id: draft.author.id,
            kind: draft.kind.as_db().into(),
            body: draft.body,
            attachments: shown,
            created_at: at,
        };
        if let Some(key) = &message.client_msg_id {
            keyed.insert((conversation_id, key.clone()), results.len());
        }
        uploads_taken.extend(draft.attachment_ids.iter().copied());
        let conversation = changing.row.clone();
        let visitor_id = conversation.visitor_id;
        results.push(Ok(Stored { message: message.clone(), created: true, visitor_id, conversation, batch_size: 1 }));
        accepted.push((results.len() - 1, message, draft.attachment_ids));
    }
    for stored in results.iter_mut().flatten() {
        stored.batch_size = size;
    }
    if accepted.is_empty() {
        return Ok(results);
    }

    insert(tx, &accepted, &conversations).await?;
    for (_, message, uploads) in accepted.iter().filter(|(_, _, uploads)| !uploads.is_empty()) {
        crate::attachments::bind_in(tx, message.id, uploads).await?;
    }
    let mut changing: Vec<&mut Changing> = conversations.values_mut().filter(|c| c.changed()).collect();
    changing.sort_by_key(|c| (c.row.workspace_id, c.row.id));
    let hooked = conversations::batch::save_in(tx, &mut changing).await?;
    let mut changed: Vec<&Changing> = conversations.values().filter(|c| c.changed()).collect();
    changed.sort_by_key(|c| c.row.id);
    consequences(tx, &accepted, &changed, &conversations, &hooked).await?;
    Ok(results)
}

/// The answer to a `client_msg_id` stored before: the original, to the same sender only.
fn retry_of(message: MessageRow, author: super::Author, conversation: ConversationRow) -> Result<Stored> {
    // A retry is the same sender sending again. Someone else's key must neither return
    // their message (it may be a note) nor silently swallow this one.
    if message.author_kind != author.kind.as_db() || message.author_id != author.id {
        return Err(Error::conflict(
            "client_msg_id_taken",
            "another sender already used this client_msg_id in this conversation; use a fresh one (a UUID)",
        ));
    }
    Ok(Stored { message, created: false, visitor_id: conversation.visitor_id, conversation, batch_size: 1 })
}

/// [`sent_before`] on PostgreSQL: one index lookup per key, whatever the table's
/// statistics say. Written as `(conversation_id, client_msg_id) IN (SELECT * FROM
/// UNNEST(..))`, the plan PostgreSQL caches for the statement, when made while `messages`
/// was small (a new database, never analysed), was a hash join over a scan of the whole
/// table, and it kept that plan as the table grew: every batch read every message until the
/// next `ANALYZE` (at 1,000 msg/s in the side-by-side benchmark, 4,839 scans reading 45
/// million rows in a 20-second run). Public for the conformance test that checks its plan.
pub const SENT_BEFORE_ON_POSTGRES: &str = concat!(
    "SELECT m.* FROM UNNEST($1::uuid[], $2::text[]) AS k (conversation_id, client_msg_id)
     CROSS JOIN LATERAL (SELECT ",
    columns!(),
    " FROM messages WHERE conversation_id = k.conversation_id AND client_msg_id = k.client_msg_id LIMIT 1) m"
);

/// Messages already stored under any of `keys` (conversation, `client_msg_id`).
async fn sent_before(tx: &mut Tx, keys: &[(Uuid, &str)]) -> Result<HashMap<(Uuid, String), MessageRow>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    if let Some(conn) = tx.postgres() {
        let (conversations, keys): (Vec<Uuid>, Vec<&str>) = keys.iter().copied().unzip();
        let rows: Vec<MessageRow> =
            sqlx::query_as(SENT_BEFORE_ON_POSTGRES).bind(conversations).bind(keys).fetch_all(conn).await?;
        return Ok(by_key(rows));
    }
    let mut rows: Vec<MessageRow> = Vec::new();
    for chunk in sqlite_chunks(keys) {
        let sql = format!(
            "SELECT {} FROM messages WHERE (conversation_id, client_msg_id) IN (VALUES {})",
            columns!(),
            values_list(false, chunk.len(), 2)
        );
        rows.extend(on_tx!(tx, |conn| {
            let mut query = sqlx::query_as(AssertSqlSafe(sql.as_str())).persistent(true);
            for (conversation_id, key) in chunk {
                query = query.bind(conversation_id).bind(key);
            }
            query.fetch_all(conn).await
        })?);
    }
    Ok(by_key(rows))
}

fn by_key(rows: Vec<MessageRow>) -> HashMap<(Uuid, String), MessageRow> {
    rows.into_iter().filter_map(|row| Some(((row.conversation_id, row.client_msg_id.clone()?), row))).collect()
}

/// Inserts the accepted messages in one statement.
async fn insert(
    tx: &mut Tx,
    accepted: &[(usize, MessageRow, Vec<Uuid>)],
    conversations: &HashMap<Uuid, Changing>,
) -> Result<()> {
    if let Some(conn) = tx.postgres() {
        return insert_arrays(conn, accepted, conversations).await;
    }
    const COLUMNS: usize = 11;
    for chunk in sqlite_chunks(accepted) {
        let sql = format!(
            "INSERT INTO messages (id, workspace_id, conversation_id, seq, client_msg_id, author_kind, author_id,
                kind, body, attachments, created_at) VALUES {}",
            values_list(false, chunk.len(), COLUMNS)
        );
        on_tx!(tx, |conn| {
            let mut query = sqlx::query(AssertSqlSafe(sql.as_str())).persistent(true);
            for (_, message, _) in chunk {
                query = query
                    .bind(message.id)
                    .bind(conversations[&message.conversation_id].row.workspace_id)
                    .bind(message.conversation_id)
                    .bind(message.seq)
                    .bind(&message.client_msg_id)
                    .bind(&message.author_kind)
                    .bind(message.author_id)
                    .bind(&message.kind)
                    .bind(&message.body)
                    .bind(&message.attachments)
                    .bind(message.created_at);
            }
            query.execute(conn).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// [`insert`] on PostgreSQL: one array per column (see [`crate::store::sqlite_chunks`]).
async fn insert_arrays(
    conn: &mut sqlx::PgConnection,
    accepted: &[(usize, MessageRow, Vec<Uuid>)],
    conversations: &HashMap<Uuid, Changing>,
) -> Result<()> {
    let messages = || accepted.iter().map(|(_, message, _)| message);
    let ids: Vec<Uuid> = messages().map(|m| m.id).collect();
    let workspaces: Vec<Uuid> = messages().map(|m| conversations[&m.conversation_id].row.workspace_id).collect();
    let conversation_ids: Vec<Uuid> = messages().map(|m| m.conversation_id).collect();
    let seqs: Vec<i64> = messages().map(|m| m.seq).collect();
    let keys: Vec<Option<&str>> = messages().map(|m| m.client_msg_id.as_deref()).collect();
    let author_kinds: Vec<&str> = messages().map(|m| m.author_kind.as_str()).collect();
    let author_ids: Vec<Option<Uuid>> = messages().map(|m| m.author_id).collect();
    let kinds: Vec<&str> = messages().map(|m| m.kind.as_str()).collect();
    let bodies: Vec<&str> = messages().map(|m| m.body.as_str()).collect();
    let attachments: Vec<Option<&str>> = messages().map(|m| m.attachments.as_deref()).collect();
    let created: Vec<i64> = messages().map(|m| m.created_at.0).collect();
    sqlx::query(
        "INSERT INTO messages (id, workspace_id, conversation_id, seq, client_msg_id, author_kind, author_id, kind,
            body, attachments, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::int8[], $5::text[], $6::text[], $7::uuid[],
            $8::text[], $9::text[], $10::text[], $11::int8[])",
    )
    .bind(ids)
    .bind(workspaces)
    .bind(conversation_ids)
    .bind(seqs)
    .bind(keys)
    .bind(author_kinds)
    .bind(author_ids)
    .bind(kinds)
    .bind(bodies)
    .bind(attachments)
    .bind(created)
    .execute(conn)
    .await?;
    Ok(())
}

/// What the stored messages cause, written in the same transaction: webhook deliveries,
/// continuity mail, and the changes the dispatcher announces after commit. Only the
/// workspaces in `hooked` have webhook subscriptions to look at.
async fn consequences(
    tx: &mut Tx,
    accepted: &[(usize, MessageRow, Vec<Uuid>)],
    changed: &[&Changing],
    conversations: &HashMap<Uuid, Changing>,
    hooked: &HashSet<Uuid>,
) -> Result<()> {
    let stored: Vec<(&ConversationRow, &MessageRow)> = accepted
        .iter()
        .map(|(_, message, _)| (&conversations[&message.conversation_id].row, message))
        .filter(|(conversation, _)| hooked.contains(&conversation.workspace_id))
        .collect();
    crate::webhooks::messages_created(tx, &stored).await?;
    for changing in changed {
        let (before, after) = (&changing.before, &changing.row);
        let moved = before.status != after.status || before.assignee_id != after.assignee_id;
        if moved && hooked.contains(&after.workspace_id) {
            crate::webhooks::conversation_updated(tx, before, after).await?;
        }
        // The team answered: the visitor may not be there to read it, so a continuity
        // mail waits (mail::flows decides when it is due and whether it is still needed).
        let replied = accepted.iter().any(|(_, message, _)| {
            message.conversation_id == after.id
                && message.kind == MessageKind::Text.as_db()
                && matches!(message.author_kind.as_str(), "agent" | "integration")
        });
        if replied {
            crate::mail::flows::agent_replied(tx, after.workspace_id, after.id, after.updated_at).await?;
        }
    }
    for (_, message, _) in accepted {
        let conversation = &conversations[&message.conversation_id].row;
        tx.record(Change::MessageStored {
            workspace_id: conversation.workspace_id,
            visitor_id: conversation.visitor_id,
            message: message.to_wire()?,
        });
    }
    // Each conversation's change for the feed, with its newest message as the preview.
    for changing in changed {
        let (before, after) = (&changing.before, &changing.row);
        let change = match conversations::change_between(before, after) {
            ConversationChange::Updated => ConversationChange::MessageAdded,
            other => other,
        };
        let mut conversation = after.to_wire()?;
        let newest = accepted.iter().rev().find(|(_, message, _)| message.conversation_id == after.id);
        conversation.last_message = newest.map(|(_, message, _)| conversations::feed::preview(message)).transpose()?;
        tx.record(Change::ConversationChanged { workspace_id: after.workspace_id, change, conversation });
    }
    Ok(())
}
