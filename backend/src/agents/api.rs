//! `/agents`: list, create or invite, get, update (role, capacity, deactivate).

use openapi::{
    agents::{Agent, AgentPage, AgentUpdate, CreatedAgent, NewAgent},
    audit::AuditAction,
};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    account::notices::{self, Joined},
    api::ApiTags,
    audit::{self, Target},
    auth::WorkspaceAuth,
    error::ApiError,
    pagination::PageRequest,
    state::AppState,
};

pub struct AgentsApi;

#[derive(ApiResponse)]
enum Created {
    /// The agent was created (or invited).
    #[oai(status = 201)]
    Created(Json<CreatedAgent>),
}

#[OpenApi(prefix_path = "/agents", tag = "ApiTags::Agents")]
impl AgentsApi {
    /// List agents
    #[oai(path = "/", method = "get", operation_id = "listAgents")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<AgentPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::list(&state.store, auth.caller().workspace_id, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let items = rows.iter().map(|row| row.to_wire()).collect::<Result<_, _>>()?;
        Ok(Json(AgentPage { items, next_cursor }))
    }

    /// Create or invite an agent
    ///
    /// Owners and admins only. Without a password the agent is invited: a link to choose
    /// their password (`{public_url}/console/?invitation=<token>`, good once, for 7 days)
    /// is mailed to them, and the response carries its token too, to hand over another way. An address already in this workspace is
    /// `email_taken`; one used in other workspaces is answered like any other (it becomes
    /// another account of that address, with its own password), unless it is in 5
    /// already (`too_many_accounts`).
    #[oai(path = "/", method = "post", operation_id = "createAgent")]
    async fn create(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        body: Json<NewAgent>,
    ) -> Result<Created, ApiError> {
        let (row, invitation_token) = super::create(&state.store, auth.caller(), &body).await?;
        match &invitation_token {
            Some(token) => notices::invite(&state, auth.caller(), &row, token.clone()),
            None => notices::joined(&state, &row, Joined::Added),
        }
        let agent = row.to_wire()?;
        let (action, verb) = match invitation_token {
            Some(_) => (AuditAction::AgentInvited, "Invited"),
            None => (AuditAction::AgentCreated, "Added"),
        };
        let summary = format!("{verb} {} <{}> as {}", agent.name, agent.email, row.role);
        let changes = audit::changes(None::<&Agent>, Some(&agent));
        audit::log(&state, req, auth.caller(), action, Target::new("agent", agent.id), summary, changes).await;
        Ok(Created::Created(Json(CreatedAgent { agent, invitation_token })))
    }

    /// Get an agent
    #[oai(path = "/:agent_id", method = "get", operation_id = "getAgent")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] agent_id: Path<Uuid>,
    ) -> Result<Json<Agent>, ApiError> {
        let row = super::get(&state.store, auth.caller().workspace_id, *agent_id).await?;
        Ok(Json(row.to_wire()?))
    }

    /// Update an agent's name, role, capacity or status
    ///
    /// Owners and admins only. Deactivating signs the agent out everywhere.
    #[oai(path = "/:agent_id", method = "patch", operation_id = "updateAgent")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        req: &Request,
        #[oai(example = "crate::api_examples::id")] agent_id: Path<Uuid>,
        body: Json<AgentUpdate>,
    ) -> Result<Json<Agent>, ApiError> {
        // Permission first: a refused caller learns nothing about what exists.
        auth.caller().require_admin()?;
        let before = super::get(&state.store, auth.caller().workspace_id, *agent_id).await?.to_wire()?;
        let row = super::update(&state.store, auth.caller(), *agent_id, &body).await?;
        if !row.active {
            crate::realtime::publish::agent_deactivated(&state, row.workspace_id, row.id).await;
        }
        let after = row.to_wire()?;
        let changes = audit::changes(Some(&before), Some(&after));
        let summary = audit::changed(&format!("agent {} <{}>", before.name, before.email), &changes);
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::AgentUpdated,
            Target::new("agent", row.id),
            summary,
            changes,
        )
        .await;
        Ok(Json(after))
    }
}
