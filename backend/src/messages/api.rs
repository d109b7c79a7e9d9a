//! `/conversations/{id}/messages`: read by `seq` range, send as an agent or integration.

use openapi::messages::{Message, MessageKind, MessageRange, NewMessage};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Audience, Author, Draft};
use crate::{
    api::ApiTags,
    auth::WorkspaceAuth,
    conversations,
    error::{ApiError, Error},
    state::AppState,
};

pub struct MessagesApi;

/// The answer to a send: 201 when stored now, 200 when the `client_msg_id` was stored
/// before (the original message is returned).
#[derive(ApiResponse)]
pub enum SendResponse {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<Message>),
    /// Already stored earlier with this `client_msg_id`; nothing new was stored.
    #[oai(status = 200)]
    Existing(Json<Message>),
}

impl SendResponse {
    /// Stores the message, then answers: 201 for a new one, 200 for a retry. (Sockets
    /// and other nodes hear of it from the dispatcher.)
    pub async fn send(state: &AppState, outgoing: super::Outgoing) -> Result<Self, ApiError> {
        let stored = super::send(&state.store, outgoing).await?;
        let message = stored.message.to_wire()?;
        Ok(if stored.created { Self::Created(Json(message)) } else { Self::Existing(Json(message)) })
    }
}

/// Parses the `after_seq`/`limit` pair shared by the agent and visitor readers.
pub fn parse_range(after_seq: Option<i64>, limit: Option<u32>) -> Result<(i64, u32), Error> {
    let after_seq = after_seq.unwrap_or(0);
    if after_seq < 0 {
        return Err(Error::invalid("after_seq", "must be 0 or more"));
    }
    let limit = limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 500"));
    }
    Ok((after_seq, limit))
}

/// Reads a range and says whether more follow.
pub async fn read_range(
    state: &AppState,
    conversation: &conversations::ConversationRow,
    after_seq: i64,
    limit: u32,
    audience: Audience,
) -> Result<MessageRange, Error> {
    let mut rows =
        super::list_after(&state.store, conversation.workspace_id, conversation.id, after_seq, limit + 1, audience)
            .await?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let items = rows.iter().map(super::MessageRow::to_wire).collect::<Result<_, _>>()?;
    Ok(MessageRange { items, last_seq: conversation.last_seq, has_more })
}

#[OpenApi(prefix_path = "/conversations", tag = "ApiTags::Messages")]
impl MessagesApi {
    /// List messages after a sequence number
    ///
    /// Returns messages with `seq > after_seq` in `seq` order, notes included. To catch
    /// up after a gap, pass the last contiguous `seq` you hold.
    #[oai(path = "/:conversation_id/messages", method = "get", operation_id = "listMessages")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        /// Return messages after this `seq` (default 0: from the start).
        after_seq: Query<Option<i64>>,
        /// At most this many, 1 to 500 (default 100).
        limit: Query<Option<u32>>,
    ) -> Result<Json<MessageRange>, ApiError> {
        let (after_seq, limit) = parse_range(*after_seq, *limit)?;
        let conversation = conversations::get(&state.store, auth.caller().workspace_id, *conversation_id).await?;
        Ok(Json(read_range(&state, &conversation, after_seq, limit, Audience::Team).await?))
    }

    /// Send a message or an internal note
    ///
    /// As the signed-in agent, or as an integration with an API key (write scope).
    /// Idempotent on `client_msg_id`.
    #[oai(path = "/:conversation_id/messages", method = "post", operation_id = "sendMessage")]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        body: Json<NewMessage>,
    ) -> Result<SendResponse, ApiError> {
        let caller = auth.caller();
        caller.require_write()?;
        let author = Author::of(caller);
        let draft = Draft::parse_with_attachments(
            author,
            body.kind.unwrap_or(MessageKind::Text),
            &body.body,
            body.client_msg_id.as_deref(),
            body.attachment_ids.as_deref().unwrap_or_default(),
        )?;
        let outgoing = super::Outgoing { workspace_id: caller.workspace_id, conversation_id: *conversation_id, draft };
        SendResponse::send(&state, outgoing).await
    }
}
