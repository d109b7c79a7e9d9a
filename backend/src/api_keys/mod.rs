//! Workspace API keys: shown once at creation, stored as a SHA-256 hash, revocable.

pub mod api;

use openapi::api_keys::{ApiKey, ApiKeyScope};
use uuid::Uuid;

use crate::{
    auth::{Actor, Caller, token},
    error::{Error, Result},
    input, on_pool,
    pagination::PageRequest,
    store::{Millis, Store, StoredEnum, now},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

macro_rules! columns {
    () => {
        "id, workspace_id, name, prefix, scope, created_at, last_used_at, revoked_at"
    };
}

impl ApiKeyRow {
    pub fn to_wire(&self) -> Result<ApiKey> {
        Ok(ApiKey {
            id: self.id,
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            scope: ApiKeyScope::from_db(&self.scope)?,
            created_at: self.created_at.to_utc(),
            last_used_at: self.last_used_at.map(Millis::to_utc),
            revoked_at: self.revoked_at.map(Millis::to_utc),
        })
    }
}

/// Creates a key; returns it with its secret, which is never retrievable again.
pub async fn create(store: &Store, caller: &Caller, name: &str, scope: ApiKeyScope) -> Result<(ApiKeyRow, String)> {
    caller.require_admin()?;
    let name = input::name("name", name, 100)?;
    let secret = token::generate(token::TokenKind::ApiKey);
    let row = ApiKeyRow {
        id: Uuid::now_v7(),
        workspace_id: caller.workspace_id,
        name,
        prefix: secret.chars().take(10).collect(),
        scope: scope.as_db().to_owned(),
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, scope, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(row.id)
        .bind(row.workspace_id)
        .bind(&row.name)
        .bind(&row.prefix)
        .bind(token::hash(&secret))
        .bind(&row.scope)
        .bind(row.created_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok((row, secret))
}

/// Keys newest first.
pub async fn list(store: &Store, caller: &Caller, page: PageRequest) -> Result<Vec<ApiKeyRow>> {
    caller.require_admin()?;
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM api_keys WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(caller.workspace_id).bind(page.after).bind(page.fetch_limit()).fetch_all(pool).await
    })?)
}

/// Revokes a key at once: the next request with it is refused. Revoking twice is harmless.
pub async fn revoke(store: &Store, caller: &Caller, id: Uuid) -> Result<ApiKeyRow> {
    caller.require_admin()?;
    let sql = concat!(
        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let row = on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(caller.workspace_id).bind(id).bind(now()).fetch_optional(pool).await
    })?;
    row.ok_or(Error::NotFound("API key"))
}

#[derive(sqlx::FromRow)]
struct KeyAuthRow {
    id: Uuid,
    workspace_id: Uuid,
    scope: String,
    revoked_at: Option<Millis>,
}

/// The caller behind an API key secret.
pub async fn authenticate(store: &Store, secret: &str) -> Result<Caller> {
    let row: Option<KeyAuthRow> = on_pool!(store, |pool| {
        sqlx::query_as("SELECT id, workspace_id, scope, revoked_at FROM api_keys WHERE key_hash = $1")
            .bind(token::hash(secret))
            .fetch_optional(pool)
            .await
    })?;
    let row = row.ok_or_else(|| Error::Unauthorized("unknown API key".into()))?;
    if row.revoked_at.is_some() {
        return Err(Error::Unauthorized("this API key has been revoked".into()));
    }
    // Recorded at most once a minute: a write per request would cost more than it tells.
    let now = now();
    on_pool!(store, |pool| {
        sqlx::query(
            "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(row.id)
        .bind(Millis(now.0 - 60_000))
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(Caller {
        workspace_id: row.workspace_id,
        actor: Actor::ApiKey { key_id: row.id, scope: ApiKeyScope::from_db(&row.scope)? },
    })
}
