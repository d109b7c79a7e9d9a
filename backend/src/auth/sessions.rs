//! Agent sessions: created at sign-in, presented as a cookie or bearer token, ended at
//! sign-out or when the agent is deactivated.

use std::time::Duration;

use openapi::agents::Role;
use uuid::Uuid;

use super::{
    Actor, Caller,
    token::{self, TokenKind},
};
use crate::{
    error::{Error, Result},
    on_pool,
    store::{Millis, Store, StoredEnum, now},
};

/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// A new session's secret token and expiry.
pub struct NewSession {
    pub token: String,
    pub expires_at: Millis,
}

/// Opens a session for an agent.
pub async fn create(store: &Store, workspace_id: Uuid, agent_id: Uuid) -> Result<NewSession> {
    let token = token::generate(TokenKind::Session);
    let created_at = now();
    let expires_at = created_at.plus(SESSION_LIFETIME);
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO sessions (id, workspace_id, agent_id, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(workspace_id)
        .bind(agent_id)
        .bind(token::hash(&token))
        .bind(created_at)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(NewSession { token, expires_at })
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    workspace_id: Uuid,
    agent_id: Uuid,
    role: String,
    active: bool,
    expires_at: Millis,
}

/// The caller behind a session token, if the session is live and its agent active.
pub async fn authenticate(store: &Store, token: &str) -> Result<Caller> {
    let row: Option<SessionRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT s.id, s.workspace_id, s.agent_id, a.role, a.active, s.expires_at
             FROM sessions s JOIN agents a ON a.id = s.agent_id
             WHERE s.token_hash = $1",
        )
        .bind(token::hash(token))
        .fetch_optional(pool)
        .await
    })?;
    let row = row.ok_or_else(|| Error::Unauthorized("unknown or signed-out session".into()))?;
    if row.expires_at <= now() {
        return Err(Error::Unauthorized("session expired; sign in again".into()));
    }
    if !row.active {
        return Err(Error::Unauthorized("this agent has been deactivated".into()));
    }
    let role = Role::from_db(&row.role)?;
    Ok(Caller {
        workspace_id: row.workspace_id,
        actor: Actor::Agent { agent_id: row.agent_id, role, session_id: row.id },
    })
}

/// Ends one session (sign-out).
pub async fn delete(store: &Store, workspace_id: Uuid, session_id: Uuid) -> Result<()> {
    on_pool!(store, |pool| {
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND workspace_id = $2")
            .bind(session_id)
            .bind(workspace_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Ends every session of an agent (deactivation).
pub async fn delete_all_for_agent(store: &Store, workspace_id: Uuid, agent_id: Uuid) -> Result<()> {
    on_pool!(store, |pool| {
        sqlx::query("DELETE FROM sessions WHERE agent_id = $1 AND workspace_id = $2")
            .bind(agent_id)
            .bind(workspace_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}
