//! `/signup`, `/signin`, `/signout`, `/me`, `PATCH /workspace`, `/invitations/accept`.

use openapi::{
    audit::AuditAction,
    auth::{AcceptInvitation, Me, Session, SigninRequest, SignupRequest, Workspace, WorkspaceUpdate},
};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use super::NewWorkspace;
use crate::{
    agents,
    api::ApiTags,
    audit,
    auth::{WorkspaceAuth, password, scheme::SESSION_COOKIE, sessions},
    config::SignupPolicy,
    error::{ApiError, Error},
    input::Email,
    state::AppState,
    throttle::Attempt,
};

pub struct AuthApi;

#[derive(ApiResponse)]
enum SessionResponse {
    /// Signed in. The session is also set as the HttpOnly `rapport_session` cookie.
    #[oai(status = 201)]
    Created(Json<Session>, #[oai(header = "Set-Cookie")] String),
    /// Signed in. The session is also set as the HttpOnly `rapport_session` cookie.
    #[oai(status = 200)]
    Ok(Json<Session>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
enum SignedOut {
    /// The session has ended and the cookie is cleared.
    #[oai(status = 204)]
    Done(#[oai(header = "Set-Cookie")] String),
}

pub(crate) fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> String {
    // Secure whenever the public URL is https; SameSite=Strict keeps other sites from
    // riding the cookie (CSRF).
    let secure = if state.settings.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// Opens a session for `agent` from the device of `req`: the answer and its cookie.
pub(crate) async fn open_session(
    state: &AppState,
    req: &Request,
    agent: &agents::AgentRow,
) -> Result<(Session, String), Error> {
    let device = sessions::Device::of(req, state.throttles.client_ip(req));
    let new = sessions::create(&state.store, &state.settings.sessions, agent.workspace_id, agent.id, &device).await?;
    let workspace = super::get(&state.store, agent.workspace_id).await?;
    let cookie = session_cookie(state, &new.token, state.settings.sessions.absolute.as_secs() as i64);
    let session = Session {
        token: new.token,
        expires_at: new.expires_at.to_utc(),
        agent: agent.to_wire()?,
        workspace: workspace.into(),
    };
    Ok((session, cookie))
}

/// The account among an address's `accounts` that `password` opens (in `workspace_id`
/// when given): active accounts are tried first, in their order. Every account tried
/// costs one password check, and an address without accounts costs one too, so the time
/// taken does not tell whether an address is known.
async fn open_account(
    mut accounts: Vec<agents::AgentRow>,
    workspace_id: Option<uuid::Uuid>,
    password: &str,
) -> Result<Option<agents::AgentRow>, Error> {
    accounts.retain(|agent| workspace_id.is_none_or(|id| agent.workspace_id == id));
    // Stable: the order of `accounts_of` stays within active and deactivated ones.
    accounts.sort_by_key(|agent| !agent.active);
    if accounts.is_empty() {
        password::verify_nothing(password).await?;
    }
    for agent in accounts {
        let verified = match agent.password_hash.as_deref() {
            Some(hash) => password::verify(password, hash).await?,
            None => password::verify_nothing(password).await?,
        };
        if verified {
            return Ok(Some(agent));
        }
    }
    Ok(None)
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create a workspace and its owner
    ///
    /// Signs the owner in. An address may have accounts in several workspaces, so the
    /// answer is the same whether or not it is already used elsewhere; an address with
    /// accounts in 5 workspaces is refused with `too_many_accounts`. Refused with
    /// `signup_closed` when the server runs with `RAPPORT_SIGNUP=closed`.
    #[oai(path = "/signup", method = "post", operation_id = "signup")]
    async fn signup(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<SignupRequest>,
    ) -> Result<SessionResponse, ApiError> {
        if state.settings.signup == SignupPolicy::Closed {
            return Err(ApiError::forbidden("signup_closed", "sign-up is closed on this server; ask its operator"));
        }
        state.throttles.from_client(Attempt::SignUp, req)?;
        let new = NewWorkspace::parse(&body.workspace_name, &body.name, &body.email, &body.password)?;
        password::check(&body.password, &[&body.email, &body.name, &body.workspace_name])?;
        let (_, owner) = super::create(&state.store, new).await?;
        crate::account::notices::joined(&state, &owner, crate::account::notices::Joined::SignedUp);
        let (session, cookie) = open_session(&state, req, &owner).await?;
        Ok(SessionResponse::Created(Json(session), cookie))
    }

    /// Sign in with email and password
    ///
    /// An address with accounts in several workspaces signs in to the one the password
    /// opens (each account has its own), trying the most recently used first; give
    /// `workspace_id` to choose.
    ///
    /// Attempts are throttled per client address and per account (`too_many_attempts`,
    /// 429 with `Retry-After`); when the server is busy checking passwords it answers 503
    /// `busy` with `Retry-After`.
    #[oai(path = "/signin", method = "post", operation_id = "signin")]
    async fn signin(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<SigninRequest>,
    ) -> Result<SessionResponse, ApiError> {
        // The address first: a flood from one address spends only its own few tries at
        // the account, and the owner signing in from elsewhere is not locked out.
        state.throttles.from_client(Attempt::SignIn, req)?;
        state.throttles.at_account(Attempt::SignIn, &body.email)?;
        let refused = || ApiError::unauthorized("wrong email or password");
        let Ok(email) = Email::parse("email", &body.email) else {
            return Err(refused());
        };
        let accounts = agents::accounts_of(&state.store, &email).await?;
        let agent = match open_account(accounts, body.workspace_id, &body.password).await? {
            Some(agent) if agent.active => agent,
            Some(_) => return Err(ApiError::unauthorized("this agent has been deactivated")),
            None => return Err(refused()),
        };
        let (session, cookie) = open_session(&state, req, &agent).await?;
        Ok(SessionResponse::Ok(Json(session), cookie))
    }

    /// Sign out
    ///
    /// Ends the session used for this request and clears the cookie.
    #[oai(path = "/signout", method = "post", operation_id = "signout")]
    async fn signout(&self, state: Data<&AppState>, auth: WorkspaceAuth) -> Result<SignedOut, ApiError> {
        let caller = auth.caller();
        let crate::auth::Actor::Agent { session_id, .. } = caller.actor else {
            return Err(Error::Forbidden("API keys do not sign out; revoke the key instead".into()).into());
        };
        sessions::delete(&state.store, caller.workspace_id, caller.agent_id()?, session_id).await?;
        crate::realtime::publish::session_ended(&state, caller.workspace_id, session_id).await;
        Ok(SignedOut::Done(session_cookie(&state, "", 0)))
    }

    /// The signed-in agent and their workspace
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, state: Data<&AppState>, auth: WorkspaceAuth) -> Result<Json<Me>, ApiError> {
        let caller = auth.caller();
        let agent = agents::get(&state.store, caller.workspace_id, caller.agent_id()?).await?;
        let workspace = super::get(&state.store, caller.workspace_id).await?;
        Ok(Json(Me { agent: agent.to_wire()?, workspace: workspace.into() }))
    }

    /// Change workspace settings
    ///
    /// Sets the time zone reports count days and hours in: an IANA name such as
    /// `Europe/Paris` (anything else is refused with `invalid_input`, field `time_zone`),
    /// and how many days conversations are kept after their last activity
    /// (`retention_days`, 1 to 3650, or 0 to keep them forever): a worker then deletes
    /// older ones with their messages, files, mail and ratings, and older page views.
    /// Owners and admins only.
    #[oai(path = "/workspace", method = "patch", operation_id = "updateWorkspace")]
    async fn update_workspace(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        body: Json<WorkspaceUpdate>,
    ) -> Result<Json<Workspace>, ApiError> {
        let caller = auth.caller();
        // Permission first: a refused caller learns nothing about what exists.
        auth.caller().require_admin()?;
        let before: Workspace = super::get(&state.store, caller.workspace_id).await?.into();
        let after: Workspace = super::update_settings(&state.store, caller, &body).await?.into();
        let changes = audit::changes(Some(&before), Some(&after));
        let summary = audit::changed("the workspace", &changes);
        let target = audit::Target::new("workspace", caller.workspace_id);
        audit::log(&state, req, caller, AuditAction::WorkspaceUpdated, target, summary, changes).await;
        Ok(Json(after))
    }

    /// Accept an invitation by choosing a password
    ///
    /// Signs the agent in.
    #[oai(path = "/invitations/accept", method = "post", operation_id = "acceptInvitation")]
    async fn accept_invitation(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<AcceptInvitation>,
    ) -> Result<SessionResponse, ApiError> {
        let agent = agents::accept_invitation(&state.store, &body.token, &body.password).await?;
        let (session, cookie) = open_session(&state, req, &agent).await?;
        Ok(SessionResponse::Ok(Json(session), cookie))
    }
}
