//! Serving the built widget (embedded in release builds, or `RAPPORT_WIDGET_DIR` on disk;
//! see `static_files`, which also picks the brotli or gzip variant):
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

use std::collections::HashMap;

use poem::{
    Response, handler,
    http::{HeaderMap, StatusCode, header},
    web::{Data, Path, Query},
};

use crate::{
    sites,
    state::AppState,
    static_files::{Accepts, BuildDir, IMMUTABLE, Kind, SHORT, file_response, is_plain_name, origin_of, text},
};

/// The loader's own file name in the build directory (wasm-bindgen's glue is `widget.js`).
const LOADER: &str = "loader.js";
const FRAME: &str = "frame.html";
/// Its modification time versions every asset URL the frame references.
const WASM: &str = "widget_bg.wasm";

fn build(state: &AppState) -> BuildDir {
    BuildDir::new(
        &state.settings,
        Kind::Widget,
        WASM,
        "the Rapport widget is not built: run `cargo xtask run`, or set RAPPORT_WIDGET_DIR to a built dist/widget \
         directory",
        "no such widget asset",
    )
}

#[handler]
pub async fn loader(state: Data<&AppState>, headers: &HeaderMap) -> Response {
    match build(&state).serve(LOADER, Accepts::from_headers(headers)).await {
        Ok(served) => file_response(served, LOADER, SHORT),
        Err(response) => response,
    }
}

#[handler]
pub async fn frame(state: Data<&AppState>, query: Query<HashMap<String, String>>) -> Response {
    let build = build(&state);
    let template = match build.read(FRAME).await {
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
    let html = template.replace("{{v}}", &build.version().await);
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("Content-Security-Policy", policy)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .body(html)
}

#[handler]
pub async fn asset(
    state: Data<&AppState>,
    Path(name): Path<String>,
    query: Query<HashMap<String, String>>,
    headers: &HeaderMap,
) -> Response {
    if !is_plain_name(&name) || name == LOADER || name == FRAME {
        return text(StatusCode::NOT_FOUND, "no such widget asset");
    }
    match build(&state).serve(&name, Accepts::from_headers(headers)).await {
        Ok(served) => file_response(served, &name, if query.contains_key("v") { IMMUTABLE } else { SHORT }),
        Err(response) => response,
    }
}
