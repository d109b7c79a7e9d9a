//! Operations endpoints: liveness, readiness, metrics.

use std::sync::atomic::Ordering::Relaxed;

use poem::{IntoResponse, handler, http::StatusCode, web::Data};

use crate::state::AppState;

/// The process is up.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: its database answers.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// `/metrics` on the public address: closed unless `RAPPORT_METRICS_TOKEN` is set (then
/// for that bearer token only), and never there when `RAPPORT_METRICS_BIND` gives metrics
/// an address of their own. Figures about traffic and connections help an attacker time
/// and size an attack: they are not for everyone.
#[handler]
pub fn metrics(state: Data<&AppState>, req: &poem::Request) -> poem::Response {
    let settings = &state.settings.metrics;
    if settings.bind.is_some() || settings.token.is_none() {
        return refusal(
            StatusCode::NOT_FOUND,
            "metrics_off",
            "metrics are not served here: set RAPPORT_METRICS_TOKEN, or RAPPORT_METRICS_BIND for an address of their own",
        );
    }
    serve_metrics(&state, req)
}

/// `/metrics` on the metrics address (`RAPPORT_METRICS_BIND`), still behind the token if
/// one is set.
#[handler]
pub fn metrics_listener(state: Data<&AppState>, req: &poem::Request) -> poem::Response {
    serve_metrics(&state, req)
}

fn serve_metrics(state: &AppState, req: &poem::Request) -> poem::Response {
    if let Some(token) = &state.settings.metrics.token {
        let presented = req
            .headers()
            .get(poem::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let matches: bool = subtle_eq(presented.trim().as_bytes(), token.expose().as_bytes());
        if !matches {
            return refusal(StatusCode::UNAUTHORIZED, "unauthorized", "send the metrics token as a bearer token");
        }
    }
    if let Some((queued, writer)) = crate::messages::writer::progress(&state.store) {
        let figures = &state.metrics;
        figures.sends_queued.set(queued as i64);
        figures.message_batches.set(writer.batches.load(Relaxed) as i64);
        figures.messages_batched.set(writer.messages.load(Relaxed) as i64);
    }
    state.metrics.render().with_content_type("text/plain; version=0.0.4; charset=utf-8").into_response()
}

/// Compares in time independent of where the inputs differ.
fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    // Hashing first makes the lengths equal, so the length is not given away either.
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refusal(status: StatusCode, code: &str, message: &str) -> poem::Response {
    let body = openapi::error::ErrorBody { code: code.into(), message: message.into(), field: None };
    let mut response = poem_openapi::payload::Json(body).into_response();
    response.set_status(status);
    response
}

/// Who may read `/metrics` (`RAPPORT_METRICS_TOKEN`, `RAPPORT_METRICS_BIND`).
#[derive(Debug, Clone, Default)]
pub struct MetricsSettings {
    /// A bearer token that opens `/metrics`.
    pub token: Option<crate::config::Secret>,
    /// An address of their own for metrics (e.g. on the private network only); the public
    /// address then has none.
    pub bind: Option<std::net::SocketAddr>,
}

impl MetricsSettings {
    pub(crate) fn from_env(env: &crate::config::Env) -> Self {
        Self { token: env.metrics_token.as_ref().map(|t| t.0.clone()), bind: env.metrics_bind }
    }
}

/// `RAPPORT_METRICS_TOKEN`: long enough not to be guessed, one word (it travels in a header).
#[derive(Clone)]
pub struct MetricsToken(pub crate::config::Secret);

impl crate::config::Parse for MetricsToken {
    fn parse(value: &str) -> Result<Self, String> {
        if value.len() < 16 || value.contains(char::is_whitespace) {
            return Err("must be at least 16 characters without spaces".into());
        }
        Ok(Self(crate::config::Secret::new(value)))
    }
}
