//! Operations endpoints: liveness, readiness, metrics.

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

#[handler]
pub fn metrics(state: Data<&AppState>) -> impl IntoResponse {
    state.metrics.render().with_content_type("text/plain; version=0.0.4; charset=utf-8")
}
