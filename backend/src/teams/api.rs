//! `/teams`: list, create, get, update (name and members), delete.

use openapi::teams::{Team, TeamInput, TeamPage};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, pagination::PageRequest, state::AppState};

pub struct TeamsApi;

#[derive(ApiResponse)]
enum Created {
    /// The team was created.
    #[oai(status = 201)]
    Created(Json<Team>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The team is gone; its conversations keep their history.
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(prefix_path = "/teams", tag = "ApiTags::Teams")]
impl TeamsApi {
    /// List teams
    #[oai(path = "/", method = "get", operation_id = "listTeams")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<TeamPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let teams = super::list(&state.store, auth.caller().workspace_id, page).await?;
        let (items, next_cursor) = page.finish(teams, |team| team.id);
        Ok(Json(TeamPage { items, next_cursor }))
    }

    /// Create a team
    ///
    /// Owners and admins only.
    #[oai(path = "/", method = "post", operation_id = "createTeam")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        body: Json<TeamInput>,
    ) -> Result<Created, ApiError> {
        Ok(Created::Created(Json(super::create(&state.store, auth.caller(), &body).await?)))
    }

    /// Get a team
    #[oai(path = "/:team_id", method = "get", operation_id = "getTeam")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] team_id: Path<Uuid>,
    ) -> Result<Json<Team>, ApiError> {
        Ok(Json(super::get(&state.store, auth.caller().workspace_id, *team_id).await?))
    }

    /// Rename a team and replace its members
    ///
    /// Owners and admins only.
    #[oai(path = "/:team_id", method = "put", operation_id = "updateTeam")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] team_id: Path<Uuid>,
        body: Json<TeamInput>,
    ) -> Result<Json<Team>, ApiError> {
        Ok(Json(super::update(&state.store, auth.caller(), *team_id, &body).await?))
    }

    /// Delete a team
    ///
    /// Owners and admins only.
    #[oai(path = "/:team_id", method = "delete", operation_id = "deleteTeam")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] team_id: Path<Uuid>,
    ) -> Result<Deleted, ApiError> {
        super::delete(&state.store, auth.caller(), *team_id).await?;
        Ok(Deleted::Deleted)
    }
}
