//! Mail over REST: the team's view of the outbox and per-site settings, the inbound
//! endpoint for mail providers, and what the widget calls (offline message, transcript,
//! continue link).

use openapi::{
    error::ErrorBody,
    mail::{
        ContinueRequest, ContinuedConversation, MailPage, MailState, OfflineMessage, SiteMailSettings,
        SiteMailSettingsUpdate, TranscriptQueued, TranscriptRequest, Unsubscribed,
    },
    messages::{AuthorKind, MessageKind},
    widget::StartedConversation,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{flows, inbound, signing, site_settings};
use crate::{
    api::ApiTags,
    auth::{VisitorAuth, VisitorCaller, WorkspaceAuth, token},
    conversations,
    error::{ApiError, Error},
    input,
    messages::{self, Audience, Author, Draft, Outgoing, api::SendResponse},
    on_pool,
    pagination::PageRequest,
    sites,
    state::AppState,
    store::now,
    widget::{self, Start},
};

pub struct MailApi;
pub struct MailWidgetApi;

fn refusal(status: u16, code: &str, message: &str, field: Option<&str>) -> ApiError {
    let body = Json(ErrorBody { code: code.into(), message: message.into(), field: field.map(str::to_owned) });
    match status {
        403 => ApiError::Forbidden(body),
        _ => ApiError::UnprocessableEntity(body),
    }
}

#[derive(ApiResponse)]
enum Started {
    /// The conversation was created with the message, and the team is being told.
    #[oai(status = 201)]
    Created(Json<StartedConversation>),
    /// A retry: the conversation created earlier with this `client_msg_id`.
    #[oai(status = 200)]
    Existing(Json<StartedConversation>),
}

#[derive(ApiResponse)]
enum Queued {
    /// The transcript is queued; it is sent within moments.
    #[oai(status = 202)]
    Accepted(Json<TranscriptQueued>),
}

#[OpenApi(tag = "ApiTags::Mail")]
impl MailApi {
    /// List the workspace's mail
    ///
    /// Newest first, with each mail's state, attempts and last error. Account notices
    /// (mailed to an address that gets an account here while it has accounts elsewhere)
    /// are left out: they are for the address's owner alone.
    #[oai(path = "/mail", method = "get", operation_id = "listMail")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// Only mail in this state.
        #[oai(name = "state")]
        mail_state: Query<Option<MailState>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<MailPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::list(&state.store, auth.caller().workspace_id, *mail_state, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let items = rows.iter().map(super::OutboxRow::to_wire).collect::<Result<_, _>>()?;
        Ok(Json(MailPage { items, next_cursor }))
    }

    /// Get a site's mail settings
    #[oai(path = "/sites/:site_id/mail-settings", method = "get", operation_id = "getSiteMailSettings")]
    async fn get_settings(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
    ) -> Result<Json<SiteMailSettings>, ApiError> {
        let workspace_id = auth.caller().workspace_id;
        sites::get(&state.store, workspace_id, *site_id).await?;
        Ok(Json(site_settings::get(&state.store, workspace_id, *site_id).await?.to_wire()))
    }

    /// Change a site's mail settings
    ///
    /// Owners and admins only.
    #[oai(path = "/sites/:site_id/mail-settings", method = "patch", operation_id = "updateSiteMailSettings")]
    async fn update_settings(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
        body: Json<SiteMailSettingsUpdate>,
    ) -> Result<Json<SiteMailSettings>, ApiError> {
        let caller = auth.caller();
        // Permission first: a refused caller learns nothing about what exists.
        auth.caller().require_admin()?;
        let before = site_settings::get(&state.store, caller.workspace_id, *site_id).await?.to_wire();
        let after = site_settings::update(&state.store, caller, *site_id, &body).await?.to_wire();
        let changes = crate::audit::changes(Some(&before), Some(&after));
        let summary = crate::audit::changed("a site's mail settings", &changes);
        let target = crate::audit::Target::new("site", *site_id);
        let action = openapi::audit::AuditAction::SiteMailSettingsUpdated;
        crate::audit::log(&state, req, caller, action, target, summary, changes).await;
        Ok(Json(after))
    }

    /// Receive a reply by email
    ///
    /// For mail providers' inbound routes: the body is the raw RFC 5322 message (any
    /// content type), up to 25 MiB. Authenticate with a write-scoped API key of the
    /// workspace (agents' sessions and read-only keys are refused: `forbidden`). The reply
    /// is stored as the visitor's message in the conversation named by the signed reply
    /// address (`reply+…@` in To/Cc/Delivered-To); quoted history is removed. A tampered
    /// reply address is refused (`reply_token_rejected`), and so is a mail not sent to a
    /// reply address of ours (`no_conversation`: `In-Reply-To` and `References` do not say
    /// who wrote it). Idempotent on the mail's `Message-ID`.
    #[oai(path = "/inbound/email", method = "post", operation_id = "receiveInboundEmail")]
    async fn inbound(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        body: Binary<poem::Body>,
    ) -> Result<SendResponse, ApiError> {
        let caller = auth.caller();
        match caller.actor {
            crate::auth::Actor::ApiKey { scope: openapi::api_keys::ApiKeyScope::Write, .. } => {}
            crate::auth::Actor::ApiKey { .. } => {
                return Err(Error::Forbidden("this API key is read-only".into()).into());
            }
            crate::auth::Actor::Agent { .. } => {
                return Err(Error::Forbidden(
                    "replies by email come from the mail provider with a write-scoped API key, not from an agent"
                        .into(),
                )
                .into());
            }
        }
        let raw = inbound::read(body.0).await?;
        let reply = inbound::parse(&state.store, caller.workspace_id, &raw).await.map_err(|refused| match refused {
            inbound::Refusal::Api(err) => err,
            inbound::Refusal::Forged => refusal_forged(),
            inbound::Refusal::Unmatched => refusal(
                422,
                "no_conversation",
                "the mail is not addressed to a reply address Rapport issued (reply+…@); \
                     In-Reply-To and References do not say who wrote it",
                Some("to"),
            ),
            inbound::Refusal::Empty => {
                refusal(422, "empty_reply", "nothing is left once the quoted history is removed", Some("body"))
            }
        })?;
        let author = Author { kind: AuthorKind::Visitor, id: Some(reply.conversation.visitor_id) };
        let draft = Draft::parse(author, MessageKind::Text, &reply.body, Some(&reply.client_msg_id))?;
        let outgoing = Outgoing { workspace_id: caller.workspace_id, conversation_id: reply.conversation.id, draft };
        SendResponse::send(&state, outgoing).await
    }

    /// Unsubscribe from automatic mail
    ///
    /// The target of the `List-Unsubscribe` header (one-click, RFC 8058): the address in
    /// the signed token gets no more continuity mail or transcripts on resolve from this
    /// workspace.
    #[oai(path = "/mail/unsubscribe", method = "post", operation_id = "unsubscribeFromMail")]
    async fn unsubscribe(
        &self,
        state: Data<&AppState>,
        #[oai(example = "crate::api_examples::unsubscribe_token")] token: Query<String>,
    ) -> Result<Json<Unsubscribed>, ApiError> {
        let secret = signing::secret(&state.store).await?;
        let (workspace_id, email) = signing::verify_unsubscribe_token(&secret, &token).ok_or_else(|| {
            refusal(403, "unsubscribe_link_invalid", "this unsubscribe link is not valid", Some("token"))
        })?;
        on_pool!(&state.store, |pool| {
            sqlx::query("INSERT INTO mail_opt_outs (workspace_id, email, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(workspace_id)
                .bind(&email)
                .bind(now())
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(Error::from)?;
        Ok(Json(Unsubscribed { email }))
    }
}

fn refusal_forged() -> ApiError {
    refusal(403, "reply_token_rejected", "the reply address is not one Rapport issued (forged or damaged)", Some("to"))
}

#[OpenApi(prefix_path = "/widget", tag = "ApiTags::Widget")]
impl MailWidgetApi {
    /// Leave a message while nobody is online
    ///
    /// Creates a conversation with the message, remembers the visitor's email (where the
    /// answer goes) and mails the team in the same transaction — unless the site's visitors
    /// caused as much mail as allowed this hour: the message is kept all the same, the team
    /// sees it in the console. Idempotent on `client_msg_id`.
    #[oai(path = "/offline-message", method = "post", operation_id = "leaveOfflineMessage")]
    async fn offline_message(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        body: Json<OfflineMessage>,
    ) -> Result<Started, ApiError> {
        let visitor = &auth.0;
        let email = super::parse_address("email", &body.email)?;
        let name = body.name.as_deref().map(|n| input::name("name", n, 100)).transpose()?;
        let author = Author { kind: AuthorKind::Visitor, id: Some(visitor.visitor_id) };
        let draft = Draft::parse(author, MessageKind::Text, &body.body, Some(&body.client_msg_id))?;
        let site = sites::get(&state.store, visitor.workspace_id, visitor.site_id).await?;
        let mut tx = state.store.begin_write().await.map_err(Error::from)?;
        let (conversation, message) = match widget::start_conversation_in(&mut tx, visitor, draft).await? {
            Start::Earlier(id) => {
                drop(tx);
                let (conversation, message) = widget::earlier_start(&state.store, visitor, id).await?;
                let started =
                    StartedConversation { conversation: conversation.to_wire()?, message: message.to_wire()? };
                return Ok(Started::Existing(Json(started)));
            }
            Start::Created(created) => *created,
        };
        flows::remember_visitor_email(&mut tx, visitor.workspace_id, visitor.visitor_id, &email, name.as_deref())
            .await?;
        // Over the site's limit the message is kept (the console shows it) but not mailed.
        let counted = crate::visitor_mail::limits::Counted::OfflineMessage;
        match crate::visitor_mail::take(&mut tx, &state, &site, counted, None).await? {
            Ok(()) => {
                flows::offline_message(&mut tx, &conversation).await?;
            }
            Err(limited) => {
                tracing::info!(site = %site.id, per = limited.per, "offline message kept without a mail: limit reached");
            }
        }
        tx.commit().await.map_err(Error::from)?;
        let started = StartedConversation { conversation: conversation.to_wire()?, message: message.to_wire()? };
        crate::business_hours::after_start(&state, &conversation).await;
        Ok(Started::Created(Json(started)))
    }

    /// Mail me a transcript
    ///
    /// Queues a transcript of one of the visitor's conversations to the email already known
    /// for the visitor (`email` absent, or the same address). At any other address the
    /// transcript waits for its owner: a mail asks them to confirm (`confirmation_required`),
    /// and the transcript follows their click, the address becoming the visitor's.
    /// Every mail a visitor causes counts against the site's hourly and the address's daily
    /// limits: over one, `429 too_many_attempts` with `Retry-After`, and nothing is sent.
    #[oai(path = "/conversations/:conversation_id/transcript", method = "post", operation_id = "requestTranscript")]
    async fn transcript(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        body: Json<TranscriptRequest>,
    ) -> Result<Queued, ApiError> {
        use crate::visitor_mail::{self, confirm, limits::Counted};
        let visitor = &auth.0;
        let conversation =
            conversations::get_for_visitor(&state.store, visitor.workspace_id, visitor.visitor_id, *conversation_id)
                .await?;
        let given = body.email.as_deref().map(|e| super::parse_address("email", e)).transpose()?;
        let known = crate::visitors::get(&state.store, visitor.workspace_id, visitor.visitor_id).await?.email;
        let (recipient, needs_confirmation) = match (given, known) {
            (Some(given), Some(known)) if given.eq_ignore_ascii_case(&known) => (known, false),
            (Some(given), _) => (given, true),
            (None, Some(known)) => (known, false),
            (None, None) => {
                return Err(Error::invalid("email", "is required: no email is known for this visitor").into());
            }
        };
        let site = sites::get(&state.store, visitor.workspace_id, conversation.site_id).await?;
        let counted = if needs_confirmation { Counted::Confirmation } else { Counted::Transcript };
        let mut tx = state.store.begin_write().await.map_err(Error::from)?;
        if let Err(limited) = visitor_mail::take(&mut tx, &state, &site, counted, Some(&recipient)).await? {
            // The owners' notice, if one is due, is written all the same.
            tx.commit().await.map_err(Error::from)?;
            return Err(Error::from(limited).into());
        }
        let mail_id = if needs_confirmation {
            confirm::ask(&mut tx, &state, &site, &conversation, &recipient).await?
        } else {
            flows::transcript_requested(&mut tx, &conversation, Some(&recipient)).await?
        };
        tx.commit().await.map_err(Error::from)?;
        Ok(Queued::Accepted(Json(TranscriptQueued { mail_id, confirmation_required: needs_confirmation })))
    }

    /// Continue a conversation from an email link
    ///
    /// The widget calls this with the `continue` token of a link Rapport mailed
    /// (`/widget/frame?site=…#continue=<token>`). Answers a fresh visitor token (the
    /// visitor's earlier one stops working), the site key, the conversation and its
    /// latest messages. Links expire after 30 days (`continue_link_invalid`).
    #[oai(path = "/continue", method = "post", operation_id = "continueConversation")]
    async fn continue_conversation(
        &self,
        state: Data<&AppState>,
        body: Json<ContinueRequest>,
    ) -> Result<Json<ContinuedConversation>, ApiError> {
        let secret = signing::secret(&state.store).await?;
        let invalid = || refusal(403, "continue_link_invalid", "this link is not valid or has expired", Some("token"));
        let conversation_id = signing::verify_continue_token(&secret, &body.token).ok_or_else(invalid)?;
        let workspace_id: Option<Uuid> = on_pool!(&state.store, |pool| {
            sqlx::query_scalar("SELECT workspace_id FROM conversations WHERE id = $1")
                .bind(conversation_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(Error::from)?;
        let workspace_id = workspace_id.ok_or_else(invalid)?;
        let conversation = conversations::get(&state.store, workspace_id, conversation_id).await?;
        let site = sites::get(&state.store, workspace_id, conversation.site_id).await?;
        let visitor_token = token::generate(token::TokenKind::Visitor);
        on_pool!(&state.store, |pool| {
            sqlx::query("UPDATE visitors SET token_hash = $1, last_seen_at = $2 WHERE id = $3 AND workspace_id = $4")
                .bind(token::hash(&visitor_token))
                .bind(now())
                .bind(conversation.visitor_id)
                .bind(workspace_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(Error::from)?;
        let visitor = VisitorCaller { workspace_id, site_id: site.id, visitor_id: conversation.visitor_id };
        let after = (conversation.last_seq - 100).max(0);
        let messages =
            messages::list_after(&state.store, workspace_id, conversation.id, after, 100, Audience::Visitor).await?;
        Ok(Json(ContinuedConversation {
            visitor_token,
            visitor_id: visitor.visitor_id,
            site_key: site.site_key,
            conversation: conversation.to_wire()?,
            messages: messages.iter().map(messages::MessageRow::to_wire).collect::<Result<_, _>>()?,
        }))
    }
}
