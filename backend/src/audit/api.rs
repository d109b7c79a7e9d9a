//! `GET /audit-log`: owners and admins read who changed what.

use openapi::audit::{AuditAction, AuditEntryPage};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, pagination::PageRequest, state::AppState};

pub struct AuditApi;

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// Read the audit log
    ///
    /// Who changed what among the workspace's agents, roles, API keys, webhooks, sites and
    /// settings, and which visitors were exported or erased, newest first. Owners and
    /// admins only (API keys cannot read it).
    #[oai(path = "/audit-log", method = "get", operation_id = "listAuditLog")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// Only entries of this action.
        action: Query<Option<AuditAction>>,
        /// Only entries about this agent, key, webhook, site or visitor.
        target_id: Query<Option<Uuid>>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<AuditEntryPage>, ApiError> {
        let caller = auth.caller();
        caller.require_admin()?;
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let (items, next_cursor) = super::list(&state.store, caller.workspace_id, *action, *target_id, page).await?;
        Ok(Json(AuditEntryPage { items, next_cursor }))
    }
}
