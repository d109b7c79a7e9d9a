//! `/sites/{id}/business-hours`: read and replace a site's business hours.

use openapi::business_hours::{BusinessHours, BusinessHoursUpdate};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, state::AppState};

pub struct BusinessHoursApi;

#[OpenApi(prefix_path = "/sites", tag = "ApiTags::Sites")]
impl BusinessHoursApi {
    /// Get a site's business hours
    ///
    /// With whether the site is open now and, when not, when it opens next. A site
    /// without hours is always open (`enabled` false).
    #[oai(path = "/:site_id/business-hours", method = "get", operation_id = "getBusinessHours")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
    ) -> Result<Json<BusinessHours>, ApiError> {
        Ok(Json(super::get_wire(&state.store, auth.caller(), *site_id).await?))
    }

    /// Replace a site's business hours
    ///
    /// Owners and admins. Hours are in the workspace's time zone. Outside them the
    /// widget's session reports no agent online (the widget offers its offline form) and
    /// a visitor who starts a conversation gets the auto-reply with `{{next_open}}`
    /// filled in. Bad times or overlapping openings are 422 `invalid_input` (`field`
    /// `hours`), and nothing changes.
    #[oai(path = "/:site_id/business-hours", method = "put", operation_id = "replaceBusinessHours")]
    async fn put(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
        body: Json<BusinessHoursUpdate>,
    ) -> Result<Json<BusinessHours>, ApiError> {
        Ok(Json(super::put(&state.store, auth.caller(), *site_id, &body).await?))
    }
}
