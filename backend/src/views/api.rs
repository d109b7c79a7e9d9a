//! `/views`: the signed-in agent's saved views (list, create, delete).

use openapi::views::{NewSavedView, SavedView, SavedViewPage};
use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, state::AppState};

pub struct ViewsApi;

#[derive(ApiResponse)]
enum Created {
    /// The view was saved.
    #[oai(status = 201)]
    Created(Json<SavedView>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The view is gone.
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(prefix_path = "/views", tag = "ApiTags::Views")]
impl ViewsApi {
    /// List my saved views
    ///
    /// The signed-in agent's own views, oldest first (API keys have none: 403).
    #[oai(path = "/", method = "get", operation_id = "listSavedViews")]
    async fn list(&self, state: Data<&AppState>, auth: WorkspaceAuth) -> Result<Json<SavedViewPage>, ApiError> {
        Ok(Json(SavedViewPage { items: super::list(&state.store, auth.caller()).await?, next_cursor: None }))
    }

    /// Save a view
    ///
    /// A name (1 to 60 characters) and filters; ids in the filters must be the
    /// workspace's (400 otherwise). At most 50 views per agent (409 `too_many_views`).
    #[oai(path = "/", method = "post", operation_id = "createSavedView")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        body: Json<NewSavedView>,
    ) -> Result<Created, ApiError> {
        Ok(Created::Created(Json(super::create(&state.store, auth.caller(), &body).await?)))
    }

    /// Delete a saved view
    #[oai(path = "/:view_id", method = "delete", operation_id = "deleteSavedView")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] view_id: Path<Uuid>,
    ) -> Result<Deleted, ApiError> {
        super::delete(&state.store, auth.caller(), *view_id).await?;
        Ok(Deleted::Deleted)
    }
}
