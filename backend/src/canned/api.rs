//! `/canned-responses`: the team's saved replies.

use openapi::canned::{CannedResponse, CannedResponsePage, CannedResponseUpdate, NewCannedResponse};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, pagination::PageRequest, state::AppState};

pub struct CannedResponsesApi;

#[derive(ApiResponse)]
enum Created {
    /// The saved reply was created.
    #[oai(status = 201)]
    Created(Json<CannedResponse>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The saved reply is gone.
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(prefix_path = "/canned-responses", tag = "ApiTags::CannedResponses")]
impl CannedResponsesApi {
    /// List saved replies
    #[oai(path = "/", method = "get", operation_id = "listCannedResponses")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<CannedResponsePage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::list(&state.store, auth.caller().workspace_id, page).await?;
        let (items, next_cursor) = page.finish(rows, |row| row.id);
        Ok(Json(CannedResponsePage { items, next_cursor }))
    }

    /// Create a saved reply
    ///
    /// 409 `shortcut_taken` when the workspace already has one with this shortcut.
    #[oai(path = "/", method = "post", operation_id = "createCannedResponse")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        body: Json<NewCannedResponse>,
    ) -> Result<Created, ApiError> {
        Ok(Created::Created(Json(super::create(&state.store, auth.caller(), &body).await?)))
    }

    /// Change a saved reply
    #[oai(path = "/:canned_response_id", method = "patch", operation_id = "updateCannedResponse")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] canned_response_id: Path<Uuid>,
        body: Json<CannedResponseUpdate>,
    ) -> Result<Json<CannedResponse>, ApiError> {
        Ok(Json(super::update(&state.store, auth.caller(), *canned_response_id, &body).await?))
    }

    /// Delete a saved reply
    #[oai(path = "/:canned_response_id", method = "delete", operation_id = "deleteCannedResponse")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] canned_response_id: Path<Uuid>,
    ) -> Result<Deleted, ApiError> {
        super::delete(&state.store, auth.caller(), *canned_response_id).await?;
        Ok(Deleted::Deleted)
    }
}
