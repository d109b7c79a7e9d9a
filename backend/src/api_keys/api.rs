//! `/api-keys`: create (secret shown once), list, revoke.

use openapi::{
    api_keys::{ApiKey, ApiKeyPage, CreatedApiKey, NewApiKey},
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
    api::ApiTags,
    audit::{self, Target},
    auth::WorkspaceAuth,
    error::ApiError,
    pagination::PageRequest,
    state::AppState,
};

pub struct ApiKeysApi;

#[derive(ApiResponse)]
enum Created {
    /// The key and its secret; store the secret now, it is not shown again.
    #[oai(status = 201)]
    Created(Json<CreatedApiKey>),
}

#[OpenApi(prefix_path = "/api-keys", tag = "ApiTags::ApiKeys")]
impl ApiKeysApi {
    /// List API keys
    ///
    /// Owners and admins only. Secrets are never returned.
    #[oai(path = "/", method = "get", operation_id = "listApiKeys")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// From the previous page's `next_cursor`.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<ApiKeyPage>, ApiError> {
        let page = PageRequest::parse(cursor.as_deref(), *limit)?;
        let rows = super::list(&state.store, auth.caller(), page).await?;
        let (rows, next_cursor) = page.finish(rows, |row| row.id);
        let items = rows.iter().map(|row| row.to_wire()).collect::<Result<_, _>>()?;
        Ok(Json(ApiKeyPage { items, next_cursor }))
    }

    /// Create an API key
    ///
    /// Owners and admins only.
    #[oai(path = "/", method = "post", operation_id = "createApiKey")]
    async fn create(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        body: Json<NewApiKey>,
    ) -> Result<Created, ApiError> {
        let (row, secret) = super::create(&state.store, auth.caller(), &body.name, body.scope).await?;
        let key = row.to_wire()?;
        let summary = format!("Created API key {} ({})", key.name, row.scope);
        let changes = audit::changes(None::<&ApiKey>, Some(&key));
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::ApiKeyCreated,
            Target::new("api_key", key.id),
            summary,
            changes,
        )
        .await;
        Ok(Created::Created(Json(CreatedApiKey { api_key: key, secret })))
    }

    /// Revoke an API key
    ///
    /// Owners and admins only. Takes effect on the next request made with the key.
    #[oai(path = "/:key_id/revoke", method = "post", operation_id = "revokeApiKey")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] key_id: Path<Uuid>,
    ) -> Result<Json<ApiKey>, ApiError> {
        let row = super::revoke(&state.store, auth.caller(), *key_id).await?;
        let key = row.to_wire()?;
        let summary = format!("Revoked API key {}", key.name);
        audit::log(
            &state,
            req,
            auth.caller(),
            AuditAction::ApiKeyRevoked,
            Target::new("api_key", key.id),
            summary,
            vec![],
        )
        .await;
        Ok(Json(key))
    }
}
