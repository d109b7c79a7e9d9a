//! Serving the built console: embedded in release builds, or from the `agent-console`
//! directory beside the widget's (`RAPPORT_WIDGET_DIR`'s sibling, normally
//! `dist/agent-console`; see `static_files`, which also picks the brotli or gzip variant):
//!
//! - `/` and `/console` redirect to `/console/`, the console's page. It references the
//!   assets with `?v=<build>` so they can be cached for a year, and its policy allows
//!   scripts, styles and connections to Rapport's own origin only (the session cookie
//!   opens the agent socket from there and nowhere else). The page starts one of the
//!   console's two builds (`agent-console/src/bundle.rs`): the complete one when its
//!   address names a screen beyond the inbox (`?screen=settings.sites`), the everyday one
//!   (sign-in and the inbox) otherwise.
//! - `/console/assets/<file>`: the wasm modules, their JavaScript glue, the stylesheet.
//! - `/console/sw.js`: the service worker that shows Web Push alerts (at the console's
//!   path, so its scope is the console; never cached long, so an update reaches it).
//!
//! When the console is not built the answer is 503 with what to do, so the server and
//! its API tests never depend on a front-end build.

use std::collections::HashMap;

use poem::{
    Response, handler,
    http::{HeaderMap, StatusCode, header},
    web::{Data, Path, Query},
};

use crate::{
    state::AppState,
    static_files::{Accepts, BuildDir, IMMUTABLE, Kind, SHORT, file_response, is_plain_name, origin_of, text},
};

const PAGE: &str = "index.html";
/// Its modification time versions every asset URL the page references.
const WASM: &str = "agent-console_bg.wasm";

/// The console's builds: the everyday one, and the complete one with settings, reports
/// and preferences.
const INBOX_BUILD: &str = "agent-console";
const COMPLETE_BUILD: &str = "console-admin";

fn build(state: &AppState) -> BuildDir {
    BuildDir::new(
        &state.settings,
        Kind::Console,
        WASM,
        "the Rapport agent console is not built: run `cargo xtask build`, or point RAPPORT_WIDGET_DIR at a \
         dist/widget directory with a built dist/agent-console beside it",
        "no such console asset",
    )
}

/// `/` and `/console`: the console lives at `/console/`. The query goes along: mail to
/// agents links `/?conversation=<id>`, which the console opens.
#[handler]
pub fn to_console(uri: &poem::http::Uri) -> Response {
    let location = match uri.query() {
        Some(query) => format!("/console/?{query}"),
        None => "/console/".to_owned(),
    };
    Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, location).finish()
}

#[handler]
pub async fn page(state: Data<&AppState>, uri: &poem::http::Uri) -> Response {
    let build = build(&state);
    let template = match build.read(PAGE).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(response) => return response,
    };
    let own = origin_of(&state.settings.public_url);
    let socket_origin = own.replacen("http", "ws", 1);
    let policy = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {socket_origin}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    );
    let bundle = if names_a_screen(uri.query().unwrap_or_default()) { COMPLETE_BUILD } else { INBOX_BUILD };
    let html = template.replace("{{v}}", &build.version().await).replace("{{bundle}}", bundle);
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("Content-Security-Policy", policy)
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "same-origin")
        .body(html)
}

/// Whether the query has a `screen` parameter (read by hand: the page answers whatever
/// else the query holds).
fn names_a_screen(query: &str) -> bool {
    query.split('&').any(|pair| pair.split('=').next() == Some("screen"))
}

#[handler]
pub async fn asset(
    state: Data<&AppState>,
    Path(name): Path<String>,
    query: Query<HashMap<String, String>>,
    headers: &HeaderMap,
) -> Response {
    if !is_plain_name(&name) || name == PAGE {
        return text(StatusCode::NOT_FOUND, "no such console asset");
    }
    match build(&state).serve(&name, Accepts::from_headers(headers)).await {
        Ok(served) => file_response(served, &name, if query.contains_key("v") { IMMUTABLE } else { SHORT }),
        Err(response) => response,
    }
}

/// `/console/sw.js`: the service worker (Web Push alerts while the console is closed).
#[handler]
pub async fn service_worker(state: Data<&AppState>) -> Response {
    match build(&state).read("sw.js").await {
        Ok(bytes) => Response::builder()
            .content_type("text/javascript; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .header("Service-Worker-Allowed", "/console/")
            .header("Content-Security-Policy", "default-src 'none'")
            .header("X-Content-Type-Options", "nosniff")
            .body(bytes),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_screen_parameter_chooses_the_complete_build() {
        for query in ["screen=settings.sites", "a=1&screen=reports", "screen", "screen=&x"] {
            assert!(super::names_a_screen(query), "{query}");
        }
        for query in ["", "conversation=1", "screens=1", "x=screen", "reset=abc"] {
            assert!(!super::names_a_screen(query), "{query}");
        }
    }
}
