//! `/visitors`: list, get, update attributes.

use openapi::visitors::{PageView, PageViewPage, Visitor, VisitorPage, VisitorUpdate};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, pagination::PageRequest, state::AppState};

pub struct VisitorsApi;

#[derive(ApiResponse)]
enum Revoked {
    /// The token no longer works.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/visitors", tag = "ApiTags::Visitors")]
impl VisitorsApi {
    /// List visitors
    ///
    /// Newest first. With `ids`, exactly those visitors of the workspace (unknown ids are
    /// left out), oldest first and on one page: how a console fetches the visitors of a
    /// page of conversations in one request.
    #[oai(path = "/", method = "get", operation_id = "listVisitors")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
        /// Up to 200 visitor ids separated by commas.
        ids: Query<Option<String>>,
    ) -> Result<Json<VisitorPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let workspace_id = auth.caller().workspace_id;
        if let Some(ids) = ids.0.as_deref() {
            let rows = super::get_many(&state.store, workspace_id, &super::parse_ids(ids)?).await?;
            return Ok(Json(VisitorPage {
                items: rows.iter().map(super::VisitorRow::to_wire).collect(),
                next_cursor: None,
            }));
        }
        let rows = super::list(&state.store, workspace_id, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        Ok(Json(VisitorPage { items: rows.iter().map(super::VisitorRow::to_wire).collect(), next_cursor }))
    }

    /// Get a visitor
    #[oai(path = "/:visitor_id", method = "get", operation_id = "getVisitor")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] visitor_id: Path<Uuid>,
    ) -> Result<Json<Visitor>, ApiError> {
        Ok(Json(super::get(&state.store, auth.caller().workspace_id, *visitor_id).await?.to_wire()))
    }

    /// The pages a visitor viewed
    ///
    /// As the widget reported them while the visitor browsed the site, newest first.
    #[oai(path = "/:visitor_id/pages", method = "get", operation_id = "listVisitorPages")]
    async fn pages(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] visitor_id: Path<Uuid>,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<PageViewPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::pages(&state.store, auth.caller().workspace_id, *visitor_id, page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let items = rows
            .into_iter()
            .map(|row| PageView { url: row.url, title: row.title, viewed_at: row.viewed_at.to_utc() })
            .collect();
        Ok(Json(PageViewPage { items, next_cursor }))
    }

    /// Revoke a visitor's token
    ///
    /// The token stops working at once and the visitor's open sockets close (a stolen or
    /// abused widget session). Their conversations stay; a new widget session starts a
    /// new visitor.
    #[oai(path = "/:visitor_id/revoke", method = "post", operation_id = "revokeVisitor")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] visitor_id: Path<Uuid>,
    ) -> Result<Revoked, ApiError> {
        let caller = auth.caller();
        caller.require_write()?;
        super::revoke(&state.store, caller.workspace_id, *visitor_id).await?;
        crate::realtime::publish::visitor_revoked(&state, *visitor_id).await;
        Ok(Revoked::Done)
    }

    /// Update a visitor's name, email or attributes
    ///
    /// Attributes are merged; a key set to `null` is removed.
    #[oai(path = "/:visitor_id", method = "patch", operation_id = "updateVisitor")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] visitor_id: Path<Uuid>,
        body: Json<VisitorUpdate>,
    ) -> Result<Json<Visitor>, ApiError> {
        let caller = auth.caller();
        caller.require_write()?;
        Ok(Json(super::update(&state.store, caller.workspace_id, *visitor_id, &body).await?.to_wire()))
    }
}
