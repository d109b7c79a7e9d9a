//! Agent sessions: created at sign-in, presented as a cookie or bearer token, ended at
//! sign-out, by their agent from the list of their sessions, by a password change (the
//! others) or reset (all), when the agent is deactivated — or by time: a session ends
//! after `idle` without use and, however busy, `absolute` after it began.

use std::time::Duration;

use openapi::agents::Role;
use uuid::Uuid;

use super::{
    Actor, Caller,
    token::{self, TokenKind},
};
use crate::{
    config::{ConfigError, Env, invalid},
    error::{Error, Result},
    on_pool, on_tx,
    store::{Millis, Store, StoredEnum, Tx, now},
};

/// How long sessions last (`RAPPORT_SESSION_IDLE_HOURS`, `RAPPORT_SESSION_MAX_DAYS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// Unused this long, a session has ended (default 3 days: a weekend away).
    pub idle: Duration,
    /// However used, a session ends this long after sign-in (default 14 days).
    pub absolute: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self { idle: Duration::from_secs(72 * 3600), absolute: Duration::from_secs(14 * 24 * 3600) }
    }
}

impl SessionSettings {
    pub(crate) fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let idle = Duration::from_secs(env.session_idle_hours.0 * 3600);
        let absolute = Duration::from_secs(env.session_max_days.0 * 86_400);
        if idle > absolute {
            return Err(invalid("RAPPORT_SESSION_IDLE_HOURS", "is longer than RAPPORT_SESSION_MAX_DAYS"));
        }
        Ok(Self { idle, absolute })
    }
}

/// How often `last_seen_at` is written: often enough for an idle lifetime counted in hours,
/// rarely enough that a busy console does not write on every request.
const SEEN_EVERY: Duration = Duration::from_secs(60);

/// A new session's secret token and expiry.
pub struct NewSession {
    pub id: Uuid,
    pub token: String,
    pub expires_at: Millis,
}

/// Where a session was opened from, shown in the agent's list of sessions.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub user_agent: Option<String>,
    pub client_ip: Option<String>,
}

impl Device {
    /// The device of a sign-in request.
    pub fn of(req: &poem::Request, client_ip: Option<std::net::IpAddr>) -> Self {
        let user_agent = req
            .headers()
            .get(poem::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().filter(|c| !c.is_control()).take(300).collect::<String>())
            .filter(|ua| !ua.is_empty());
        Self { user_agent, client_ip: client_ip.map(|ip| ip.to_string()) }
    }
}

/// Opens a session for an agent.
pub async fn create(
    store: &Store,
    settings: &SessionSettings,
    workspace_id: Uuid,
    agent_id: Uuid,
    device: &Device,
) -> Result<NewSession> {
    let token = token::generate(TokenKind::Session);
    let id = Uuid::now_v7();
    let created_at = now();
    let expires_at = created_at.plus(settings.absolute);
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO sessions (id, workspace_id, agent_id, token_hash, created_at, expires_at, last_seen_at, user_agent, client_ip)
             VALUES ($1, $2, $3, $4, $5, $6, $5, $7, $8)",
        )
        .bind(id)
        .bind(workspace_id)
        .bind(agent_id)
        .bind(token::hash(&token))
        .bind(created_at)
        .bind(expires_at)
        .bind(&device.user_agent)
        .bind(&device.client_ip)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(NewSession { id, token, expires_at })
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    workspace_id: Uuid,
    agent_id: Uuid,
    role: String,
    active: bool,
    expires_at: Millis,
    last_seen_at: Millis,
}

/// The caller behind a session token, if the session is live and its agent active. Using
/// it keeps it alive (`last_seen_at`).
pub async fn authenticate(store: &Store, settings: &SessionSettings, token: &str) -> Result<Caller> {
    let row: Option<SessionRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT s.id, s.workspace_id, s.agent_id, a.role, a.active, s.expires_at, s.last_seen_at
             FROM sessions s JOIN agents a ON a.id = s.agent_id
             WHERE s.token_hash = $1",
        )
        .bind(token::hash(token))
        .fetch_optional(pool)
        .await
    })?;
    let row = row.ok_or_else(|| Error::Unauthorized("unknown or signed-out session".into()))?;
    let now = now();
    if row.expires_at <= now {
        return Err(Error::Unauthorized("session expired; sign in again".into()));
    }
    if row.last_seen_at.plus(settings.idle) <= now {
        return Err(Error::Unauthorized("session ended after a time without use; sign in again".into()));
    }
    if !row.active {
        return Err(Error::Unauthorized("this agent has been deactivated".into()));
    }
    if row.last_seen_at.plus(SEEN_EVERY) <= now {
        on_pool!(store, |pool| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2")
                .bind(row.id)
                .bind(now)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    let role = Role::from_db(&row.role)?;
    Ok(Caller {
        workspace_id: row.workspace_id,
        actor: Actor::Agent { agent_id: row.agent_id, role, session_id: row.id },
    })
}

/// One of an agent's sessions, as they see it in their list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedSession {
    pub id: Uuid,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
    pub user_agent: Option<String>,
    pub client_ip: Option<String>,
}

/// An agent's live sessions, newest first.
pub async fn list(
    store: &Store,
    settings: &SessionSettings,
    workspace_id: Uuid,
    agent_id: Uuid,
    page: crate::pagination::PageRequest,
) -> Result<Vec<ListedSession>> {
    let now = now();
    // Seen since this instant: not idle-expired.
    let seen_after = Millis(now.0 - settings.idle.as_millis() as i64);
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT id, created_at, last_seen_at, expires_at, user_agent, client_ip FROM sessions
             WHERE workspace_id = $1 AND agent_id = $2 AND expires_at > $3 AND last_seen_at > $4
               AND ($5 IS NULL OR id < $5)
             ORDER BY id DESC LIMIT $6",
        )
        .bind(workspace_id)
        .bind(agent_id)
        .bind(now)
        .bind(seen_after)
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(pool)
        .await
    })?)
}

/// Ends one session (sign-out, or revoked from the list): `NotFound` when the agent has
/// no such session.
pub async fn delete(store: &Store, workspace_id: Uuid, agent_id: Uuid, session_id: Uuid) -> Result<()> {
    let deleted = on_pool!(store, |pool| {
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND workspace_id = $2 AND agent_id = $3")
            .bind(session_id)
            .bind(workspace_id)
            .bind(agent_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    if deleted == 0 {
        return Err(Error::NotFound("session"));
    }
    Ok(())
}

/// Ends every session of an agent but `keep` (a password change keeps the session that
/// made it, a reset keeps none), inside `tx`; returns the ids ended, so their sockets can
/// be closed.
pub async fn delete_all_for_agent_but(
    tx: &mut Tx,
    workspace_id: Uuid,
    agent_id: Uuid,
    keep: Option<Uuid>,
) -> Result<Vec<Uuid>> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "DELETE FROM sessions WHERE agent_id = $1 AND workspace_id = $2 AND ($3 IS NULL OR id <> $3) RETURNING id",
        )
        .bind(agent_id)
        .bind(workspace_id)
        .bind(keep)
        .fetch_all(conn)
        .await
    })?)
}

/// Ends every session of an agent (deactivation).
pub async fn delete_all_for_agent(store: &Store, workspace_id: Uuid, agent_id: Uuid) -> Result<()> {
    let mut tx = store.begin_write().await?;
    delete_all_for_agent_but(&mut tx, workspace_id, agent_id, None).await?;
    tx.commit().await?;
    Ok(())
}
