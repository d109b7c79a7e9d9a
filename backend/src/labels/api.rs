//! `/labels`: list, create, rename or recolour, merge, delete. Conversations that a
//! change touches are announced to the consoles as `updated`.

use openapi::labels::{Label, LabelMerge, LabelPage, LabelUpdate, NewLabel};
use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, state::AppState};

pub struct LabelsApi;

#[derive(ApiResponse)]
enum Created {
    /// The label was created.
    #[oai(status = 201)]
    Created(Json<Label>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The label is gone, and off every conversation.
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(prefix_path = "/labels", tag = "ApiTags::Labels")]
impl LabelsApi {
    /// List labels
    ///
    /// Every label of the workspace, by name, with how many conversations carry it.
    #[oai(path = "/", method = "get", operation_id = "listLabels")]
    async fn list(&self, state: Data<&AppState>, auth: WorkspaceAuth) -> Result<Json<LabelPage>, ApiError> {
        let items = super::list(&state.store, auth.caller().workspace_id).await?;
        Ok(Json(LabelPage { items, next_cursor: None }))
    }

    /// Create a label
    ///
    /// Any agent (and write API keys). A name already taken, in any case, is 409
    /// `label_taken`.
    #[oai(path = "/", method = "post", operation_id = "createLabel")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        body: Json<NewLabel>,
    ) -> Result<Created, ApiError> {
        Ok(Created::Created(Json(super::create(&state.store, auth.caller(), &body).await?)))
    }

    /// Rename or recolour a label
    ///
    /// Owners and admins. A new name replaces the old one on every conversation.
    #[oai(path = "/:label_id", method = "patch", operation_id = "updateLabel")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] label_id: Path<Uuid>,
        body: Json<LabelUpdate>,
    ) -> Result<Json<Label>, ApiError> {
        let caller = auth.caller();
        let (label, _) = super::update(&state.store, caller, *label_id, &body).await?;
        Ok(Json(label))
    }

    /// Merge a label into another
    ///
    /// Owners and admins. Conversations carrying this label carry `into_label_id`
    /// instead (once), and this label is deleted. Answers the label merged into.
    #[oai(path = "/:label_id/merge", method = "post", operation_id = "mergeLabel")]
    async fn merge(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] label_id: Path<Uuid>,
        body: Json<LabelMerge>,
    ) -> Result<Json<Label>, ApiError> {
        let caller = auth.caller();
        let (label, _) = super::merge(&state.store, caller, *label_id, body.into_label_id).await?;
        Ok(Json(label))
    }

    /// Delete a label
    ///
    /// Owners and admins. The label is taken off every conversation.
    #[oai(path = "/:label_id", method = "delete", operation_id = "deleteLabel")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] label_id: Path<Uuid>,
    ) -> Result<Deleted, ApiError> {
        let caller = auth.caller();
        super::delete(&state.store, caller, *label_id).await?;
        Ok(Deleted::Deleted)
    }
}
