//! Messages and the storing half of the delivery contract.
//!
//! A message gets its `seq` in the transaction that stores it: the conversation's
//! `last_seq` is incremented first (which also locks the conversation row, so concurrent
//! senders queue instead of racing), then the message is inserted with that number.
//! A `client_msg_id` seen before returns the stored message and rolls the increment back,
//! so retries never duplicate and never leave a gap.

pub mod api;

use openapi::messages::{AuthorKind, Message, MessageKind};
use uuid::Uuid;

use crate::{
    error::{Error, Result},
    input, on_pool, on_tx,
    store::{Millis, Store, StoredEnum, Tx, now},
};

/// The longest message body, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;
/// The longest idempotency key.
pub const MAX_CLIENT_MSG_ID_CHARS: usize = 64;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: i64,
    pub client_msg_id: Option<String>,
    pub author_kind: String,
    pub author_id: Option<Uuid>,
    pub kind: String,
    pub body: String,
    /// What the message shows of its attachments (JSON, see `attachments::Shown`).
    pub attachments: Option<String>,
    pub created_at: Millis,
}

macro_rules! columns {
    () => {
        "id, conversation_id, seq, client_msg_id, author_kind, author_id, kind, body, attachments, created_at"
    };
}

impl MessageRow {
    pub fn to_wire(&self) -> Result<Message> {
        Ok(Message {
            id: self.id,
            conversation_id: self.conversation_id,
            seq: self.seq,
            client_msg_id: self.client_msg_id.clone(),
            author_kind: AuthorKind::from_db(&self.author_kind)?,
            author_id: self.author_id,
            kind: MessageKind::from_db(&self.kind)?,
            body: self.body.clone(),
            attachments: crate::attachments::shown_on_wire(self.attachments.as_deref())?,
            created_at: self.created_at.to_utc(),
        })
    }
}

/// Who is sending.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub kind: AuthorKind,
    pub id: Option<Uuid>,
}

impl Author {
    /// The team member or integration behind an API call.
    pub fn of(caller: &crate::auth::Caller) -> Self {
        use crate::auth::Actor;
        match caller.actor {
            Actor::Agent { agent_id, .. } => Self { kind: AuthorKind::Agent, id: Some(agent_id) },
            Actor::ApiKey { key_id, .. } => Self { kind: AuthorKind::Integration, id: Some(key_id) },
        }
    }

    /// Rapport itself (routing notes and the like).
    pub const SYSTEM: Self = Self { kind: AuthorKind::System, id: None };
}

/// A message that passed validation.
#[derive(Debug, Clone)]
pub struct Draft {
    pub author: Author,
    pub kind: MessageKind,
    pub body: String,
    pub client_msg_id: Option<String>,
    /// Uploads to send with the message, checked when it is stored.
    pub attachment_ids: Vec<Uuid>,
}

impl Draft {
    pub fn parse(author: Author, kind: MessageKind, body: &str, client_msg_id: Option<&str>) -> Result<Self> {
        Self::parse_with_attachments(author, kind, body, client_msg_id, &[])
    }

    /// [`Draft::parse`] for a message that may carry attachments: with at least one, the
    /// text may be empty (a photo needs no caption).
    pub fn parse_with_attachments(
        author: Author,
        kind: MessageKind,
        body: &str,
        client_msg_id: Option<&str>,
        attachment_ids: &[Uuid],
    ) -> Result<Self> {
        if author.kind == AuthorKind::Visitor && kind == MessageKind::Note {
            return Err(Error::invalid("kind", "visitors cannot write internal notes"));
        }
        let attachment_ids = crate::attachments::parse_ids(attachment_ids)?;
        let body = if !attachment_ids.is_empty() && body.trim().is_empty() {
            String::new()
        } else {
            input::text("body", body, MAX_BODY_CHARS)?
        };
        let client_msg_id = match client_msg_id {
            None => None,
            Some(id)
                if id.is_empty()
                    || id.chars().count() > MAX_CLIENT_MSG_ID_CHARS
                    || id.chars().any(char::is_control) =>
            {
                return Err(Error::invalid(
                    "client_msg_id",
                    format!("must be 1 to {MAX_CLIENT_MSG_ID_CHARS} characters without control characters"),
                ));
            }
            Some(id) => Some(id.to_owned()),
        };
        Ok(Self { author, kind, body, client_msg_id, attachment_ids })
    }
}

/// The outcome of storing: the message, and whether this call stored it (false when the
/// `client_msg_id` had been stored before and the original is returned).
#[derive(Debug, Clone)]
pub struct Stored {
    pub message: MessageRow,
    pub created: bool,
    /// The conversation's visitor, whose channel the message goes to.
    pub visitor_id: Uuid,
    /// The conversation, when this message also assigned it: an agent who answers a
    /// conversation nobody had takes it, as in every support inbox, so two agents don't
    /// keep answering the same visitor. The caller announces the assignment.
    pub assigned: Option<crate::conversations::ConversationRow>,
}

/// Stores `draft` in a conversation of `workspace_id`, in its own transaction.
pub async fn append(store: &Store, workspace_id: Uuid, conversation_id: Uuid, draft: Draft) -> Result<Stored> {
    let mut tx = store.begin_write().await?;
    let stored = append_in(&mut tx, workspace_id, conversation_id, draft).await?;
    if stored.created {
        tx.commit().await?;
    }
    // A duplicate drops `tx` here, rolling back the `last_seq` increment.
    Ok(stored)
}

/// Stores `draft` inside `tx`. When the result is not `created`, the caller must roll
/// back (drop) the transaction rather than commit it.
pub async fn append_in(tx: &mut Tx, workspace_id: Uuid, conversation_id: Uuid, draft: Draft) -> Result<Stored> {
    let created_at = now();
    let is_agent_reply =
        matches!(draft.author.kind, AuthorKind::Agent | AuthorKind::Integration) && draft.kind == MessageKind::Text;
    let is_visitor = draft.author.kind == AuthorKind::Visitor;
    // Write first: this takes the conversation's row lock before anything is read.
    let numbered: Option<(i64, Uuid)> = on_tx!(&mut *tx, |conn| {
        sqlx::query_as(
            "UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3,
                first_response_at = CASE WHEN $4 AND first_response_at IS NULL THEN $3 ELSE first_response_at END,
                status = CASE WHEN $5 THEN 'open' ELSE status END,
                queued_at = CASE WHEN $5 AND assignee_id IS NULL THEN COALESCE(queued_at, $3) ELSE queued_at END,
                snoozed_until = CASE WHEN $5 THEN NULL ELSE snoozed_until END
             WHERE id = $1 AND workspace_id = $2 RETURNING last_seq, visitor_id",
        )
        .bind(conversation_id)
        .bind(workspace_id)
        .bind(created_at)
        .bind(is_agent_reply)
        .bind(is_visitor)
        .fetch_optional(conn)
        .await
    })?;
    let (seq, visitor_id) = numbered.ok_or(Error::NotFound("conversation"))?;

    if let Some(client_msg_id) = &draft.client_msg_id {
        let sql = concat!("SELECT ", columns!(), " FROM messages WHERE conversation_id = $1 AND client_msg_id = $2");
        let existing: Option<MessageRow> = on_tx!(&mut *tx, |conn| {
            sqlx::query_as(sql).bind(conversation_id).bind(client_msg_id).fetch_optional(conn).await
        })?;
        if let Some(message) = existing {
            // A retry is the same sender sending again. Someone else's key must neither
            // return their message (it may be a note) nor silently swallow this one.
            let same_sender = message.author_kind == draft.author.kind.as_db() && message.author_id == draft.author.id;
            if !same_sender {
                return Err(Error::conflict(
                    "client_msg_id_taken",
                    "another sender already used this client_msg_id in this conversation; use a fresh one (a UUID)",
                ));
            }
            return Ok(Stored { message, created: false, visitor_id, assigned: None });
        }
    }

    let mut message = MessageRow {
        id: Uuid::now_v7(),
        conversation_id,
        seq,
        client_msg_id: draft.client_msg_id,
        author_kind: draft.author.kind.as_db().into(),
        author_id: draft.author.id,
        kind: draft.kind.as_db().into(),
        body: draft.body,
        attachments: None,
        created_at,
    };
    on_tx!(&mut *tx, |conn| {
        sqlx::query(
            "INSERT INTO messages (id, workspace_id, conversation_id, seq, client_msg_id, author_kind, author_id, kind, body, attachments, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(message.id)
        .bind(workspace_id)
        .bind(conversation_id)
        .bind(message.seq)
        .bind(&message.client_msg_id)
        .bind(&message.author_kind)
        .bind(message.author_id)
        .bind(&message.kind)
        .bind(&message.body)
        .bind(&message.attachments)
        .bind(message.created_at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    if !draft.attachment_ids.is_empty() {
        // After the insert: attachments point at their message. A refused attachment
        // fails the whole send and the caller's transaction rolls the message back.
        let attachments = crate::attachments::attach_in(
            tx,
            workspace_id,
            conversation_id,
            message.id,
            draft.author,
            &draft.attachment_ids,
        )
        .await?;
        on_tx!(&mut *tx, |conn| {
            sqlx::query("UPDATE messages SET attachments = $1 WHERE id = $2")
                .bind(&attachments)
                .bind(message.id)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        message.attachments = attachments;
    }
    if is_agent_reply {
        // The visitor may not be there to read it: a continuity mail waits (mail::flows).
        crate::mail::flows::agent_replied(tx, workspace_id, conversation_id, created_at).await?;
    }
    crate::webhooks::message_created(tx, workspace_id, &message).await?;
    let assigned = match (draft.author.kind, draft.author.id, draft.kind) {
        (AuthorKind::Agent, Some(agent_id), MessageKind::Text) => {
            crate::routing::assign_if_waiting(tx, workspace_id, conversation_id, agent_id, &["open", "pending"]).await?
        }
        _ => None,
    };
    Ok(Stored { message, created: true, visitor_id, assigned })
}

/// Which messages a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Agents and integrations see everything, notes included.
    Team,
    /// Visitors never see internal notes.
    Visitor,
}

/// Messages with `seq > after_seq`, oldest first, at most `limit`.
pub async fn list_after(
    store: &Store,
    workspace_id: Uuid,
    conversation_id: Uuid,
    after_seq: i64,
    limit: u32,
    audience: Audience,
) -> Result<Vec<MessageRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM messages
         WHERE workspace_id = $1 AND conversation_id = $2 AND seq > $3 AND ($4 = FALSE OR kind <> 'note')
         ORDER BY seq LIMIT $5"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(workspace_id)
            .bind(conversation_id)
            .bind(after_seq)
            .bind(audience == Audience::Visitor)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
    })?)
}
