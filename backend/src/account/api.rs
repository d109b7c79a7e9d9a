//! `/me/password`, `/me/sessions`: the signed-in agent's own account; `/password-reset`:
//! a forgotten password, reset by email without signing in.

use openapi::auth::{
    AgentSession, AgentSessionPage, PasswordChange, PasswordChanged, PasswordReset, PasswordResetRequest,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    api::ApiTags,
    audit,
    auth::{Actor, WorkspaceAuth, sessions},
    error::{ApiError, Error},
    input::Email,
    pagination::PageRequest,
    state::AppState,
    throttle::Attempt,
};

pub struct AccountApi;

/// The operations for an agent who cannot sign in: no credential.
pub struct PasswordResetApi;

#[derive(ApiResponse)]
enum ResetRequested {
    /// Taken. If an active agent signs in with this address, a link to choose a new
    /// password is mailed to it (it works once, within an hour); the answer is the same
    /// either way.
    #[oai(status = 202)]
    Accepted,
}

#[derive(ApiResponse)]
enum PasswordResetDone {
    /// The password is changed and every session of the agent has ended (their sockets
    /// close): sign in with the new password.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum Ended {
    /// The session has ended; its sockets are closed.
    #[oai(status = 204)]
    Done,
}

fn session_of(auth: &WorkspaceAuth) -> Result<(Uuid, Uuid), ApiError> {
    match auth.caller().actor {
        Actor::Agent { agent_id, session_id, .. } => Ok((agent_id, session_id)),
        Actor::ApiKey { .. } => {
            Err(Error::Forbidden("this operation needs a signed-in agent, not an API key".into()).into())
        }
    }
}

#[OpenApi(prefix_path = "/me", tag = "ApiTags::Auth")]
impl AccountApi {
    /// Change your password
    ///
    /// Needs the current password (a wrong one is `invalid_input` on `current_password`;
    /// tries are throttled like sign-ins). The new one must be at least 10 characters and
    /// not easy to guess (`invalid_input` on `new_password`, saying why). Every other
    /// session of yours ends, and its sockets close; this one goes on.
    #[oai(path = "/password", method = "post", operation_id = "changePassword")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        auth: WorkspaceAuth,
        body: Json<PasswordChange>,
    ) -> Result<Json<PasswordChanged>, ApiError> {
        let caller = auth.caller();
        let ended = super::change_password(&state, caller, &body.current_password, &body.new_password).await?;
        for session_id in &ended {
            crate::realtime::publish::session_ended(&state, caller.workspace_id, *session_id).await;
        }
        let summary = format!("Changed their password; {} other session(s) ended", ended.len());
        let target = crate::audit::Target::new("agent", caller.agent_id()?);
        let action = openapi::audit::AuditAction::PasswordChanged;
        crate::audit::log(&state, req, caller, action, target, summary, vec![]).await;
        Ok(Json(PasswordChanged { sessions_ended: ended.len() as u32 }))
    }

    /// List your sessions
    ///
    /// Every browser or device signed in as you, newest first, with when and from where it
    /// signed in and when it was last used. `current` marks the one making this request.
    #[oai(path = "/sessions", method = "get", operation_id = "listMySessions")]
    async fn list_sessions(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<AgentSessionPage>, ApiError> {
        let (agent_id, current) = session_of(&auth)?;
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let settings = &state.settings.sessions;
        let rows = sessions::list(&state.store, settings, auth.caller().workspace_id, agent_id, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let items = rows
            .into_iter()
            .map(|row| AgentSession {
                id: row.id,
                current: row.id == current,
                created_at: row.created_at.to_utc(),
                last_seen_at: row.last_seen_at.to_utc(),
                idle_expires_at: row.last_seen_at.plus(settings.idle).min(row.expires_at).to_utc(),
                expires_at: row.expires_at.to_utc(),
                user_agent: row.user_agent,
                ip_address: row.client_ip,
            })
            .collect();
        Ok(Json(AgentSessionPage { items, next_cursor }))
    }

    /// End one of your sessions
    ///
    /// Signs that browser or device out at once (its sockets close). Ending the current
    /// session is signing out. Another agent's session is `not_found`.
    #[oai(path = "/sessions/:session_id", method = "delete", operation_id = "endMySession")]
    async fn end_session(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] session_id: Path<Uuid>,
    ) -> Result<Ended, ApiError> {
        let (agent_id, _) = session_of(&auth)?;
        let workspace_id = auth.caller().workspace_id;
        sessions::delete(&state.store, workspace_id, agent_id, *session_id).await?;
        crate::realtime::publish::session_ended(&state, workspace_id, *session_id).await;
        Ok(Ended::Done)
    }
}

#[OpenApi(tag = "ApiTags::Auth")]
impl PasswordResetApi {
    /// Ask for a link to reset a forgotten password
    ///
    /// Answers 202 whether or not an agent uses the address, so the answer tells nobody
    /// which addresses have accounts; when one does, a link to choose a new password is
    /// mailed to it (`{public_url}/console/?reset=<token>`, good once, for an hour). A
    /// malformed address is `invalid_input` on `email`. Throttled per client address
    /// (`RAPPORT_AUTH_ATTEMPTS_PER_MINUTE`) and to 3 an hour per address asked about,
    /// known or not: 429 `too_many_attempts` with `Retry-After`.
    #[oai(path = "/password-reset", method = "post", operation_id = "requestPasswordReset")]
    async fn request_password_reset(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        body: Json<PasswordResetRequest>,
    ) -> Result<ResetRequested, ApiError> {
        // The address first, as for sign-in: one noisy address spends only its own tries.
        state.throttles.from_client(Attempt::PasswordReset, req)?;
        let email = Email::parse("email", &body.email)?;
        state.throttles.at_account(Attempt::PasswordReset, email.as_str())?;
        // Written after answering: a known address takes no longer to answer than an
        // unknown one, and a failure there cannot show in the answer either.
        let state = AppState::clone(&state);
        tokio::spawn(async move {
            if let Err(err) = super::reset::send_link(&state, &email).await {
                tracing::error!(error = %err, "writing a password reset mail failed");
            }
        });
        Ok(ResetRequested::Accepted)
    }

    /// Choose a new password with a reset link
    ///
    /// `token` is the `reset` parameter of the mailed link: unknown, used or expired, it
    /// is `invalid_input` on `token`. The new password must be at least 10 characters and
    /// not easy to guess (`invalid_input` on `new_password`, saying why; the link still
    /// works). Then every session of the agent ends, their sockets close and their other
    /// reset links stop working; no session is opened: they sign in with the new
    /// password. When the server is busy checking passwords it answers 503 `busy` with
    /// `Retry-After`.
    #[oai(path = "/password-reset/confirm", method = "post", operation_id = "resetPassword")]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        body: Json<PasswordReset>,
    ) -> Result<PasswordResetDone, ApiError> {
        let done = super::reset::reset(&state, &body.token, &body.new_password).await?;
        for session_id in &done.sessions_ended {
            crate::realtime::publish::session_ended(&state, done.workspace_id, *session_id).await;
        }
        let entry = audit::Record {
            workspace_id: done.workspace_id,
            who: audit::Who::Agent(done.agent_id),
            action: openapi::audit::AuditAction::PasswordReset,
            target: audit::Target::new("agent", done.agent_id),
            summary: format!("Reset their password by email; {} session(s) ended", done.sessions_ended.len()),
            changes: vec![],
            client_ip: state.throttles.client_ip(req),
        };
        audit::record(&state, entry).await;
        Ok(PasswordResetDone::Done)
    }
}
