//! Teams: named groups of agents in a workspace, the unit conversations are routed to.

pub mod api;

use openapi::{
    routing::RoutingPolicy,
    teams::{Team, TeamInput},
};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::{Error, Result},
    input, on_pool, on_tx,
    pagination::PageRequest,
    store::{Millis, Store, StoredEnum, Tx, is_unique_violation, now},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamRow {
    pub id: Uuid,
    pub name: String,
    pub routing_policy: Option<String>,
    pub created_at: Millis,
}

fn to_wire(row: TeamRow, member_ids: Vec<Uuid>) -> Result<Team> {
    Ok(Team {
        id: row.id,
        name: row.name,
        member_ids,
        routing_policy: row.routing_policy.as_deref().map(RoutingPolicy::from_db).transpose()?,
        created_at: row.created_at.to_utc(),
    })
}

fn name_taken(name: &str) -> Error {
    Error::conflict("team_name_taken", format!("a team named `{name}` already exists"))
}

/// Replaces a team's members, after checking each is an agent of the workspace.
async fn set_members(tx: &mut Tx, workspace_id: Uuid, team_id: Uuid, member_ids: &[Uuid]) -> Result<()> {
    for agent_id in member_ids {
        let found: Option<Uuid> = on_tx!(&mut *tx, |conn| {
            sqlx::query_scalar("SELECT id FROM agents WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id)
                .bind(agent_id)
                .fetch_optional(conn)
                .await
        })?;
        if found.is_none() {
            return Err(Error::invalid("member_ids", format!("{agent_id} is not an agent of this workspace")));
        }
    }
    on_tx!(&mut *tx, |conn| {
        sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND workspace_id = $2")
            .bind(team_id)
            .bind(workspace_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    for agent_id in member_ids {
        on_tx!(&mut *tx, |conn| {
            sqlx::query(
                "INSERT INTO team_members (team_id, agent_id, workspace_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(team_id)
            .bind(agent_id)
            .bind(workspace_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

async fn members(store: &Store, workspace_id: Uuid, team_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(on_pool!(store, |pool| {
        sqlx::query_scalar(
            "SELECT agent_id FROM team_members WHERE workspace_id = $1 AND team_id = $2 ORDER BY agent_id",
        )
        .bind(workspace_id)
        .bind(team_id)
        .fetch_all(pool)
        .await
    })?)
}

pub async fn create(store: &Store, caller: &Caller, input: &TeamInput) -> Result<Team> {
    caller.require_admin()?;
    let name = input::name("name", &input.name, 100)?;
    let row = TeamRow {
        id: Uuid::now_v7(),
        name,
        routing_policy: input.routing_policy.map(|p| p.as_db().to_owned()),
        created_at: now(),
    };
    let mut tx = store.begin_write().await?;
    let inserted = on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO teams (id, workspace_id, name, routing_policy, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(row.id)
        .bind(caller.workspace_id)
        .bind(&row.name)
        .bind(&row.routing_policy)
        .bind(row.created_at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    });
    match inserted {
        Err(err) if is_unique_violation(&err) => return Err(name_taken(&row.name)),
        other => other?,
    };
    set_members(&mut tx, caller.workspace_id, row.id, &input.member_ids).await?;
    tx.commit().await?;
    get(store, caller.workspace_id, row.id).await
}

pub async fn get(store: &Store, workspace_id: Uuid, id: Uuid) -> Result<Team> {
    let row: Option<TeamRow> = on_pool!(store, |pool| {
        sqlx::query_as("SELECT id, name, routing_policy, created_at FROM teams WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    let row = row.ok_or(Error::NotFound("team"))?;
    let member_ids = members(store, workspace_id, id).await?;
    to_wire(row, member_ids)
}

pub async fn list(store: &Store, workspace_id: Uuid, page: PageRequest) -> Result<Vec<Team>> {
    let rows: Vec<TeamRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT id, name, routing_policy, created_at FROM teams WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3",
        )
        .bind(workspace_id)
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(pool)
        .await
    })?;
    let mut teams = Vec::with_capacity(rows.len());
    for row in rows {
        let member_ids = members(store, workspace_id, row.id).await?;
        teams.push(to_wire(row, member_ids)?);
    }
    Ok(teams)
}

/// Renames a team, replaces its members and sets its routing policy (absent: the site's).
pub async fn update(store: &Store, caller: &Caller, id: Uuid, input: &TeamInput) -> Result<Team> {
    caller.require_admin()?;
    let name = input::name("name", &input.name, 100)?;
    let mut tx = store.begin_write().await?;
    let updated = on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE teams SET name = $3, routing_policy = $4 WHERE workspace_id = $1 AND id = $2")
            .bind(caller.workspace_id)
            .bind(id)
            .bind(&name)
            .bind(input.routing_policy.map(|p| p.as_db()))
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    });
    match updated {
        Err(err) if is_unique_violation(&err) => return Err(name_taken(&name)),
        Err(err) => return Err(err.into()),
        Ok(0) => return Err(Error::NotFound("team")),
        Ok(_) => {}
    }
    set_members(&mut tx, caller.workspace_id, id, &input.member_ids).await?;
    tx.commit().await?;
    get(store, caller.workspace_id, id).await
}

/// Deletes a team; its conversations keep their history and lose the team.
pub async fn delete(store: &Store, caller: &Caller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    let mut tx = store.begin_write().await?;
    crate::conversations::assignment::leave_team(&mut tx, caller.workspace_id, id).await?;
    let done = on_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM teams WHERE workspace_id = $1 AND id = $2")
            .bind(caller.workspace_id)
            .bind(id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    tx.commit().await?;
    if done == 0 { Err(Error::NotFound("team")) } else { Ok(()) }
}
