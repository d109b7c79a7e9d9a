//! Security schemes as poem-openapi extractors: an operation that takes one cannot run
//! without a valid credential, and receives the caller it proved.

use poem::Request;
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
};

use super::{
    Caller, VisitorCaller, sessions,
    token::{self, TokenKind},
};
use crate::{api_keys, error::ApiError, state::AppState, visitors};

/// The name of the console's HttpOnly session cookie.
pub const SESSION_COOKIE: &str = "rapport_session";

/// An agent session token or a workspace API key, as `Authorization: Bearer`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "WorkspaceToken", checker = "check_bearer")]
pub struct BearerCaller(Caller);

/// The console's session cookie.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    rename = "SessionCookie",
    key_name = "rapport_session",
    key_in = "cookie",
    checker = "check_cookie"
)]
pub struct CookieCaller(Caller);

/// An agent (cookie or bearer session) or an API key, in one workspace.
///
/// A request with both a bearer token and the cookie is answered as the bearer (the
/// cookie is refused when an `Authorization` header is present), exactly as the sockets
/// do: a client that keeps cookies never silently switches identity.
// Cookie first: when both fail, the error reported is the bearer's, which says why.
#[derive(SecurityScheme)]
pub enum WorkspaceAuth {
    Cookie(CookieCaller),
    Bearer(BearerCaller),
}

impl WorkspaceAuth {
    pub fn caller(&self) -> &Caller {
        match self {
            Self::Cookie(CookieCaller(caller)) | Self::Bearer(BearerCaller(caller)) => caller,
        }
    }
}

/// A website visitor's token, as `Authorization: Bearer`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "VisitorToken", checker = "check_visitor")]
pub struct VisitorAuth(pub VisitorCaller);

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>().ok_or_else(|| ApiError::internal().into())
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let state = state(req)?;
    let caller = match TokenKind::of(&bearer.token) {
        Some(TokenKind::Session) => sessions::authenticate(&state.store, &state.settings.sessions, &bearer.token).await,
        Some(TokenKind::ApiKey) => api_keys::authenticate(&state.store, &bearer.token).await,
        _ => Err(crate::error::Error::Unauthorized("not an agent session or API key".into())),
    };
    caller.map_err(|err| ApiError::from(err).into())
}

async fn check_cookie(req: &Request, cookie: ApiKey) -> poem::Result<Caller> {
    if req.headers().contains_key(poem::http::header::AUTHORIZATION) {
        return Err(ApiError::unauthorized("an Authorization header was sent: the cookie is ignored").into());
    }
    let state = state(req)?;
    sessions::authenticate(&state.store, &state.settings.sessions, &cookie.key)
        .await
        .map_err(|err| ApiError::from(err).into())
}

async fn check_visitor(req: &Request, bearer: Bearer) -> poem::Result<VisitorCaller> {
    let state = state(req)?;
    if TokenKind::of(&bearer.token) != Some(TokenKind::Visitor) {
        return Err(ApiError::unauthorized("not a visitor token").into());
    }
    visitors::authenticate(&state.store, &token::hash(&bearer.token)).await.map_err(|err| ApiError::from(err).into())
}

/// The session cookie's value, read from the `Cookie` header itself (the socket routes and
/// middleware sit outside the REST API's cookie jar).
pub fn session_cookie(req: &Request) -> Option<String> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE).then(|| value.trim_matches('"').to_owned())
        })
}
