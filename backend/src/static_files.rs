//! What serving a built front-end from disk needs, shared by the widget and the console:
//! plain file names only, content types (wasm's matters for streaming compilation), cache
//! lifetimes keyed on a build version, and a clear 503 when the front-end is not built.

use std::{path::Path, time::UNIX_EPOCH};

use poem::{
    Response,
    http::{StatusCode, header},
};

/// A year: assets requested with the current `?v=` never change under that URL.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For URLs fixed elsewhere (the loader in every customer's page, unversioned requests):
/// a new release reaches them within minutes.
pub const SHORT: &str = "public, max-age=300";

/// One front-end's build directory.
pub struct BuildDir<'a> {
    pub dir: &'a Path,
    /// The wasm module: present once built, and its modification time versions the assets.
    pub wasm: &'static str,
    /// What to do when nothing is built, for the 503.
    pub not_built: &'static str,
    /// The 404 text for an unknown file.
    pub unknown: &'static str,
}

impl BuildDir<'_> {
    /// The file's bytes, or the response explaining why there are none.
    pub async fn read(&self, name: &str) -> Result<Vec<u8>, Response> {
        match tokio::fs::read(self.dir.join(name)).await {
            Ok(bytes) => Ok(bytes),
            Err(_) if !self.dir.join(self.wasm).is_file() => Err(text(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("{} (nothing at {})", self.not_built, self.dir.display()),
            )),
            Err(_) => Err(text(StatusCode::NOT_FOUND, self.unknown)),
        }
    }

    /// Changes whenever the front-end is rebuilt.
    pub async fn version(&self) -> String {
        let modified = tokio::fs::metadata(self.dir.join(self.wasm)).await.and_then(|m| m.modified()).ok();
        let millis = modified.and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_millis());
        format!("{millis:x}")
    }
}

/// Only plain file names of the build directory: no dot files, no separators.
pub fn is_plain_name(name: &str) -> bool {
    !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `scheme://host[:port]` of a URL (the public URL may carry a path).
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url, |i| &url[..after_scheme + i])
}

pub fn file_response(bytes: Vec<u8>, name: &str, cache: &str) -> Response {
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

pub fn text(status: StatusCode, message: &str) -> Response {
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

    #[test]
    fn only_plain_names_are_served() {
        assert!(super::is_plain_name("widget_bg.wasm"));
        for bad in [".env", "../secret", "a/b", "a\\b", "%2e%2e"] {
            assert!(!super::is_plain_name(bad), "{bad}");
        }
    }
}
