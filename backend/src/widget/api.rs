//! `/widget/...`: the visitor's session, conversations and messages.

use openapi::{
    conversations::Conversation,
    messages::{AuthorKind, MessageKind, MessageRange, NewMessage},
    widget::{
        NewVisitorConversation, StartedConversation, VisitorConversationPage, VisitorSession, VisitorSessionRequest,
        WidgetSite,
    },
};
use poem::{http::HeaderMap, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    api::ApiTags,
    auth::VisitorAuth,
    conversations::{self, Filter},
    error::ApiError,
    messages::{
        Audience, Author, Draft, Outgoing,
        api::{SendResponse, parse_range, read_range},
    },
    pagination::PageRequest,
    sites::{self, SiteRow},
    state::AppState,
    visitors,
};

pub struct WidgetApi;

#[derive(ApiResponse)]
enum Started {
    /// The conversation was created with its first message.
    #[oai(status = 201)]
    Created(Json<StartedConversation>),
    /// A retry: the conversation created earlier with this `client_msg_id`.
    #[oai(status = 200)]
    Existing(Json<StartedConversation>),
}

/// A browser's `Origin` must be one the site allows, or Rapport's own (the widget's
/// iframe is served by Rapport). Requests without one (server-side tools) carry no
/// ambient browser credentials, so there is nothing to protect against there.
pub(super) fn check_origin(state: &AppState, site: &SiteRow, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    if site.allows_origin(origin, &state.settings.public_url) {
        Ok(())
    } else {
        Err(ApiError::forbidden("origin_not_allowed", format!("origin {origin} may not use this site's widget")))
    }
}

#[OpenApi(prefix_path = "/widget", tag = "ApiTags::Widget")]
impl WidgetApi {
    /// Start or resume a visitor session
    ///
    /// Identifies the site by its public key. With a still-valid `visitor_token` the
    /// same visitor (and history) continues; otherwise a new visitor is created. The
    /// browser's `context` and the browser and system named by `User-Agent` are kept as
    /// the visitor's attributes `timezone`, `language`, `screen`, `browser` and `os`
    /// (a malformed `context` field is refused with 422 `invalid_input`). Without a
    /// language in the context, the browser's `Accept-Language` gives `language` (saved
    /// replies pick their variant by it). Outside the site's business hours
    /// `agents_online` is false.
    #[oai(path = "/session", method = "post", operation_id = "startVisitorSession")]
    async fn session(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        headers: &HeaderMap,
        body: Json<VisitorSessionRequest>,
    ) -> Result<Json<VisitorSession>, ApiError> {
        let site = sites::find_by_key(&state.store, &body.site_key).await?;
        check_origin(&state, &site, headers)?;
        // Only a new visitor is counted: a returning one resumes freely.
        let returning = match body.visitor_token.as_deref() {
            Some(presented) => visitors::authenticate(&state.store, &crate::auth::token::hash(presented))
                .await
                .is_ok_and(|visitor| visitor.site_id == site.id),
            None => false,
        };
        if !returning {
            state.throttles.from_client(crate::throttle::Attempt::WidgetSession, req)?;
        }
        let user_agent = headers.get(poem::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
        let mut context = super::context::attributes(body.context.as_ref(), user_agent)?;
        // Without the widget's own, the browser's language: saved replies pick their
        // variant by it.
        if !context.contains_key("language")
            && let Some(language) =
                headers.get("accept-language").and_then(|v| v.to_str().ok()).and_then(visitors::preferred_language)
        {
            context.insert("language".to_owned(), serde_json::Value::String(language));
        }
        let (visitor, visitor_token) =
            visitors::start_session(&state.store, &site, body.visitor_token.as_deref()).await?;
        // Written only when something changed: a session starts on every page view.
        let known = visitor.attribute_map();
        if context.iter().any(|(key, value)| known.get(key) != Some(value)) {
            let changes = openapi::visitors::VisitorUpdate { name: None, email: None, attributes: Some(context) };
            // Context is a courtesy to the team: a visitor already at the attribute limit
            // still gets their chat.
            if let Err(err) = visitors::update(&state.store, site.workspace_id, visitor.id, &changes).await {
                tracing::warn!(visitor_id = %visitor.id, error = %err, "the visitor's browser context was not stored");
            }
        }
        let present = crate::realtime::presence::agents(state.realtime.presence.as_ref(), site.workspace_id).await?;
        // Outside the site's business hours nobody counts as online: the widget offers
        // its offline form.
        let agents_online = present.values().any(|status| *status == openapi::realtime::AgentStatus::Online)
            && crate::business_hours::open_now(&state.store, site.workspace_id, site.id).await;
        let team = super::faces::team(&state, site.workspace_id, &present).await?;
        let latest = PageRequest::parse(None, Some(1))?;
        let mine = Filter { visitor_id: Some(visitor.id), ..Filter::default() };
        let conversation = conversations::list(&state.store, site.workspace_id, &mine, latest).await?;
        let conversation = conversation.first().map(conversations::ConversationRow::to_visitor_wire).transpose()?;
        let typical_reply_secs =
            crate::routing::queue::recent_wait_ms(&state.store, site.workspace_id, site.id).await?;
        Ok(Json(VisitorSession {
            visitor_token,
            visitor_id: visitor.id,
            site: WidgetSite {
                prechat_name: site.prechat().0,
                prechat_email: site.prechat().1,
                offline_form: site.offline_form,
                typical_reply_secs: typical_reply_secs.map(|ms| (ms.max(0) as u64).div_ceil(1000)),
                typing_preview: site.typing_preview,
                name: site.name,
                color: site.color,
                greeting: site.greeting,
                require_identity: site.require_identity,
                agents_online,
                team,
            },
            conversation,
        }))
    }

    /// The visitor's own conversations
    #[oai(path = "/conversations", method = "get", operation_id = "listVisitorConversations")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<VisitorConversationPage>, ApiError> {
        let visitor = &auth.0;
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let filter = Filter { visitor_id: Some(visitor.visitor_id), ..Filter::default() };
        let rows = conversations::list(&state.store, visitor.workspace_id, &filter, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let items = rows
            .iter()
            .map(conversations::ConversationRow::to_visitor_wire)
            .collect::<Result<Vec<Conversation>, _>>()?;
        Ok(Json(VisitorConversationPage { items, next_cursor }))
    }

    /// Start a conversation
    ///
    /// Idempotent on the first message's `client_msg_id`. The pre-chat form's `name` and
    /// `email` are stored on the visitor; a field the site requires (`prechat_name`,
    /// `prechat_email` = `required`) and missing is refused with 400 `prechat_required`
    /// (`field` names it), and nothing is stored.
    #[oai(path = "/conversations", method = "post", operation_id = "startVisitorConversation")]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        body: Json<NewVisitorConversation>,
    ) -> Result<Started, ApiError> {
        let visitor = &auth.0;
        let author = Author { kind: AuthorKind::Visitor, id: Some(visitor.visitor_id) };
        let draft = Draft::parse(author, MessageKind::Text, &body.body, Some(&body.client_msg_id))?;
        let site = sites::get(&state.store, visitor.workspace_id, visitor.site_id).await?;
        let profile = super::prechat::parse(&site, body.name.as_deref(), body.email.as_deref())?;
        let (conversation, message, created) = crate::widget::start_conversation(&state.store, visitor, draft).await?;
        if !super::prechat::is_empty(&profile) {
            visitors::update(&state.store, visitor.workspace_id, visitor.visitor_id, &profile).await?;
        }
        let started =
            StartedConversation { conversation: conversation.to_visitor_wire()?, message: message.to_wire()? };
        if created {
            crate::business_hours::after_start(&state, &conversation).await;
        }
        Ok(if created { Started::Created(Json(started)) } else { Started::Existing(Json(started)) })
    }

    /// Read the visitor's messages after a sequence number
    ///
    /// Internal notes are never included.
    #[oai(path = "/conversations/:conversation_id/messages", method = "get", operation_id = "listVisitorMessages")]
    async fn messages(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        /// Return messages after this `seq` (default 0).
        after_seq: Query<Option<i64>>,
        /// At most this many, 1 to 500 (default 100).
        limit: Query<Option<u32>>,
    ) -> Result<Json<MessageRange>, ApiError> {
        let visitor = &auth.0;
        let (after_seq, limit) = parse_range(*after_seq, *limit)?;
        let conversation =
            conversations::get_for_visitor(&state.store, visitor.workspace_id, visitor.visitor_id, *conversation_id)
                .await?;
        Ok(Json(read_range(&state, &conversation, after_seq, limit, Audience::Visitor).await?))
    }

    /// Send a message as the visitor
    ///
    /// Idempotent on `client_msg_id`. Notes are refused.
    #[oai(path = "/conversations/:conversation_id/messages", method = "post", operation_id = "sendVisitorMessage")]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        body: Json<NewMessage>,
    ) -> Result<SendResponse, ApiError> {
        let visitor = &auth.0;
        conversations::get_for_visitor(&state.store, visitor.workspace_id, visitor.visitor_id, *conversation_id)
            .await?;
        let author = Author { kind: AuthorKind::Visitor, id: Some(visitor.visitor_id) };
        let draft = Draft::parse_with_attachments(
            author,
            body.kind.unwrap_or(MessageKind::Text),
            &body.body,
            body.client_msg_id.as_deref(),
            body.attachment_ids.as_deref().unwrap_or_default(),
        )?;
        let outgoing = Outgoing { workspace_id: visitor.workspace_id, conversation_id: *conversation_id, draft };
        SendResponse::send(&state, outgoing).await
    }
}
