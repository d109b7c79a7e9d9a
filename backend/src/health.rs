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

#[handler]
pub fn metrics(state: Data<&AppState>) -> impl IntoResponse {
    if let Some((queued, writer)) = crate::messages::writer::progress(&state.store) {
        let metrics = &state.metrics;
        metrics.sends_queued.set(queued as i64);
        metrics.message_batches.set(writer.batches.load(Relaxed) as i64);
        metrics.messages_batched.set(writer.messages.load(Relaxed) as i64);
    }
    state.metrics.render().with_content_type("text/plain; version=0.0.4; charset=utf-8")
}
