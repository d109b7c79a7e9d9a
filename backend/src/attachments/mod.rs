//! File and image attachments.
//!
//! - [`content`]: which media types are accepted, checked against the bytes.
//! - [`storage`]: the [`storage::BlobStore`] seam (bytes in the database by default).
//! - [`links`]: signed download links, for `<img>` tags that cannot send credentials.
//! - [`api`]: upload and download for agents, visitors and signed links.
//!
//! Life of an attachment: it is uploaded into a conversation by a participant, stays
//! private to its uploader (and the team) until a message of the same sender names it
//! in `attachment_ids`, and from then on is part of that message, immutable. The message
//! keeps a copy of what it shows ([`Shown`]) so every reader of messages — REST, socket
//! replay, the bus, webhooks — gets attachments without another query.

pub mod api;
pub mod content;
pub mod links;
pub mod storage;

use openapi::{
    attachments::{Attachment, MessageAttachment},
    messages::{AuthorKind, MessageKind},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    auth::token,
    error::{Error, Result},
    messages::Author,
    on_pool, on_tx,
    store::{Millis, Store, StoredEnum, Tx, now},
};

/// The most attachments one message may carry.
pub const MAX_PER_MESSAGE: usize = 10;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub conversation_id: Uuid,
    pub uploader_kind: String,
    pub uploader_id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub signing_key: String,
    pub message_id: Option<Uuid>,
    pub created_at: Millis,
}

macro_rules! columns {
    () => {
        "id, workspace_id, conversation_id, uploader_kind, uploader_id, filename, content_type, size, signing_key, \
         message_id, created_at"
    };
}

impl AttachmentRow {
    pub fn to_wire(&self) -> Attachment {
        Attachment {
            id: self.id,
            conversation_id: self.conversation_id,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            is_image: content::is_image(&self.content_type),
            url: links::url(self.id, &self.signing_key),
            created_at: self.created_at.to_utc(),
        }
    }

    fn shown(&self) -> Shown {
        Shown {
            id: self.id,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            key: self.signing_key.clone(),
        }
    }

    fn uploaded_by(&self, author: Author) -> bool {
        self.uploader_kind == author.kind.as_db() && Some(self.uploader_id) == author.id
    }
}

/// What a message stores of each attachment (the `messages.attachments` JSON column).
/// The link key stays on the server: the wire form carries only a signature made with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shown {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub key: String,
}

impl Shown {
    pub fn to_wire(&self) -> MessageAttachment {
        MessageAttachment {
            id: self.id,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            is_image: content::is_image(&self.content_type),
            url: links::url(self.id, &self.key),
        }
    }
}

/// The wire attachments of a message from its stored column.
pub fn shown_on_wire(column: Option<&str>) -> Result<Vec<MessageAttachment>> {
    let Some(json) = column else { return Ok(Vec::new()) };
    let shown: Vec<Shown> =
        serde_json::from_str(json).map_err(|err| Error::Internal(format!("stored message attachments: {err}")))?;
    Ok(shown.iter().map(Shown::to_wire).collect())
}

/// A file that passed the upload checks, ready to store.
pub struct Upload {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Stores an upload into `conversation_id` (which the caller has checked the uploader
/// may use). Bytes first, metadata second: a failure in between leaves unreferenced
/// bytes, never an attachment without its bytes.
pub async fn store(
    blobs: &dyn storage::BlobStore,
    store: &Store,
    workspace_id: Uuid,
    conversation_id: Uuid,
    uploader: Author,
    upload: Upload,
) -> Result<AttachmentRow> {
    let uploader_id = uploader.id.ok_or_else(|| Error::Internal("attachments need a named uploader".into()))?;
    let row = AttachmentRow {
        id: Uuid::now_v7(),
        workspace_id,
        conversation_id,
        uploader_kind: uploader.kind.as_db().into(),
        uploader_id,
        filename: upload.filename,
        content_type: upload.content_type.into(),
        size: upload.bytes.len() as i64,
        signing_key: token::random_string(32),
        message_id: None,
        created_at: now(),
    };
    blobs.put(workspace_id, row.id, &upload.bytes).await?;
    on_pool!(store, |pool| {
        sqlx::query(concat!(
            "INSERT INTO attachments (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(row.id)
        .bind(row.workspace_id)
        .bind(row.conversation_id)
        .bind(&row.uploader_kind)
        .bind(row.uploader_id)
        .bind(&row.filename)
        .bind(&row.content_type)
        .bind(row.size)
        .bind(&row.signing_key)
        .bind(row.message_id)
        .bind(row.created_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(row)
}

/// The ids a message wants to send, de-duplicated in their order and bounded.
pub fn parse_ids(ids: &[Uuid]) -> Result<Vec<Uuid>> {
    let mut unique = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if unique.len() > MAX_PER_MESSAGE {
        return Err(Error::invalid("attachment_ids", format!("at most {MAX_PER_MESSAGE} attachments per message")));
    }
    Ok(unique)
}

/// Checks that `author` may send the uploads `ids` with a new message in
/// `conversation_id`, and returns what the message will show of them (JSON, see
/// [`Shown`]). Nothing is written: [`bind_in`] does that once the message exists.
pub async fn check_in(
    tx: &mut Tx,
    workspace_id: Uuid,
    conversation_id: Uuid,
    author: Author,
    ids: &[Uuid],
) -> Result<Option<String>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let mut shown = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<AttachmentRow> = on_tx!(&mut *tx, |conn| {
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM attachments WHERE id = $1 AND workspace_id = $2 AND conversation_id = $3"
            ))
            .bind(id)
            .bind(workspace_id)
            .bind(conversation_id)
            .fetch_optional(conn)
            .await
        })?;
        // Someone else's upload answers like a missing one: ids leak nothing.
        let row = row.filter(|row| row.uploaded_by(author)).ok_or_else(|| {
            Error::invalid("attachment_ids", format!("attachment {id} was not uploaded by you into this conversation"))
        })?;
        if row.message_id.is_some() {
            return Err(already_sent(*id));
        }
        shown.push(row.shown());
    }
    serde_json::to_string(&shown).map(Some).map_err(|err| Error::Internal(format!("attachments to JSON: {err}")))
}

/// The refusal for an upload that another message already carries.
pub fn already_sent(id: Uuid) -> Error {
    Error::conflict(
        "attachment_already_sent",
        format!("attachment {id} was already sent with another message; upload it again to send it twice"),
    )
}

/// Ties checked uploads to their message. Fails when one was sent with another message
/// since [`check_in`] (by another node): the caller's transaction must then roll back.
pub async fn bind_in(tx: &mut Tx, message_id: Uuid, ids: &[Uuid]) -> Result<()> {
    for id in ids {
        let bound = on_tx!(&mut *tx, |conn| {
            sqlx::query("UPDATE attachments SET message_id = $1 WHERE id = $2 AND message_id IS NULL")
                .bind(message_id)
                .bind(id)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        if bound != 1 {
            return Err(already_sent(*id));
        }
    }
    Ok(())
}

/// Who is asking for a file.
#[derive(Debug, Clone, Copy)]
pub enum Reader {
    /// Agents and integrations of the workspace: every attachment of its conversations.
    Team,
    /// The visitor who owns the conversation (checked by the caller): their own uploads,
    /// and files of messages they can see (not internal notes).
    Visitor(Uuid),
}

/// An attachment of `conversation_id` that `reader` may download.
pub async fn find_for(
    store: &Store,
    workspace_id: Uuid,
    conversation_id: Uuid,
    id: Uuid,
    reader: Reader,
) -> Result<AttachmentRow> {
    let row: Option<AttachmentRow> = on_pool!(store, |pool| {
        sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM attachments WHERE id = $1 AND workspace_id = $2 AND conversation_id = $3"
        ))
        .bind(id)
        .bind(workspace_id)
        .bind(conversation_id)
        .fetch_optional(pool)
        .await
    })?;
    let row = row.ok_or(Error::NotFound("attachment"))?;
    match reader {
        Reader::Team => Ok(row),
        Reader::Visitor(visitor_id) => {
            let own = row.uploaded_by(Author { kind: AuthorKind::Visitor, id: Some(visitor_id) });
            if own || visible_to_visitor(store, &row).await? { Ok(row) } else { Err(Error::NotFound("attachment")) }
        }
    }
}

/// True when the attachment was sent with a message the visitor can see.
async fn visible_to_visitor(store: &Store, row: &AttachmentRow) -> Result<bool> {
    let Some(message_id) = row.message_id else { return Ok(false) };
    let kind: Option<String> = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT kind FROM messages WHERE id = $1 AND workspace_id = $2")
            .bind(message_id)
            .bind(row.workspace_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(kind.is_some_and(|kind| kind != MessageKind::Note.as_db()))
}

/// An attachment by id alone, for signed links (the signature is the authorisation).
pub async fn find_by_id(store: &Store, id: Uuid) -> Result<Option<AttachmentRow>> {
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(concat!("SELECT ", columns!(), " FROM attachments WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}
