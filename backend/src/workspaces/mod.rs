//! Workspaces: the tenants. Created together with their owner, by sign-up or the CLI.

pub mod api;

use openapi::{
    agents::Role,
    auth::{Workspace, WorkspaceUpdate},
};
use uuid::Uuid;

use crate::{
    agents::{self, AgentRow, NewAgent},
    auth::Caller,
    error::{Error, Result},
    input::{self, Email},
    on_pool, on_tx,
    store::{Millis, Store, now},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    /// Days after their last activity conversations are deleted; `None` keeps them.
    pub retention_days: Option<i32>,
    pub created_at: Millis,
}

impl From<WorkspaceRow> for Workspace {
    fn from(row: WorkspaceRow) -> Self {
        Workspace {
            id: row.id,
            name: row.name,
            time_zone: row.time_zone,
            retention_days: row.retention_days.and_then(|days| u32::try_from(days).ok()),
            created_at: row.created_at.to_utc(),
        }
    }
}

/// A workspace and its first agent, the owner, as sign-up asks for them.
pub struct NewWorkspace {
    pub workspace_name: String,
    pub owner_name: String,
    pub owner_email: Email,
    pub owner_password: String,
}

impl NewWorkspace {
    pub fn parse(workspace_name: &str, owner_name: &str, owner_email: &str, owner_password: &str) -> Result<Self> {
        crate::auth::password::validate(owner_password)?;
        Ok(Self {
            workspace_name: input::name("workspace_name", workspace_name, 100)?,
            owner_name: input::name("name", owner_name, 100)?,
            owner_email: Email::parse("email", owner_email)?,
            owner_password: owner_password.to_owned(),
        })
    }
}

/// Creates the workspace and its owner in one transaction: both exist or neither.
pub async fn create(store: &Store, new: NewWorkspace) -> Result<(WorkspaceRow, AgentRow)> {
    let password_hash = crate::auth::password::hash(&new.owner_password).await?;
    let workspace = WorkspaceRow {
        id: Uuid::now_v7(),
        name: new.workspace_name,
        time_zone: "UTC".to_owned(),
        retention_days: None,
        created_at: now(),
    };
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(workspace.id)
            .bind(&workspace.name)
            .bind(workspace.created_at)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    let owner = agents::insert(
        &mut tx,
        workspace.id,
        NewAgent {
            name: new.owner_name,
            email: new.owner_email,
            role: Role::Owner,
            capacity: agents::DEFAULT_CAPACITY,
            password_hash: Some(password_hash),
        },
        None,
    )
    .await?;
    tx.commit().await?;
    Ok((workspace, owner))
}

pub async fn get(store: &Store, id: Uuid) -> Result<WorkspaceRow> {
    let row = on_pool!(store, |pool| {
        sqlx::query_as("SELECT id, name, time_zone, retention_days, created_at FROM workspaces WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    row.ok_or(Error::NotFound("workspace"))
}

/// Changes the workspace's settings (owners and admins); absent fields keep their value.
pub async fn update_settings(store: &Store, caller: &Caller, update: &WorkspaceUpdate) -> Result<WorkspaceRow> {
    caller.require_admin()?;
    // Parse everything before writing anything: a refused request changes nothing.
    let time_zone =
        update.time_zone.as_deref().map(|name| crate::reports::range::Zone::parse("time_zone", name)).transpose()?;
    let retention_days = match update.retention_days {
        None => None,
        Some(0) => Some(None),
        Some(days @ 1..=3650) => Some(Some(days as i32)),
        Some(_) => return Err(Error::invalid("retention_days", "must be 0 (keep forever) or 1 to 3650 days")),
    };
    if let Some(days) = retention_days {
        on_pool!(store, |pool| {
            sqlx::query("UPDATE workspaces SET retention_days = $2 WHERE id = $1")
                .bind(caller.workspace_id)
                .bind(days)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    if let Some(zone) = time_zone {
        on_pool!(store, |pool| {
            sqlx::query("UPDATE workspaces SET time_zone = $2 WHERE id = $1")
                .bind(caller.workspace_id)
                .bind(&zone.name)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    get(store, caller.workspace_id).await
}
