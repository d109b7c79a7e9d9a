//! The two socket endpoints. Authentication and origin checks happen here, on the HTTP
//! upgrade request, so a refused client gets an HTTP status with the usual error body and
//! no conversation data ever flows on an unauthenticated socket.
//!
//! Tokens come from `Sec-WebSocket-Protocol` (`rapport.v1, rapport.token.<token>`), for
//! agents also from `Authorization: Bearer`, or, for the console, its HttpOnly session
//! cookie (only from Rapport's own pages) — never from the URL, which proxies log.

use openapi::realtime::{SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX};
use poem::{
    IntoResponse, Request, Response, handler,
    http::header,
    web::{
        Data,
        websocket::{WebSocket, WebSocketConfig},
    },
};
use uuid::Uuid;

use super::{connection, limits};
use crate::{
    auth::{
        Actor, sessions,
        token::{self, TokenKind},
    },
    error::{ApiError, Error},
    sites,
    state::AppState,
    visitors,
};

/// Who is on the other end of a socket, as proven at the handshake.
#[derive(Debug, Clone)]
pub enum Peer {
    Visitor {
        workspace_id: Uuid,
        site_id: Uuid,
        visitor_id: Uuid,
        /// Kept to check the token again while the socket lives (it may be revoked).
        token_hash: String,
    },
    Agent {
        workspace_id: Uuid,
        agent_id: Uuid,
        session_id: Uuid,
        /// Kept to check the session again while the socket lives (it may expire).
        token: String,
    },
}

impl Peer {
    pub fn workspace_id(&self) -> Uuid {
        match self {
            Self::Visitor { workspace_id, .. } | Self::Agent { workspace_id, .. } => *workspace_id,
        }
    }

    /// Whether the credential behind this socket is still good.
    pub async fn still_valid(&self, state: &AppState) -> bool {
        match self {
            Self::Visitor { token_hash, visitor_id, .. } => visitors::authenticate(&state.store, token_hash)
                .await
                .is_ok_and(|caller| caller.visitor_id == *visitor_id),
            Self::Agent { token, session_id, .. } => {
                sessions::authenticate(&state.store, &state.settings.sessions, token).await.is_ok_and(
                    |caller| matches!(caller.actor, Actor::Agent { session_id: id, .. } if id == *session_id),
                )
            }
        }
    }
}

/// `GET /ws/visitor`: a website visitor, by visitor token, from an allowed origin.
#[handler]
pub async fn visitor_socket(req: &Request, ws: WebSocket, state: Data<&AppState>) -> Response {
    match authenticate_visitor(&state, req).await {
        Ok(peer) => upgrade(ws, state.clone(), peer),
        Err(err) => err.into_response(),
    }
}

/// `GET /ws/agent`: a signed-in agent, by session cookie or session token.
#[handler]
pub async fn agent_socket(req: &Request, ws: WebSocket, state: Data<&AppState>) -> Response {
    match authenticate_agent(&state, req).await {
        Ok(peer) => upgrade(ws, state.clone(), peer),
        Err(err) => err.into_response(),
    }
}

fn upgrade(ws: WebSocket, state: AppState, peer: Peer) -> Response {
    let Some(held) = state.realtime.sockets.hold() else {
        let body = openapi::error::ErrorBody {
            code: "server_full".into(),
            message: "this server holds all the sockets it can; retry in a few seconds".into(),
            field: None,
        };
        return poem::web::Json(body)
            .with_status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
            .with_header(header::RETRY_AFTER, RETRY_WHEN_FULL_SECS)
            .into_response();
    };
    // tungstenite's defaults (128 KiB read and write buffers per socket) are sized for
    // bulk transfer; chat frames are small, and 10,000 idle sockets should cost megabytes.
    // The read buffer is zero-filled whole on the first read, so its size is resident in
    // every socket that ever spoke: 1 KiB holds a `hello` or a chat message, and a bigger
    // frame grows it for as long as that frame needs.
    // Agents' sockets, few and busy, gather a burst's frames into one write (see
    // `Connection::on_events`); a visitor's frames are written as they come.
    let write_buffer = match peer {
        Peer::Agent { .. } => AGENT_WRITE_BUFFER,
        Peer::Visitor { .. } => 0,
    };
    let config = WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(write_buffer)
        .max_write_buffer_size(2 * limits::MAX_FRAME_BYTES)
        .max_message_size(Some(limits::MAX_FRAME_BYTES))
        .max_frame_size(Some(limits::MAX_FRAME_BYTES));
    ws.protocols([SUBPROTOCOL])
        .config(config)
        .on_upgrade(move |socket| async move {
            connection::run(state, peer, socket).await;
            drop(held);
        })
        .into_response()
}

/// Bytes of frames an agent's socket gathers before writing them (a few dozen messages).
const AGENT_WRITE_BUFFER: usize = 16 * 1024;

/// When a client refused for a full server should try again.
const RETRY_WHEN_FULL_SECS: u32 = 5;

/// The token offered as `rapport.token.<token>` in `Sec-WebSocket-Protocol`.
fn protocol_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(|entry| entry.trim().strip_prefix(TOKEN_SUBPROTOCOL_PREFIX).map(str::to_owned))
}

fn origin(req: &Request) -> Option<&str> {
    req.headers().get(header::ORIGIN).and_then(|value| value.to_str().ok())
}

async fn authenticate_visitor(state: &AppState, req: &Request) -> Result<Peer, ApiError> {
    let token = protocol_token(req).ok_or_else(|| {
        ApiError::unauthorized("offer the visitor token as `rapport.token.<token>` in Sec-WebSocket-Protocol")
    })?;
    if TokenKind::of(&token) != Some(TokenKind::Visitor) {
        return Err(ApiError::unauthorized("not a visitor token"));
    }
    let token_hash = token::hash(&token);
    let caller = visitors::authenticate(&state.store, &token_hash).await?;
    // Browsers always send Origin on a WebSocket handshake; its absence means a client
    // that can claim anything, so it is refused rather than trusted.
    let origin = origin(req).ok_or_else(|| ApiError::forbidden("origin_required", "the Origin header is required"))?;
    let site = sites::get(&state.store, caller.workspace_id, caller.site_id).await?;
    if !site.allows_origin(origin, &state.settings.public_url) {
        return Err(ApiError::forbidden(
            "origin_not_allowed",
            format!("origin {origin} may not use this site's widget"),
        ));
    }
    Ok(Peer::Visitor {
        workspace_id: caller.workspace_id,
        site_id: caller.site_id,
        visitor_id: caller.visitor_id,
        token_hash,
    })
}

/// A session token sent as `Authorization: Bearer` (clients outside browsers, which
/// cannot set `Sec-WebSocket-Protocol` freely, or prefer not to).
fn authorization_token(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// How an agent socket proved who it is. Explicit tokens win over the cookie, in this
/// order, exactly as on REST: a request with both is answered as the token.
async fn authenticate_agent(state: &AppState, req: &Request) -> Result<Peer, ApiError> {
    let (token, by_cookie) = match protocol_token(req).or_else(|| authorization_token(req)) {
        Some(token) => (token, false),
        None => {
            let token = crate::auth::scheme::session_cookie(req).ok_or_else(|| {
                ApiError::unauthorized("sign in first, or offer the session token as `rapport.token.<token>`")
            })?;
            (token, true)
        }
    };
    if TokenKind::of(&token) != Some(TokenKind::Session) {
        return Err(ApiError::unauthorized("not an agent session token (API keys use the REST API and webhooks)"));
    }
    // A cookie rides along with any page's request: only the console's own pages may
    // open a socket with it (cross-site WebSocket hijacking). Browsers always send
    // `Origin` on a WebSocket handshake, so its absence is refused too.
    if by_cookie {
        let own = crate::auth::csrf::own_origin(&state.settings.public_url);
        crate::auth::csrf::from_own_pages(req, own.as_ref())
            .map_err(|refusal| refusal.into_api_error("the console's session cookie"))?;
    }
    let caller = sessions::authenticate(&state.store, &state.settings.sessions, &token).await?;
    let Actor::Agent { agent_id, session_id, .. } = caller.actor else {
        return Err(Error::Unauthorized("not an agent session".into()).into());
    };
    Ok(Peer::Agent { workspace_id: caller.workspace_id, agent_id, session_id, token })
}
