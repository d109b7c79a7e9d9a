//! The visitor side of the REST API: what the widget calls with a site key and then a
//! visitor token. A visitor only ever reaches their own conversations.

pub mod api;
pub mod assets;
pub mod context;
pub mod faces;
pub mod launcher;
pub mod prechat;
pub mod profile;

use openapi::realtime::ConversationChange;
use uuid::Uuid;

use crate::{
    auth::VisitorCaller,
    changes::Change,
    conversations::{self, ConversationRow},
    error::{Error, Result},
    messages::{self, Draft, MessageRow, Outgoing},
    on_tx,
    store::{Store, Tx, now},
};

/// Starts a conversation with its first message, idempotently: retrying with the same
/// `client_msg_id` returns the conversation the first attempt created (and `false`).
pub async fn start_conversation(
    store: &Store,
    visitor: &VisitorCaller,
    draft: Draft,
) -> Result<(ConversationRow, MessageRow, bool)> {
    let mut tx = store.begin_write().await?;
    match start_conversation_in(&mut tx, visitor, draft).await? {
        Start::Earlier(id) => {
            drop(tx);
            let (conversation, first) = earlier_start(store, visitor, id).await?;
            Ok((conversation, first, false))
        }
        Start::Created(created) => {
            let (conversation, message) = *created;
            tx.commit().await?;
            Ok((conversation, message, true))
        }
    }
}

/// What [`start_conversation_in`] did.
pub enum Start {
    /// A retry: the conversation an earlier attempt created (roll the transaction back).
    Earlier(Uuid),
    /// Created inside the transaction; the caller may add to it, then commits.
    Created(Box<(ConversationRow, MessageRow)>),
}

/// [`start_conversation`] inside the caller's transaction, so other writes caused by the
/// new conversation (e.g. a mail to the team) commit with it.
pub async fn start_conversation_in(tx: &mut Tx, visitor: &VisitorCaller, draft: Draft) -> Result<Start> {
    let client_msg_id = draft.client_msg_id.clone().ok_or_else(|| Error::invalid("client_msg_id", "is required"))?;
    // Lock the visitor's row first so two attempts of one start are serialised.
    on_tx!(&mut *tx, |conn| {
        sqlx::query("UPDATE visitors SET last_seen_at = $1 WHERE id = $2 AND workspace_id = $3")
            .bind(now())
            .bind(visitor.visitor_id)
            .bind(visitor.workspace_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    let earlier: Option<Uuid> = on_tx!(&mut *tx, |conn| {
        sqlx::query_scalar(
            "SELECT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id
             WHERE c.visitor_id = $1 AND c.workspace_id = $2 AND m.seq = 1 AND m.client_msg_id = $3",
        )
        .bind(visitor.visitor_id)
        .bind(visitor.workspace_id)
        .bind(&client_msg_id)
        .fetch_optional(conn)
        .await
    })?;
    if let Some(id) = earlier {
        return Ok(Start::Earlier(id));
    }
    let conversation = conversations::insert(tx, visitor.workspace_id, visitor.site_id, visitor.visitor_id).await?;
    let announced_from = tx.recorded();
    let outgoing = Outgoing { workspace_id: visitor.workspace_id, conversation_id: conversation.id, draft };
    let stored = messages::send_in(tx, outgoing).await?;
    // The team hears of the conversation (as its first message left it) before the message.
    let created = Change::ConversationChanged {
        workspace_id: visitor.workspace_id,
        change: ConversationChange::Created,
        conversation: stored.conversation.to_wire()?,
    };
    tx.record_at(announced_from, created);
    Ok(Start::Created(Box::new((stored.conversation, stored.message))))
}

/// The conversation an earlier start created, with its first message.
pub async fn earlier_start(store: &Store, visitor: &VisitorCaller, id: Uuid) -> Result<(ConversationRow, MessageRow)> {
    let conversation = conversations::get(store, visitor.workspace_id, id).await?;
    let first = messages::list_after(store, visitor.workspace_id, id, 0, 1, messages::Audience::Visitor).await?;
    let first = first.into_iter().next().ok_or(Error::NotFound("message"))?;
    Ok((conversation, first))
}
