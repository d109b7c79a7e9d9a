//! Serving the built widget from disk (`RAPPORT_WIDGET_DIR`, normally `dist/widget`):
//!
//! - `/widget.js`: the loader a business pastes (`loader.js` on disk). Its URL never
//!   changes, so it is cached only briefly.
//! - `/widget/frame?site=KEY`: the iframe's page. Its `frame-ancestors` policy names the
//!   site's allowed origins, so only pages of those origins can embed it (the browser
//!   enforces what the iframe alone could not check). It references the assets with
//!   `?v=<build>` so they can be cached for a year.
//! - `/widget/assets/<file>`: the wasm module, its JavaScript glue, the stylesheet.
//!
//! When the widget is not built the answer is 503 with what to do, so the server
//! itself (and its API tests) never depend on a front-end build.

use std::{collections::HashMap, path::Path as FsPath, time::UNIX_EPOCH};

use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::{Data, Path, Query},
};

use crate::{sites, state::AppState};

/// The loader's own file name in the build directory (wasm-bindgen's glue is `widget.js`).
const LOADER: &str = "loader.js";
const FRAME: &str = "frame.html";
/// Its modification time versions every asset URL the frame references.
const WASM: &str = "widget_bg.wasm";

/// A year: assets requested with the current `?v=` never change under that URL.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The loader's URL is fixed in every customer's page: let a new release reach them soon.
const SHORT: &str = "public, max-age=300";

#[handler]
pub async fn loader(state: Data<&AppState>) -> Response {
    match read(&state.settings.widget_dir, LOADER).await {
        Ok(bytes) => file_response(bytes, LOADER, SHORT),
        Err(response) => response,
    }
}

#[handler]
pub async fn frame(state: Data<&AppState>, query: Query<HashMap<String, String>>) -> Response {
    let dir = &state.settings.widget_dir;
    let template = match read(dir, FRAME).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(response) => return response,
    };
    let Some(site_key) = query.get("site") else {
        return text(StatusCode::BAD_REQUEST, "missing ?site=<site key>");
    };
    let site = match sites::find_by_key(&state.store, site_key).await {
        Ok(site) => site,
        Err(crate::error::Error::NotFound(_)) => return text(StatusCode::NOT_FOUND, "unknown site key"),
        Err(err) => {
            tracing::error!(error = %err, "looking up a site for the widget frame");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "something went wrong on the server; it has been logged");
        }
    };
    let own = origin_of(&state.settings.public_url);
    let ancestors: Vec<String> = std::iter::once("'self'".to_owned()).chain(site.origins()).collect();
    let socket_origin = own.replacen("http", "ws", 1);
    let policy = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {socket_origin}; frame-ancestors {}; base-uri 'none'; form-action 'none'",
        ancestors.join(" ")
    );
    let html = template.replace("{{v}}", &build_version(dir).await);
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("Content-Security-Policy", policy)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .body(html)
}

#[handler]
pub async fn asset(state: Data<&AppState>, Path(name): Path<String>, query: Query<HashMap<String, String>>) -> Response {
    // Only plain file names of the build directory: no dot files, no separators.
    let plain = !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !plain || name == LOADER || name == FRAME {
        return text(StatusCode::NOT_FOUND, "no such widget asset");
    }
    match read(&state.settings.widget_dir, &name).await {
        Ok(bytes) => file_response(bytes, &name, if query.contains_key("v") { IMMUTABLE } else { SHORT }),
        Err(response) => response,
    }
}

/// The file's bytes, or the response explaining why there are none.
async fn read(dir: &FsPath, name: &str) -> Result<Vec<u8>, Response> {
    match tokio::fs::read(dir.join(name)).await {
        Ok(bytes) => Ok(bytes),
        Err(_) if !dir.join(WASM).is_file() => Err(text(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "the Rapport widget is not built (nothing at {}): run `cargo xtask run`, or set RAPPORT_WIDGET_DIR \
                 to a built dist/widget directory",
                dir.display()
            ),
        )),
        Err(_) => Err(text(StatusCode::NOT_FOUND, "no such widget asset")),
    }
}

/// `scheme://host[:port]` of a URL (the public URL may carry a path).
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url, |i| &url[..after_scheme + i])
}

/// Changes whenever the widget is rebuilt.
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
        Some("html") => "text/html; charset=utf-8",
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

#[cfg(test)]
mod tests {
    #[test]
    fn origins_drop_paths() {
        assert_eq!(super::origin_of("https://chat.example.com/rapport"), "https://chat.example.com");
        assert_eq!(super::origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
