//! Security headers on every answer: pages, API responses, errors, files.
//!
//! A handler that knows better sets its own (the console's and the widget frame's content
//! security policies, attachments' sandbox); everything else gets these defaults:
//!
//! - `X-Content-Type-Options: nosniff` — a JSON answer or an upload is never run as script;
//! - `Referrer-Policy: no-referrer` — URLs (conversation ids, link tokens) stay here;
//! - `Content-Security-Policy`: `default-src 'none'` with `frame-ancestors 'none'` for API
//!   answers and plain pages; the API docs (`/docs`, Swagger UI: inline script and style)
//!   and the demo shop (`/demo`: a host page embedding the widget) get policies that let
//!   exactly their content run;
//! - `X-Frame-Options: DENY`, unless the page's own policy names who may frame it (the
//!   widget frame, embedded by the sites that allow it);
//! - `Strict-Transport-Security` when the public URL is https.
//!
//! The widget's loader and its launcher check, fetched on every page view of every
//! embedding site, get only `nosniff` (and HSTS): the rest acts on documents alone.

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderName, HeaderValue},
};

/// What the headers depend on, fixed at start-up.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Rapport's public origin (`https://chat.example.com`), for the pages that load parts
    /// of Rapport by their absolute URL.
    origin: String,
    /// The origin of its sockets (`wss://chat.example.com`).
    socket_origin: String,
    https: bool,
}

/// Default policy: nothing may load, nobody may frame.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

impl Policy {
    pub fn new(public_url: &str) -> Self {
        let origin = crate::auth::csrf::own_origin(public_url).map(|o| o.into_string()).unwrap_or_default();
        let socket_origin = origin.replacen("http", "ws", 1);
        Self { origin, socket_origin, https: public_url.starts_with("https://") }
    }

    fn content_policy(&self, path: &str) -> String {
        let (origin, socket) = (&self.origin, &self.socket_origin);
        if path == "/docs" || path.starts_with("/docs/") {
            // Swagger UI is one page with its script and style inline; "Try it out" calls
            // the API on this origin.
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
                .to_owned()
        } else if path == "/demo" {
            // A pretend shop page: its inline snippet, the loader and the widget's frame.
            format!(
                "default-src 'self' {origin}; script-src 'self' {origin} 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' {origin} data: blob:; connect-src 'self' {origin} {socket}; frame-src 'self' {origin}; \
                 frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
            )
        } else {
            API_POLICY.to_owned()
        }
    }

    fn apply(&self, path: &str, response: &mut Response) {
        let headers = response.headers_mut();
        if on_every_page_view(path) {
            // A script and the JSON it fetches: the document-only headers (policy,
            // framing, referrer) would act on nothing here and cost every page view of
            // every site that embeds the widget ~190 bytes per answer.
            headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
            if self.https {
                headers.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000"));
            }
            return;
        }
        let mut set_default = |name: &'static str, value: String| {
            let name = HeaderName::from_static(name);
            if !headers.contains_key(&name)
                && let Ok(value) = HeaderValue::from_str(&value)
            {
                headers.insert(name, value);
            }
        };
        set_default("x-content-type-options", "nosniff".into());
        set_default("referrer-policy", "no-referrer".into());
        set_default("content-security-policy", self.content_policy(path));
        if self.https {
            set_default("strict-transport-security", "max-age=31536000".into());
        }
        // A page whose policy names its framers is meant to be framed by them.
        let framed_by_policy = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .and_then(|csp| csp.split(';').find(|d| d.trim().starts_with("frame-ancestors")))
            .is_some_and(|directive| !directive.contains("'none'"));
        if !framed_by_policy && !headers.contains_key("x-frame-options") {
            headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
        }
    }
}

/// The loader and its launcher check: what a page view of an embedding site downloads
/// before the visitor shows any interest (the widget's 3 KB budget).
fn on_every_page_view(path: &str) -> bool {
    path == "/widget.js" || path == "/api/v1/widget/launcher"
}

/// Middleware around every route.
pub async fn add<E: Endpoint>(next: E, req: Request, policy: Policy) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let mut response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(err) => err.into_response(),
    };
    policy.apply(&path, &mut response);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(policy: &Policy, path: &str, preset: &[(&'static str, &'static str)]) -> poem::http::HeaderMap {
        let mut builder = Response::builder();
        for (name, value) in preset {
            builder = builder.header(*name, *value);
        }
        let mut response = builder.finish();
        policy.apply(path, &mut response);
        response.headers().clone()
    }

    #[test]
    fn the_loader_and_its_check_carry_only_what_acts_on_them() {
        let policy = Policy::new("https://chat.example.com");
        for path in ["/widget.js", "/api/v1/widget/launcher"] {
            let answer = headers(&policy, path, &[]);
            assert_eq!(answer["x-content-type-options"], "nosniff");
            assert_eq!(answer["strict-transport-security"], "max-age=31536000");
            assert_eq!(answer.len(), 2, "{path}: {answer:?}");
        }
        assert!(headers(&policy, "/api/v1/widget/session", &[]).contains_key("content-security-policy"));
    }

    #[test]
    fn defaults_fill_in_and_handlers_keep_theirs() {
        let policy = Policy::new("https://chat.example.com");
        let api = headers(&policy, "/api/v1/me", &[]);
        assert_eq!(api["content-security-policy"], API_POLICY);
        assert_eq!(api["x-frame-options"], "DENY");
        assert_eq!(api["x-content-type-options"], "nosniff");
        assert_eq!(api["strict-transport-security"], "max-age=31536000");
        let frame =
            headers(&policy, "/widget/frame", &[("content-security-policy", "frame-ancestors https://shop.test")]);
        assert_eq!(frame["content-security-policy"], "frame-ancestors https://shop.test");
        assert!(!frame.contains_key("x-frame-options"), "the widget frame is meant to be framed");
        assert!(
            headers(&policy, "/docs", &[])["content-security-policy"].to_str().unwrap().contains("'unsafe-inline'")
        );
        let plain = Policy::new("http://127.0.0.1:8080");
        assert!(!headers(&plain, "/", &[]).contains_key("strict-transport-security"));
    }
}
