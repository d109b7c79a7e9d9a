//! `GET /presence`: who is online, for the console and integrations.

use openapi::presence::{AgentPresence, Presence, SitePresence};
use poem::web::Data;
use poem_openapi::{OpenApi, payload::Json};

use super::presence::{self, Roster};
use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, sites, state::AppState};

pub struct PresenceApi;

#[OpenApi(tag = "ApiTags::Presence")]
impl PresenceApi {
    /// Who is online
    ///
    /// Agents with the console open (with their status) and, per site, the visitors with
    /// the widget open.
    #[oai(path = "/presence", method = "get", operation_id = "getPresence")]
    async fn get(&self, state: Data<&AppState>, auth: WorkspaceAuth) -> Result<Json<Presence>, ApiError> {
        let workspace_id = auth.caller().workspace_id;
        let store = state.realtime.presence.as_ref();
        let agents = presence::agents(store, workspace_id)
            .await?
            .into_iter()
            .map(|(agent_id, status)| AgentPresence { agent_id, status })
            .collect();
        let mut sites = Vec::new();
        for site_id in sites::ids(&state.store, workspace_id).await? {
            let visitor_ids = store.members(Roster::SiteVisitors(site_id)).await?;
            if !visitor_ids.is_empty() {
                sites.push(SitePresence { site_id, visitor_ids });
            }
        }
        Ok(Json(Presence { agents, sites }))
    }
}
