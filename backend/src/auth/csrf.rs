//! Cross-site request forgery. The console's session cookie rides along with any request
//! the browser makes to Rapport, including one a page on another site makes it send, and
//! `SameSite=Strict` does not stop a *same-site* page (the shop on a sibling subdomain).
//! So a state-changing request authenticated by the cookie must prove it comes from
//! Rapport's own pages: its `Origin` is Rapport's public origin, or — when the browser
//! reached Rapport under another name, or sends no `Origin` — its `Sec-Fetch-Site` is
//! `same-origin`, a header pages cannot forge. `Origin: null` (sandboxed frames, files)
//! is never ours.
//!
//! Bearer tokens are unaffected: a browser never adds one on its own. A request with both
//! is a bearer request: the cookie is ignored ([`super::scheme`]), so it is not checked
//! here either. Requests made without any credential that create a session or change an
//! account (sign-in, sign-up, accepting an invitation, asking for and using a password
//! reset link) are checked too when they come from a browser, so another site cannot sign
//! a visitor into the attacker's account ("login CSRF") nor make their browser ask for
//! reset mails.

use poem::{Endpoint, IntoResponse, Request, Response, http::Method};

use crate::{error::ApiError, input::Origin};

/// Operations (under `/api/v1`) that take no credential and sign someone in or change an
/// account: refused from another site's pages like a cookie request.
const SIGN_IN_LIKE: [&str; 5] =
    ["/signin", "/signup", "/invitations/accept", "/password-reset", "/password-reset/confirm"];

/// Why a request does not look like it came from Rapport's own pages.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `Origin` and no `Sec-Fetch-Site: same-origin`.
    Missing,
    /// Another origin, or `null`.
    Foreign(String),
}

impl Refusal {
    pub fn into_api_error(self, what: &str) -> ApiError {
        match self {
            Self::Missing => ApiError::forbidden(
                "origin_required",
                format!(
                    "{what} needs an Origin header naming Rapport (browsers send one); other clients use a bearer token"
                ),
            ),
            Self::Foreign(origin) => ApiError::forbidden(
                "origin_not_allowed",
                format!("{what} may not come from {origin}: only Rapport's own pages may use the session cookie"),
            ),
        }
    }
}

/// Whether the request comes from a page of `own` origin.
pub fn from_own_pages(req: &Request, own: Option<&Origin>) -> Result<(), Refusal> {
    let same_origin_fetch = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("same-origin"));
    match req.headers().get(poem::http::header::ORIGIN) {
        None if same_origin_fetch => Ok(()),
        None => Err(Refusal::Missing),
        Some(value) => {
            let raw = value.to_str().unwrap_or("a malformed origin");
            if raw.trim() == "null" {
                return Err(Refusal::Foreign("origin null".into()));
            }
            let theirs = Origin::parse("origin", raw).ok();
            if (theirs.is_some() && theirs.as_ref() == own) || same_origin_fetch {
                Ok(())
            } else {
                Err(Refusal::Foreign(raw.to_owned()))
            }
        }
    }
}

/// Whether a browser sent this request from a foreign page (an `Origin` that is not ours,
/// or `Sec-Fetch-Site` other than same-origin/none). Requests from non-browser clients,
/// which send neither header, are not foreign.
fn from_foreign_page(req: &Request, own: Option<&Origin>) -> Option<Refusal> {
    let fetch_site = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let has_origin = req.headers().contains_key(poem::http::header::ORIGIN);
    if !has_origin && fetch_site.is_none_or(|site| site.eq_ignore_ascii_case("none")) {
        return None;
    }
    from_own_pages(req, own).err()
}

/// Rapport's own origin, from its public URL (which may end in a path).
pub fn own_origin(public_url: &str) -> Option<Origin> {
    let (scheme, rest) = public_url.split_once("://")?;
    let authority = rest.split('/').next()?;
    Origin::parse("origin", &format!("{scheme}://{authority}")).ok()
}

pub(crate) fn has_session_cookie(req: &Request) -> bool {
    super::scheme::session_cookie(req).is_some_and(|token| !token.is_empty())
}

pub(crate) fn has_authorization(req: &Request) -> bool {
    req.headers().contains_key(poem::http::header::AUTHORIZATION)
}

/// Middleware on `/api/v1`: refuses cookie-authenticated state-changing requests from
/// anywhere but Rapport's own pages.
pub async fn guard<E: Endpoint>(next: E, req: Request, own: Option<Origin>) -> poem::Result<Response> {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && !has_authorization(&req) {
        let path = req.uri().path();
        let sign_in_like = SIGN_IN_LIKE.iter().any(|op| path.ends_with(op));
        let refusal = if has_session_cookie(&req) {
            from_own_pages(&req, own.as_ref()).err()
        } else if sign_in_like {
            from_foreign_page(&req, own.as_ref())
        } else {
            None
        };
        if let Some(refusal) = refusal {
            let what = match (sign_in_like, path.contains("/password-reset")) {
                (false, _) => "a request with the session cookie",
                (true, true) => "resetting a password",
                (true, false) => "signing in",
            };
            return Ok(refusal.into_api_error(what).into_response());
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder();
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.finish()
    }

    #[test]
    fn only_our_origin_or_a_same_origin_fetch_counts_as_ours() {
        let own = Origin::parse("x", "https://chat.example.com").ok();
        let own = own.as_ref();
        assert_eq!(from_own_pages(&req(&[("origin", "https://chat.example.com")]), own), Ok(()));
        assert_eq!(from_own_pages(&req(&[("origin", "https://chat.example.com:443")]), own), Ok(()));
        assert_eq!(from_own_pages(&req(&[("sec-fetch-site", "same-origin")]), own), Ok(()));
        // Reached as http://localhost:8080 while the public URL names another host.
        let renamed = req(&[("origin", "http://localhost:8080"), ("sec-fetch-site", "same-origin")]);
        assert_eq!(from_own_pages(&renamed, own), Ok(()));
        assert_eq!(from_own_pages(&req(&[]), own), Err(Refusal::Missing));
        assert_eq!(from_own_pages(&req(&[("sec-fetch-site", "same-site")]), own), Err(Refusal::Missing));
        for foreign in ["https://evil.example", "https://shop.example.com", "http://chat.example.com", "null"] {
            assert!(matches!(from_own_pages(&req(&[("origin", foreign)]), own), Err(Refusal::Foreign(_))), "{foreign}");
        }
        let null_same = req(&[("origin", "null"), ("sec-fetch-site", "same-origin")]);
        assert!(from_own_pages(&null_same, own).is_err(), "null is never ours");
    }

    #[test]
    fn the_own_origin_ignores_a_path() {
        assert_eq!(own_origin("https://example.com/chat").unwrap().as_str(), "https://example.com");
        assert_eq!(own_origin("http://127.0.0.1:8080").unwrap().as_str(), "http://127.0.0.1:8080");
    }

    #[test]
    fn non_browser_clients_are_not_foreign_pages() {
        let own = Origin::parse("x", "https://chat.example.com").ok();
        assert!(from_foreign_page(&req(&[]), own.as_ref()).is_none());
        assert!(from_foreign_page(&req(&[("sec-fetch-site", "none")]), own.as_ref()).is_none());
        assert!(from_foreign_page(&req(&[("origin", "https://evil.example")]), own.as_ref()).is_some());
        assert!(from_foreign_page(&req(&[("sec-fetch-site", "cross-site")]), own.as_ref()).is_some());
    }
}
