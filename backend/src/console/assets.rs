//! Serving the built console from disk, from the `agent-console` directory beside the
//! widget's (`RAPPORT_WIDGET_DIR`'s sibling, normally `dist/agent-console`):
//!
//! - `/` and `/console` redirect to `/console/`, the console's page. It references the
//!   assets with `?v=<build>` so they can be cached for a year, and its policy allows
//!   scripts, styles and connections to Rapport's own origin only (the session cookie
//!   opens the agent socket from there and nowhere else).
//! - `/console/assets/<file>`: the wasm module, its JavaScript glue, the stylesheet.
//!
//! When the console is not built the answer is 503 with what to do, so the server and
//! its API tests never depend on a front-end build.

use std::{
    collections::HashMap,
    path::{Path as FsPath, PathBuf},
    time::UNIX_EPOCH,
};

use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::{Data, Path, Query},
};

use crate::state::AppState;

const PAGE: &str = "index.html";
/// Its modification time versions every asset URL the page references.
const WASM: &str = "agent-console_bg.wasm";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";

/// The console's build directory: next to the widget's.
fn dir(state: &AppState) -> PathBuf {
    state.settings.widget_dir.with_file_name("agent-console")
}

/// `/` and `/console`: the console lives at `/console/`.
#[handler]
pub fn to_console() -> Response {
    Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, "/console/").finish()
}

#[handler]
pub async fn page(state: Data<&AppState>) -> Response {
    let dir = dir(&state);
    let template = match read(&dir, PAGE).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(response) => return response,
    };
    let own = origin_of(&state.settings.public_url);
    let socket_origin = own.replacen("http", "ws", 1);
    let policy = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {socket_origin}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    );
    let html = template.replace("{{v}}", &build_version(&dir).await);
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("Content-Security-Policy", policy)
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "same-origin")
        .body(html)
}

#[handler]
pub async fn asset(state: Data<&AppState>, Path(name): Path<String>, query: Query<HashMap<String, String>>) -> Response {
    // Only plain file names of the build directory: no dot files, no separators.
    let plain = !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !plain || name == PAGE {
        return text(StatusCode::NOT_FOUND, "no such console asset");
    }
    match read(&dir(&state), &name).await {
        Ok(bytes) => file_response(bytes, &name, if query.contains_key("v") { IMMUTABLE } else { SHORT }),
        Err(response) => response,
    }
}

async fn read(dir: &FsPath, name: &str) -> Result<Vec<u8>, Response> {
    match tokio::fs::read(dir.join(name)).await {
        Ok(bytes) => Ok(bytes),
        Err(_) if !dir.join(WASM).is_file() => Err(text(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "the Rapport agent console is not built (nothing at {}): run `cargo xtask build`, or point \
                 RAPPORT_WIDGET_DIR at a dist/widget directory with a built dist/agent-console beside it",
                dir.display()
            ),
        )),
        Err(_) => Err(text(StatusCode::NOT_FOUND, "no such console asset")),
    }
}

/// `scheme://host[:port]` of a URL (the public URL may carry a path).
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url, |i| &url[..after_scheme + i])
}

/// Changes whenever the console is rebuilt.
async fn build_version(dir: &FsPath) -> String {
    let modified = tokio::fs::metadata(dir.join(WASM)).await.and_then(|m| m.modified()).ok();
    let millis = modified.and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_millis());
    format!("{millis:x}")
}

fn file_response(bytes: Vec<u8>, name: &str, cache: &str) -> Response {
    let content_type = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        // Needed for WebAssembly.instantiateStreaming, the fast path.
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    Response::builder()
        .content_type(content_type)
        .header(header::CACHE_CONTROL, cache)
        .header("X-Content-Type-Options", "nosniff")
        .body(bytes)
}

fn text(status: StatusCode, message: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/plain; charset=utf-8")
        .header("X-Content-Type-Options", "nosniff")
        .header(header::CACHE_CONTROL, "no-store")
        .body(message.to_owned())
}
