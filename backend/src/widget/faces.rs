//! Who answers, as visitors see them: the faces of the team in the widget's header (in the
//! session's `site.team`) and the author of each reply (`GET /widget/agents/{id}`). A
//! name and a picture, nothing else about the agent.

use std::collections::BTreeMap;

use openapi::{realtime::AgentStatus, widget::AgentFace};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{agents::picture, api::ApiTags, auth::VisitorAuth, error::ApiError, error::Result, state::AppState};

/// How many faces the header shows.
pub const TEAM_FACES: usize = 3;

/// Up to [`TEAM_FACES`] active agents, those online first, then away, then the rest.
pub async fn team(
    state: &AppState,
    workspace_id: Uuid,
    present: &BTreeMap<Uuid, AgentStatus>,
) -> Result<Vec<AgentFace>> {
    let mut faces = picture::faces(&state.store, workspace_id, true).await?;
    let rank = |face: &AgentFace| match present.get(&face.id) {
        Some(AgentStatus::Online) => 0,
        Some(_) => 1,
        None => 2,
    };
    // Stable: among equals, the oldest agents (the team's core) come first.
    faces.sort_by_key(|(face, _)| rank(face));
    Ok(faces.into_iter().take(TEAM_FACES).map(|(face, _)| face).collect())
}

pub struct WidgetFacesApi;

#[OpenApi(prefix_path = "/widget", tag = "ApiTags::Widget")]
impl WidgetFacesApi {
    /// An agent's name and picture
    ///
    /// For the author of a reply (`author_id`): any agent of the site's workspace, also one
    /// deactivated since. Other ids answer 404.
    #[oai(path = "/agents/:agent_id", method = "get", operation_id = "getVisitorAgentFace")]
    async fn agent(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        #[oai(example = "crate::api_examples::id")] agent_id: Path<Uuid>,
    ) -> Result<Json<AgentFace>, ApiError> {
        Ok(Json(picture::face(&state.store, auth.0.workspace_id, *agent_id).await?))
    }
}
