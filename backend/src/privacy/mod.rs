//! Privacy: everything about a visitor exported ([`export`]) or erased ([`erase`]) on
//! request, conversations deleted once older than the workspace keeps them, and uploads
//! never sent removed after a day ([`worker`]).
//!
//! Deletion is plain `DELETE`s here, in one transaction per visitor or conversation:
//! conversations cascade to their messages, files, read cursors, ratings and mail; file
//! bytes (`attachment_blobs`, no foreign key) and webhook deliveries (their payloads hold
//! messages) are deleted explicitly first.

pub mod api;
pub mod worker;

use openapi::privacy::{ExportedConversation, ExportedPage, VisitorErased, VisitorExport};
use uuid::Uuid;

use crate::{
    attachments::AttachmentRow,
    conversations,
    error::{Error, Result},
    messages::{self, Audience},
    on_pool, on_tx,
    store::{Millis, Store, Tx, now},
    visitors,
};

/// Everything stored about a visitor.
pub async fn export(store: &Store, workspace_id: Uuid, visitor_id: Uuid) -> Result<VisitorExport> {
    let visitor = visitors::get(store, workspace_id, visitor_id).await?;
    let conversation_ids: Vec<Uuid> = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2 ORDER BY id")
            .bind(workspace_id)
            .bind(visitor_id)
            .fetch_all(pool)
            .await
    })?;
    let mut exported = Vec::with_capacity(conversation_ids.len());
    for conversation_id in conversation_ids {
        let conversation = conversations::get(store, workspace_id, conversation_id).await?;
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = messages::list_after(store, workspace_id, conversation_id, after, 200, Audience::Team).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            all.extend(page);
        }
        let attachments: Vec<AttachmentRow> = on_pool!(store, |pool| {
            sqlx::query_as(
                "SELECT id, workspace_id, conversation_id, uploader_kind, uploader_id, filename, content_type, size,
                        signing_key, message_id, created_at
                 FROM attachments WHERE workspace_id = $1 AND conversation_id = $2 ORDER BY id",
            )
            .bind(workspace_id)
            .bind(conversation_id)
            .fetch_all(pool)
            .await
        })?;
        let rating: Option<(i64, Option<String>, Millis, Millis)> = on_pool!(store, |pool| {
            sqlx::query_as(
                "SELECT score, comment, created_at, updated_at FROM conversation_ratings
                 WHERE workspace_id = $1 AND conversation_id = $2",
            )
            .bind(workspace_id)
            .bind(conversation_id)
            .fetch_optional(pool)
            .await
        })?;
        exported.push(ExportedConversation {
            conversation: conversation.to_wire()?,
            messages: all.iter().map(messages::MessageRow::to_wire).collect::<Result<_>>()?,
            attachments: attachments.iter().map(AttachmentRow::to_wire).collect(),
            rating: rating.map(|(score, comment, created_at, updated_at)| openapi::ratings::Rating {
                conversation_id,
                score: score.clamp(0, 5) as u8,
                comment,
                created_at: created_at.to_utc(),
                updated_at: updated_at.to_utc(),
            }),
        });
    }
    let pages: Vec<(String, String, Millis)> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT url, title, viewed_at FROM visitor_pages WHERE workspace_id = $1 AND visitor_id = $2 ORDER BY viewed_at",
        )
        .bind(workspace_id)
        .bind(visitor_id)
        .fetch_all(pool)
        .await
    })?;
    let sql = concat!(
        "SELECT ",
        crate::mail::columns!(),
        // Account notices are the address owner's alone (see `mail::list`).
        " FROM mail_outbox WHERE workspace_id = $1 AND kind <> 'account_notice'
           AND (conversation_id IN (SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2)
                OR ($3 IS NOT NULL AND recipient = $3))
         ORDER BY id"
    );
    let mail: Vec<crate::mail::OutboxRow> = on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(workspace_id).bind(visitor_id).bind(&visitor.email).fetch_all(pool).await
    })?;
    Ok(VisitorExport {
        exported_at: now().to_utc(),
        visitor: visitor.to_wire(),
        conversations: exported,
        pages: pages
            .into_iter()
            .map(|(url, title, viewed_at)| ExportedPage { url, title, viewed_at: viewed_at.to_utc() })
            .collect(),
        mail: mail.iter().map(crate::mail::OutboxRow::to_wire).collect::<Result<_>>()?,
    })
}

async fn count(tx: &mut Tx, sql: &'static str, workspace_id: Uuid, id: Uuid) -> Result<u64> {
    let n: i64 = on_tx!(tx, |conn| sqlx::query_scalar(sql).bind(workspace_id).bind(id).fetch_one(conn).await)?;
    Ok(n.max(0) as u64)
}

async fn run(tx: &mut Tx, sql: &'static str, workspace_id: Uuid, id: Uuid) -> Result<u64> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query(sql).bind(workspace_id).bind(id).execute(conn).await.map(|done| done.rows_affected())
    })?)
}

/// Deletes the workspace's conversations with no activity since `cutoff`, `per_tx` to a
/// transaction; returns how many.
///
/// Each transaction picks its conversations under lock: locked in id order, as a batch of
/// messages locks its conversations (on PostgreSQL two orders could deadlock), and their
/// age read under the lock, so one a visitor wrote to a moment ago (while this waited for
/// its lock) is kept with what they wrote. A cheap read first: most passes find nothing
/// and need not take SQLite's write lock.
pub async fn delete_inactive_conversations(
    store: &Store,
    workspace_id: Uuid,
    cutoff: Millis,
    per_tx: i64,
) -> Result<u64> {
    let mut deleted = 0;
    loop {
        let any: Option<Uuid> = on_pool!(store, |pool| {
            sqlx::query_scalar("SELECT id FROM conversations WHERE workspace_id = $1 AND updated_at < $2 LIMIT 1")
                .bind(workspace_id)
                .bind(cutoff)
                .fetch_optional(pool)
                .await
        })?;
        if any.is_none() {
            return Ok(deleted);
        }
        let mut tx = store.begin_write().await?;
        let sql = if tx.is_postgres() {
            "SELECT id FROM conversations WHERE workspace_id = $1 AND updated_at < $2 ORDER BY id LIMIT $3 FOR UPDATE"
        } else {
            "SELECT id FROM conversations WHERE workspace_id = $1 AND updated_at < $2 ORDER BY id LIMIT $3"
        };
        let old: Vec<Uuid> = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(sql).bind(workspace_id).bind(cutoff).bind(per_tx).fetch_all(conn).await
        })?;
        for conversation_id in &old {
            delete_conversation(&mut tx, workspace_id, *conversation_id).await?;
        }
        tx.commit().await?;
        deleted += old.len() as u64;
    }
}

/// Deletes one conversation and everything in it, inside `tx`: the bytes of its files and
/// its webhook deliveries first (nothing cascades to them), then the row, which cascades
/// to messages, files, read cursors, ratings and mail.
pub(crate) async fn delete_conversation(tx: &mut Tx, workspace_id: Uuid, conversation_id: Uuid) -> Result<()> {
    run(
        tx,
        "DELETE FROM attachment_blobs WHERE workspace_id = $1
           AND id IN (SELECT id FROM attachments WHERE workspace_id = $1 AND conversation_id = $2)",
        workspace_id,
        conversation_id,
    )
    .await?;
    run(
        tx,
        "DELETE FROM webhook_deliveries WHERE workspace_id = $1 AND conversation_id = $2",
        workspace_id,
        conversation_id,
    )
    .await?;
    run(tx, "DELETE FROM conversations WHERE workspace_id = $1 AND id = $2", workspace_id, conversation_id).await?;
    Ok(())
}

/// The visitor's conversations, locked before anything about them is counted: a message
/// the visitor is sending is then either in the count or waits and fails (its conversation
/// gone), never deleted uncounted. On PostgreSQL they are locked in id order, as a batch of
/// messages locks them, then the visitor, so that no conversation of theirs starts
/// meanwhile; one that started before that is locked last (it is the newest). On SQLite
/// the write turn does all this.
async fn lock_conversations_of(tx: &mut Tx, workspace_id: Uuid, visitor_id: Uuid) -> Result<Vec<Uuid>> {
    const THEIRS: &str = "SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2 ORDER BY id";
    const THEIRS_LOCKED: &str =
        "SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2 ORDER BY id FOR UPDATE";
    const VISITOR_LOCKED: &str = "SELECT id FROM visitors WHERE workspace_id = $1 AND id = $2 FOR UPDATE";
    let steps: &[&'static str] =
        if tx.is_postgres() { &[THEIRS_LOCKED, VISITOR_LOCKED, THEIRS_LOCKED] } else { &[THEIRS] };
    let mut ids = Vec::new();
    for sql in steps {
        ids = on_tx!(tx, |conn| sqlx::query_scalar(*sql).bind(workspace_id).bind(visitor_id).fetch_all(conn).await)?;
    }
    // The last step's: every conversation of theirs, now that none can start.
    Ok(ids)
}

/// Erases a visitor and everything about them: conversations with their messages, files
/// and ratings, mail about them or to their address, page views, their unsubscribe record
/// and the visitor itself. One transaction: all of it or nothing.
pub async fn erase(store: &Store, workspace_id: Uuid, visitor_id: Uuid) -> Result<VisitorErased> {
    let visitor = visitors::get(store, workspace_id, visitor_id).await?;
    let mut tx = store.begin_write().await?;
    let conversation_ids = lock_conversations_of(&mut tx, workspace_id, visitor_id).await?;
    let erased = VisitorErased {
        conversations: count(
            &mut tx,
            "SELECT COUNT(*) FROM conversations WHERE workspace_id = $1 AND visitor_id = $2",
            workspace_id,
            visitor_id,
        )
        .await?,
        messages: count(
            &mut tx,
            "SELECT COUNT(*) FROM messages WHERE workspace_id = $1
               AND conversation_id IN (SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2)",
            workspace_id,
            visitor_id,
        )
        .await?,
        attachments: count(
            &mut tx,
            "SELECT COUNT(*) FROM attachments WHERE workspace_id = $1
               AND conversation_id IN (SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2)",
            workspace_id,
            visitor_id,
        )
        .await?,
        mails: 0,
        pages: count(
            &mut tx,
            "SELECT COUNT(*) FROM visitor_pages WHERE workspace_id = $1 AND visitor_id = $2",
            workspace_id,
            visitor_id,
        )
        .await?,
        ratings: count(
            &mut tx,
            "SELECT COUNT(*) FROM conversation_ratings WHERE workspace_id = $1
               AND conversation_id IN (SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2)",
            workspace_id,
            visitor_id,
        )
        .await?,
    };
    // Mail about their conversations, and mail to their address (transcripts asked for
    // elsewhere, confirmations).
    let mails = on_tx!(&mut tx, |conn| {
        sqlx::query(
            "DELETE FROM mail_outbox WHERE workspace_id = $1
               AND (conversation_id IN (SELECT id FROM conversations WHERE workspace_id = $1 AND visitor_id = $2)
                    OR ($3 IS NOT NULL AND recipient = $3))",
        )
        .bind(workspace_id)
        .bind(visitor_id)
        .bind(&visitor.email)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    for conversation_id in conversation_ids {
        delete_conversation(&mut tx, workspace_id, conversation_id).await?;
    }
    run(&mut tx, "DELETE FROM visitor_pages WHERE workspace_id = $1 AND visitor_id = $2", workspace_id, visitor_id)
        .await?;
    if let Some(email) = &visitor.email {
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM mail_opt_outs WHERE workspace_id = $1 AND email = $2")
                .bind(workspace_id)
                .bind(email)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    let deleted =
        run(&mut tx, "DELETE FROM visitors WHERE workspace_id = $1 AND id = $2", workspace_id, visitor_id).await?;
    if deleted == 0 {
        return Err(Error::NotFound("visitor"));
    }
    tx.commit().await?;
    Ok(VisitorErased { mails, ..erased })
}
