//! `/queue`, claiming and transferring conversations, and the visitor's place in line.

use openapi::{
    conversations::Conversation,
    routing::{Queue, QueueEntry, QueueStatus, Transfer},
};
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::queue;
use crate::{
    api::ApiTags,
    auth::{VisitorAuth, WorkspaceAuth},
    conversations,
    error::ApiError,
    realtime::presence,
    state::AppState,
};

pub struct RoutingApi;

#[OpenApi(tag = "ApiTags::Routing")]
impl RoutingApi {
    /// List the waiting queue
    ///
    /// Open conversations without an agent, longest-waiting first. `position` counts within
    /// the conversation's line (its site and team).
    #[oai(path = "/queue", method = "get", operation_id = "listQueue")]
    async fn queue(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// Only this site's line(s).
        site_id: Query<Option<Uuid>>,
        /// Only this team's line(s).
        team_id: Query<Option<Uuid>>,
        /// At most this many, 1 to 500 (default 100); the longest-waiting come first.
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> Result<Json<Queue>, ApiError> {
        let limit = match *limit {
            None => 100,
            Some(n @ 1..=queue::MAX_QUEUE) => n,
            Some(_) => return Err(crate::error::Error::invalid("limit", "must be between 1 and 500").into()),
        };
        let after = match cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => Some(
                queue::QueueCursor::decode(text)
                    .ok_or_else(|| crate::error::Error::invalid("cursor", "is not a cursor this API returned"))?,
            ),
        };
        let rows = queue::list(&state.store, auth.caller().workspace_id, queue::MAX_QUEUE_SCAN).await?;
        let mut items = Vec::new();
        let mut next_cursor = None;
        let wanted = rows.into_iter().filter(|(row, _)| {
            site_id.is_none_or(|id| id == row.site_id)
                && team_id.is_none_or(|id| Some(id) == row.team_id)
                && after.is_none_or(|after| queue::QueueCursor::of(row) > after)
        });
        for (row, position) in wanted {
            if items.len() as u32 == limit {
                next_cursor = items.last().map(|entry: &(QueueEntry, queue::QueueCursor)| entry.1.encode());
                break;
            }
            let waiting_since = queue::waiting_since(&row).to_utc();
            let place = queue::QueueCursor::of(&row);
            items.push((QueueEntry { conversation: row.to_wire()?, position, waiting_since }, place));
        }
        Ok(Json(Queue { items: items.into_iter().map(|(entry, _)| entry).collect(), next_cursor }))
    }

    /// Claim a conversation
    ///
    /// The signed-in agent takes a conversation nobody has. When several agents claim the
    /// same one at once, exactly one gets it and the others get 409 `already_assigned`.
    /// Claiming one's own conversation again answers with it unchanged.
    #[oai(path = "/conversations/:conversation_id/claim", method = "post", operation_id = "claimConversation")]
    async fn claim(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
    ) -> Result<Json<Conversation>, ApiError> {
        let caller = auth.caller();
        let (row, _) = super::claim(&state.store, caller, *conversation_id).await?;
        let conversation = row.to_wire()?;
        Ok(Json(conversation))
    }

    /// Transfer a conversation
    ///
    /// To an agent (theirs at once) or to a team (back in the queue for that team's agents).
    /// The optional note is stored as an internal note, which visitors never see.
    #[oai(path = "/conversations/:conversation_id/transfer", method = "post", operation_id = "transferConversation")]
    async fn transfer(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        body: Json<Transfer>,
    ) -> Result<Json<Conversation>, ApiError> {
        let caller = auth.caller();
        let (row, _note) = super::transfer(&state.store, caller, *conversation_id, &body).await?;
        let conversation = row.to_wire()?;
        Ok(Json(conversation))
    }
}

pub struct WidgetQueueApi;

#[OpenApi(prefix_path = "/widget", tag = "ApiTags::Widget")]
impl WidgetQueueApi {
    /// Where the visitor's conversation stands in the queue
    ///
    /// `position` is absent once an agent has the conversation. Updates arrive on the
    /// visitor socket as `queue` frames.
    #[oai(path = "/conversations/:conversation_id/queue", method = "get", operation_id = "getVisitorQueueStatus")]
    async fn status(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
    ) -> Result<Json<QueueStatus>, ApiError> {
        let visitor = &auth.0;
        let row =
            conversations::get_for_visitor(&state.store, visitor.workspace_id, visitor.visitor_id, *conversation_id)
                .await?;
        let position = queue::position(&state.store, &row).await?;
        let recent_wait = queue::recent_wait_ms(&state.store, row.workspace_id, row.site_id).await?;
        let available = presence::agents(state.realtime.presence.as_ref(), row.workspace_id)
            .await
            .map(|agents| agents.values().filter(|s| **s == openapi::realtime::AgentStatus::Online).count())
            .unwrap_or(0);
        Ok(Json(queue::status(&row, position, recent_wait, available)))
    }
}
