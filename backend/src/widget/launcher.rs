//! `GET /widget/launcher`: the loader's one question before it draws anything on a page —
//! may this page's origin show the chat? The loader calls it from the business's page, so
//! it answers cross-origin (CORS) whatever the verdict, and a refusal can reach the page as
//! an `error` event instead of a launcher that opens a blank frame. Nothing is created: a
//! page view stays free until the visitor shows interest.

use openapi::{error::ErrorBody, widget::WidgetLauncher};
use poem::{http::HeaderMap, web::Data};
use poem_openapi::{ApiResponse, OpenApi, param::Query, payload::Json};

use crate::{api::ApiTags, error::ApiError, sites, state::AppState};

pub struct WidgetLauncherApi;

/// Browsers may keep the verdict this long (per origin: `Vary: Origin`), so further page
/// views ask nothing.
const CACHE: &str = "public, max-age=300";

#[derive(ApiResponse)]
enum Verdict {
    /// The page's origin may show the chat (a request without `Origin`, from Rapport's own
    /// pages or a server, too).
    #[oai(status = 200)]
    Allowed(
        Json<WidgetLauncher>,
        /// `*`: the answer is meant for the loader on any page.
        #[oai(header = "Access-Control-Allow-Origin")]
        String,
        /// Cached for five minutes.
        #[oai(header = "Cache-Control")]
        String,
        /// `Origin`: the verdict depends on it.
        #[oai(header = "Vary")]
        String,
    ),
    /// `origin_not_allowed`: the site does not list this origin; the loader draws nothing
    /// and raises an `error` event.
    #[oai(status = 403)]
    Refused(
        Json<ErrorBody>,
        #[oai(header = "Access-Control-Allow-Origin")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// `not_found`: no site has this key.
    #[oai(status = 404)]
    Unknown(
        Json<ErrorBody>,
        #[oai(header = "Access-Control-Allow-Origin")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Vary")] String,
    ),
    /// `internal`: the server failed (logged); the loader shows the launcher all the same.
    #[oai(status = 500)]
    Failed(Json<ErrorBody>),
    /// `malformed_request`: no `site_key` (answered before the handler runs).
    #[oai(status = 400)]
    #[allow(dead_code)] // documented only: the parameter check answers it
    Malformed(Json<ErrorBody>),
    /// Not answered by this operation, which needs no credentials (listed as every
    /// operation's are).
    #[oai(status = 401)]
    #[allow(dead_code)] // documented only
    Unauthorized(Json<ErrorBody>),
    /// Not answered by this operation, which takes no body (listed as every operation's are).
    #[oai(status = 422)]
    #[allow(dead_code)] // documented only
    Unprocessable(Json<ErrorBody>),
}

fn cors() -> (String, String, String) {
    ("*".to_owned(), CACHE.to_owned(), "Origin".to_owned())
}

#[OpenApi(prefix_path = "/widget", tag = "ApiTags::Widget")]
impl WidgetLauncherApi {
    /// Whether a page may show the widget's launcher
    ///
    /// Asked by the loader on every page view (answered from the browser's cache for five
    /// minutes): the page's `Origin` must be one of the site's allowed origins. Creates
    /// nothing and needs no credentials.
    #[oai(path = "/launcher", method = "get", operation_id = "getWidgetLauncher")]
    async fn launcher(
        &self,
        state: Data<&AppState>,
        headers: &HeaderMap,
        /// The site's public key, from the embed snippet's `data-site`.
        #[oai(example = "crate::api_examples::site_key")]
        site_key: Query<String>,
    ) -> Verdict {
        let (allow, cache, vary) = cors();
        let site = match sites::find_by_key(&state.store, &site_key).await {
            Ok(site) => site,
            Err(crate::error::Error::NotFound(_)) => {
                let body = ErrorBody { code: "not_found".into(), message: "no site has this key".into(), field: None };
                return Verdict::Unknown(Json(body), allow, cache, vary);
            }
            Err(err) => return Verdict::Failed(Json(ApiError::from(err).into_body())),
        };
        match super::api::check_origin(&state, &site, headers) {
            Ok(()) => Verdict::Allowed(Json(WidgetLauncher { color: site.color }), allow, cache, vary),
            Err(refusal) => Verdict::Refused(Json(refusal.into_body()), allow, cache, vary),
        }
    }
}
