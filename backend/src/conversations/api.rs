//! `/conversations`: list with filters and cursor pagination, get, update.

use openapi::conversations::{Conversation, ConversationPage, ConversationStatus, ConversationUpdate};
use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::Filter;
use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, pagination::PageRequest, state::AppState};

pub struct ConversationsApi;

#[OpenApi(prefix_path = "/conversations", tag = "ApiTags::Conversations")]
impl ConversationsApi {
    /// List conversations
    ///
    /// Newest first. Filters combine with AND.
    #[oai(path = "/", method = "get", operation_id = "listConversations")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// Only conversations in this status.
        #[oai(example = "crate::api_examples::conversation_status")]
        status: Query<Option<ConversationStatus>>,
        /// Only conversations assigned to this agent.
        #[oai(example = "crate::api_examples::some_id")]
        assignee_id: Query<Option<Uuid>>,
        /// Only conversations nobody is assigned to.
        #[oai(example = "crate::api_examples::unassigned")]
        unassigned: Query<Option<bool>>,
        /// Only conversations from this site.
        #[oai(example = "crate::api_examples::some_id")]
        site_id: Query<Option<Uuid>>,
        /// Only conversations of this visitor.
        #[oai(example = "crate::api_examples::some_id")]
        visitor_id: Query<Option<Uuid>>,
        /// Search: the visitor's name or email, or any message's text (up to 200 characters).
        #[oai(example = "crate::api_examples::search")]
        q: Query<Option<String>>,
        /// From the previous page's `next_cursor`.
        #[oai(example = "crate::api_examples::cursor")]
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        #[oai(example = "crate::api_examples::limit")]
        limit: Query<Option<u32>>,
    ) -> Result<Json<ConversationPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let text = match q.0.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) if text.chars().count() > super::MAX_SEARCH_CHARS || text.chars().any(char::is_control) => {
                return Err(crate::error::Error::invalid(
                    "q",
                    "must be at most 200 characters without control characters",
                )
                .into());
            }
            Some(text) => Some(text.to_owned()),
        };
        let filter = Filter {
            text,
            status: *status,
            assignee_id: *assignee_id,
            unassigned: unassigned.unwrap_or(false),
            site_id: *site_id,
            visitor_id: *visitor_id,
        };
        let rows = super::list(&state.store, auth.caller().workspace_id, &filter, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let items = rows.iter().map(super::ConversationRow::to_wire).collect::<Result<_, _>>()?;
        Ok(Json(ConversationPage { items, next_cursor }))
    }

    /// Get a conversation
    #[oai(path = "/:conversation_id", method = "get", operation_id = "getConversation")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
    ) -> Result<Json<Conversation>, ApiError> {
        let row = super::get(&state.store, auth.caller().workspace_id, *conversation_id).await?;
        Ok(Json(row.to_wire()?))
    }

    /// Change a conversation's status, assignee, team or priority
    #[oai(path = "/:conversation_id", method = "patch", operation_id = "updateConversation")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        body: Json<ConversationUpdate>,
    ) -> Result<Json<Conversation>, ApiError> {
        let caller = auth.caller();
        let row = super::update(&state.store, caller, *conversation_id, &body).await?;
        let conversation = row.to_wire()?;
        Ok(Json(conversation))
    }
}
