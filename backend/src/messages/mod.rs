//! Messages and the storing half of the delivery contract.
//!
//! Every message, whoever sends it, is stored by [`batch::store_in`]: it numbers the
//! message inside the transaction that stores it (the conversation's row is locked
//! first, so concurrent writers queue instead of racing), returns the original for a
//! `client_msg_id` stored before (so retries never duplicate and seqs never skip), and
//! records the consequences — webhook and mail outbox rows, and the [`Change`]s the
//! dispatcher announces after commit.
//!
//! - [`send`]: the entry point; concurrent sends are group-committed by [`writer`].
//! - [`send_in`]: the same inside a caller's transaction.
//! - [`batch`]: the one place a message is stored.
//!
//! [`Change`]: crate::changes::Change

pub mod api;
pub mod batch;
pub mod writer;

use openapi::messages::{AuthorKind, Message, MessageKind};
use uuid::Uuid;

use crate::{
    error::{Error, Result},
    input, on_pool,
    store::{Millis, Store, StoredEnum, Tx},
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
pub(crate) use columns;

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

/// A message on its way to be stored: where it goes and what it says.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub workspace_id: Uuid,
    pub conversation_id: Uuid,
    pub draft: Draft,
}

/// The outcome of storing: the message, and whether this call stored it (false when the
/// `client_msg_id` had been stored before and the original is returned).
#[derive(Debug, Clone)]
pub struct Stored {
    pub message: MessageRow,
    pub created: bool,
    /// The conversation's visitor, whose channel the message goes to.
    pub visitor_id: Uuid,
    /// The conversation as this message left it (as it was, for a retry).
    pub conversation: crate::conversations::ConversationRow,
    /// How many messages were considered in the transaction that answered this one.
    pub batch_size: usize,
}

/// Stores one message and answers once it is durably stored: the entry point of every
/// sender (sockets, REST, widget, inbound mail). Concurrent sends share a transaction
/// (see [`writer`]); each is refused or stored on its own.
pub async fn send(store: &Store, outgoing: Outgoing) -> Result<Stored> {
    writer::send(store, outgoing).await
}

/// Stores one message inside the caller's transaction, for changes that write a message
/// together with something else (a conversation's first message, a transfer's note). A
/// refusal leaves the transaction as it was: the caller decides whether to go on.
pub async fn send_in(tx: &mut Tx, outgoing: Outgoing) -> Result<Stored> {
    let mut results = batch::store_in(tx, vec![outgoing]).await?;
    results.pop().unwrap_or_else(|| Err(Error::Internal("a batch of one answered nothing".into())))
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
