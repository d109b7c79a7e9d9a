//! `/sites`: widget installations, and their embed snippet.

use openapi::audit::AuditAction;
use openapi::sites::{EmbedSnippet, NewSite, Site, SitePage, SiteUpdate};
use poem::{Request, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    api::ApiTags,
    audit::{self, Target},
    auth::WorkspaceAuth,
    error::ApiError,
    pagination::PageRequest,
    state::AppState,
};

pub struct SitesApi;

#[derive(ApiResponse)]
enum Created {
    /// The site was created.
    #[oai(status = 201)]
    Created(Json<Site>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// The site is gone.
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(prefix_path = "/sites", tag = "ApiTags::Sites")]
impl SitesApi {
    /// List sites
    #[oai(path = "/", method = "get", operation_id = "listSites")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<SitePage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::list(&state.store, auth.caller().workspace_id, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        Ok(Json(SitePage { items: rows.iter().map(|row| row.to_wire(auth.caller())).collect(), next_cursor }))
    }

    /// Create a site
    ///
    /// Owners and admins only.
    #[oai(path = "/", method = "post", operation_id = "createSite")]
    async fn create(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        body: Json<NewSite>,
    ) -> Result<Created, ApiError> {
        let site = super::create(&state.store, auth.caller(), &body).await?.to_wire(auth.caller());
        let summary = format!("Created the site {}", site.name);
        let changes = audit::changes(None::<&Site>, Some(&site));
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::SiteCreated,
            Target::new("site", site.id),
            summary,
            changes,
        )
        .await;
        Ok(Created::Created(Json(site)))
    }

    /// Get a site
    #[oai(path = "/:site_id", method = "get", operation_id = "getSite")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
    ) -> Result<Json<Site>, ApiError> {
        Ok(Json(super::get(&state.store, auth.caller().workspace_id, *site_id).await?.to_wire(auth.caller())))
    }

    /// Update a site
    ///
    /// Owners and admins only.
    #[oai(path = "/:site_id", method = "patch", operation_id = "updateSite")]
    async fn update(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
        body: Json<SiteUpdate>,
    ) -> Result<Json<Site>, ApiError> {
        // Permission first: a refused caller learns nothing about what exists.
        auth.caller().require_admin()?;
        let before = super::get(&state.store, auth.caller().workspace_id, *site_id).await?.to_wire(auth.caller());
        let after = super::update(&state.store, auth.caller(), *site_id, &body).await?.to_wire(auth.caller());
        let changes = audit::changes(Some(&before), Some(&after));
        let summary = audit::changed(&format!("the site {}", before.name), &changes);
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::SiteUpdated,
            Target::new("site", after.id),
            summary,
            changes,
        )
        .await;
        Ok(Json(after))
    }

    /// Delete a site
    ///
    /// Owners and admins only. Refused with `site_has_conversations` once the site has
    /// any conversation.
    #[oai(path = "/:site_id", method = "delete", operation_id = "deleteSite")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
    ) -> Result<Deleted, ApiError> {
        // Permission first: a refused caller learns nothing about what exists.
        auth.caller().require_admin()?;
        let before = super::get(&state.store, auth.caller().workspace_id, *site_id).await?.to_wire(auth.caller());
        super::delete(&state.store, auth.caller(), *site_id).await?;
        let summary = format!("Deleted the site {}", before.name);
        let changes = audit::changes(Some(&before), None::<&Site>);
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::SiteDeleted,
            Target::new("site", before.id),
            summary,
            changes,
        )
        .await;
        Ok(Deleted::Deleted)
    }

    /// The snippet to paste into the site's pages
    #[oai(path = "/:site_id/embed", method = "get", operation_id = "getSiteEmbed")]
    async fn embed(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] site_id: Path<Uuid>,
    ) -> Result<Json<EmbedSnippet>, ApiError> {
        let site = super::get(&state.store, auth.caller().workspace_id, *site_id).await?;
        Ok(Json(EmbedSnippet { html: super::embed_snippet(&state.settings.public_url, &site) }))
    }
}
