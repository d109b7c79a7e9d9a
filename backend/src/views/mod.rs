//! Saved views: an agent's own named filters over conversations (status, assignee, team,
//! site, label, priority). Each agent sees, creates and deletes only their own.

pub mod api;

use openapi::views::{ConversationFilters, NewSavedView, SavedView};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::{Error, Result},
    input, on_pool,
    store::{Millis, Store, now},
};

const MAX_NAME_CHARS: usize = 60;
/// Views per agent: a navigation list, not a database.
const MAX_VIEWS: i64 = 50;

#[derive(Debug, Clone, sqlx::FromRow)]
struct ViewRow {
    id: Uuid,
    name: String,
    filters: String,
    created_at: Millis,
}

impl ViewRow {
    fn to_wire(&self) -> SavedView {
        SavedView {
            id: self.id,
            name: self.name.clone(),
            filters: serde_json::from_str(&self.filters).unwrap_or_default(),
            created_at: self.created_at.to_utc(),
        }
    }
}

/// Filters that name only this workspace's agents, teams and sites, with a sane label.
async fn check_filters(
    store: &Store,
    workspace_id: Uuid,
    filters: &ConversationFilters,
) -> Result<ConversationFilters> {
    let mut filters = filters.clone();
    let checks = [
        (filters.assignee_id, "SELECT COUNT(*) FROM agents WHERE workspace_id = $1 AND id = $2", "filters.assignee_id"),
        (filters.team_id, "SELECT COUNT(*) FROM teams WHERE workspace_id = $1 AND id = $2", "filters.team_id"),
        (filters.site_id, "SELECT COUNT(*) FROM sites WHERE workspace_id = $1 AND id = $2", "filters.site_id"),
    ];
    for (id, sql, field) in checks {
        let Some(id) = id else { continue };
        let found: i64 =
            on_pool!(store, |pool| sqlx::query_scalar(sql).bind(workspace_id).bind(id).fetch_one(pool).await)?;
        if found == 0 {
            return Err(Error::invalid(field, "is not one of this workspace's"));
        }
    }
    if let Some(label) = &filters.label {
        filters.label = Some(input::name("filters.label", label, crate::conversations::MAX_LABEL_CHARS)?);
    }
    if filters.unassigned == Some(true) && filters.assignee_id.is_some() {
        return Err(Error::invalid("filters.unassigned", "cannot go with an assignee"));
    }
    Ok(filters)
}

pub async fn list(store: &Store, caller: &Caller) -> Result<Vec<SavedView>> {
    let agent_id = caller.agent_id()?;
    let rows: Vec<ViewRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT id, name, filters, created_at FROM saved_views WHERE workspace_id = $1 AND agent_id = $2 ORDER BY id",
        )
        .bind(caller.workspace_id)
        .bind(agent_id)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.iter().map(ViewRow::to_wire).collect())
}

pub async fn create(store: &Store, caller: &Caller, new: &NewSavedView) -> Result<SavedView> {
    let agent_id = caller.agent_id()?;
    let name = input::name("name", &new.name, MAX_NAME_CHARS)?;
    let filters = check_filters(store, caller.workspace_id, &new.filters).await?;
    let held: i64 = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM saved_views WHERE agent_id = $1").bind(agent_id).fetch_one(pool).await
    })?;
    if held >= MAX_VIEWS {
        return Err(Error::conflict("too_many_views", format!("at most {MAX_VIEWS} saved views per agent")));
    }
    let row = ViewRow {
        id: Uuid::now_v7(),
        name,
        filters: serde_json::to_string(&filters).expect("filters serialise"),
        created_at: now(),
    };
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO saved_views (id, workspace_id, agent_id, name, filters, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(row.id)
        .bind(caller.workspace_id)
        .bind(agent_id)
        .bind(&row.name)
        .bind(&row.filters)
        .bind(row.created_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(row.to_wire())
}

/// Deletes one of the caller's own views (another agent's is "not found").
pub async fn delete(store: &Store, caller: &Caller, id: Uuid) -> Result<()> {
    let agent_id = caller.agent_id()?;
    let done = on_pool!(store, |pool| {
        sqlx::query("DELETE FROM saved_views WHERE workspace_id = $1 AND agent_id = $2 AND id = $3")
            .bind(caller.workspace_id)
            .bind(agent_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    if done == 0 { Err(Error::NotFound("saved view")) } else { Ok(()) }
}
