//! `/conversations`: list with filters and cursor pagination, get, update.

use openapi::conversations::{
    Conversation, ConversationMatch, ConversationMatchPage, ConversationPage, ConversationStatus, ConversationUpdate,
    FeedPage, Priority,
};
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
        status: Query<Option<ConversationStatus>>,
        /// Only conversations assigned to this agent.
        assignee_id: Query<Option<Uuid>>,
        /// Only conversations nobody is assigned to.
        unassigned: Query<Option<bool>>,
        /// Only conversations from this site.
        site_id: Query<Option<Uuid>>,
        /// Only conversations of this visitor.
        visitor_id: Query<Option<Uuid>>,
        /// Search: the visitor's name or email, or any message's text (up to 200 characters).
        q: Query<Option<String>>,
        /// Only conversations of this team.
        team_id: Query<Option<Uuid>>,
        /// Only conversations carrying this label (ASCII letters match in any case).
        label: Query<Option<String>>,
        /// Only conversations of this priority.
        priority: Query<Option<Priority>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<ConversationPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let filter = Filter {
            text: search_text(q.0.as_deref())?,
            status: *status,
            assignee_id: *assignee_id,
            unassigned: unassigned.unwrap_or(false),
            site_id: *site_id,
            visitor_id: *visitor_id,
            team_id: *team_id,
            priority: *priority,
            label: label.0.clone().filter(|l| !l.trim().is_empty()),
        };
        let rows = super::list(&state.store, auth.caller().workspace_id, &filter, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let mut items = super::feed::with_previews(&state.store, &rows).await?;
        crate::ratings::attach(&state.store, auth.caller().workspace_id, &mut items).await?;
        Ok(Json(ConversationPage { items, next_cursor }))
    }

    /// Follow the workspace feed
    ///
    /// Conversations whose latest change (a message, status, assignee, priority,
    /// labels…) comes after the feed position `after`, oldest change first, each once and
    /// as it is now. Start from 0 (or from the highest `feed_seq` you hold) and pass each
    /// answer's `after` to the next call; the `feed` frame of `/ws/agent` does the same and
    /// then goes on live (PROTOCOL.md). A position beyond the newest is refused.
    #[oai(path = "/feed", method = "get", operation_id = "followFeed")]
    async fn feed(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// The highest `feed_seq` you hold (default 0: everything).
        after: Query<Option<i64>>,
        /// Page size, 1 to 500 (default 200).
        limit: Query<Option<u32>>,
    ) -> Result<Json<FeedPage>, ApiError> {
        let workspace_id = auth.caller().workspace_id;
        let after = after.unwrap_or(0);
        let limit = limit.unwrap_or(200);
        if !(1..=500).contains(&limit) {
            return Err(crate::error::Error::invalid("limit", "must be between 1 and 500").into());
        }
        let head = super::feed::head(&state.store, workspace_id).await?;
        if !(0..=head).contains(&after) {
            let message = format!("must be between 0 and the workspace's newest feed_seq ({head})");
            return Err(crate::error::Error::invalid("after", message).into());
        }
        let mut items = super::feed::after(&state.store, workspace_id, after, None, limit + 1).await?;
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let after = items.last().map_or(after, |last| last.feed_seq);
        Ok(Json(FeedPage { items, after, has_more, head }))
    }

    /// Search conversations, with what matched
    ///
    /// Like listing with `q`, newest first, but each result says where the text was
    /// found (`name`, `email` or a `message`) and quotes it with some context, for a
    /// result list that shows the matching words rather than the last message. Internal
    /// notes are searched too (the team's own).
    #[oai(path = "/search", method = "get", operation_id = "searchConversations")]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// The visitor's name or email, or words of a message (1 to 200 characters).
        #[oai(example = "crate::api_examples::required_search")]
        q: Query<String>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<ConversationMatchPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let text = search_text(Some(&q))?.ok_or_else(|| crate::error::Error::invalid("q", "is empty"))?;
        let filter = Filter { text: Some(text), ..Filter::default() };
        let found = super::search::search(&state.store, auth.caller().workspace_id, &filter, page).await?;
        let (found, next_cursor) = page.finish(found, |f| f.conversation.id);
        let mut conversations: Vec<Conversation> =
            found.iter().map(|f| f.conversation.to_wire()).collect::<Result<_, _>>()?;
        crate::ratings::attach(&state.store, auth.caller().workspace_id, &mut conversations).await?;
        let items = found
            .into_iter()
            .zip(conversations)
            .map(|(f, conversation)| ConversationMatch { conversation, field: f.field, snippet: f.snippet, seq: f.seq })
            .collect();
        Ok(Json(ConversationMatchPage { items, next_cursor }))
    }

    /// Get a conversation
    #[oai(path = "/:conversation_id", method = "get", operation_id = "getConversation")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
    ) -> Result<Json<Conversation>, ApiError> {
        let workspace_id = auth.caller().workspace_id;
        let row = super::get(&state.store, workspace_id, *conversation_id).await?;
        let mut conversation = [row.to_wire()?];
        crate::ratings::attach(&state.store, workspace_id, &mut conversation).await?;
        let [conversation] = conversation;
        Ok(Json(conversation))
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

/// The search text of `q`: trimmed, at most 200 characters, no control characters.
fn search_text(q: Option<&str>) -> Result<Option<String>, crate::error::Error> {
    match q.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > super::MAX_SEARCH_CHARS || text.chars().any(char::is_control) => {
            Err(crate::error::Error::invalid("q", "must be at most 200 characters without control characters"))
        }
        Some(text) => Ok(Some(text.to_owned())),
    }
}
