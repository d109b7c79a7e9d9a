//! `GET /visitors/{id}/export`, `POST /visitors/{id}/erase`: data-access and erasure
//! requests, for owners and admins.

use openapi::{
    audit::AuditAction,
    privacy::{VisitorErased, VisitorExport},
};
use poem::{Request, web::Data};
use poem_openapi::{OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{
    api::ApiTags,
    audit::{self, Target},
    auth::WorkspaceAuth,
    error::ApiError,
    state::AppState,
};

pub struct PrivacyApi;

#[OpenApi(prefix_path = "/visitors", tag = "ApiTags::Visitors")]
impl PrivacyApi {
    /// Export everything about a visitor
    ///
    /// For a data-access request: the visitor's profile and attributes, every conversation
    /// with all its messages (notes included), files (with download links valid for an
    /// hour or two) and rating, the pages they viewed, and the mail about them or to their
    /// address. Owners and admins only; recorded in the audit log.
    #[oai(path = "/:visitor_id/export", method = "get", operation_id = "exportVisitor")]
    async fn export(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] visitor_id: Path<Uuid>,
    ) -> Result<Json<VisitorExport>, ApiError> {
        let caller = auth.caller();
        caller.require_admin()?;
        let export = super::export(&state.store, caller.workspace_id, *visitor_id).await?;
        let summary = format!("Exported everything about visitor {}", *visitor_id);
        let target = Target::new("visitor", *visitor_id);
        audit::log(&state, req, caller, AuditAction::VisitorExported, target, summary, vec![]).await;
        Ok(Json(export))
    }

    /// Erase a visitor
    ///
    /// For an erasure request: deletes the visitor and everything about them — their
    /// conversations with every message, file and rating, mail about them or to their
    /// address, the pages they viewed — in one transaction; their token stops working and
    /// their sockets close. Answers what was deleted. Owners and admins only; recorded in
    /// the audit log (without personal data).
    #[oai(path = "/:visitor_id/erase", method = "post", operation_id = "eraseVisitor")]
    async fn erase(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] visitor_id: Path<Uuid>,
    ) -> Result<Json<VisitorErased>, ApiError> {
        let caller = auth.caller();
        caller.require_admin()?;
        let erased = super::erase(&state.store, caller.workspace_id, *visitor_id).await?;
        crate::realtime::publish::visitor_revoked(&state, *visitor_id).await;
        let summary = format!(
            "Erased visitor {}: {} conversation(s), {} message(s), {} file(s), {} mail(s), {} page view(s), {} rating(s)",
            *visitor_id,
            erased.conversations,
            erased.messages,
            erased.attachments,
            erased.mails,
            erased.pages,
            erased.ratings
        );
        let target = Target::new("visitor", *visitor_id);
        audit::log(&state, req, caller, AuditAction::VisitorErased, target, summary, vec![]).await;
        Ok(Json(erased))
    }
}
