//! The report queries: what is stored about the conversations a scope covers. Figures are
//! computed from these facts in [`super::figures`], in Rust, so both engines agree exactly.
//!
//! Every query is bounded by `workspace_id` and the range's start and end, which the index
//! `conversations_started (workspace_id, created_at)` serves (on PostgreSQL it includes
//! every column read here, so the scan never visits the table).

use uuid::Uuid;

use super::range::Scope;
use crate::{
    error::{Error, Result},
    on_pool,
    store::{Millis, Store},
};

/// One conversation started in the range.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationFacts {
    pub id: Uuid,
    pub site_id: Uuid,
    pub created_at: Millis,
    pub assignee_id: Option<Uuid>,
    pub status: String,
    pub first_response_at: Option<Millis>,
    pub resolved_at: Option<Millis>,
    pub first_assigned_at: Option<Millis>,
    /// The visitor's rating, 1 to 5.
    pub score: Option<i64>,
    /// Text messages visitors and agents wrote (kept by a trigger, see migration 0006).
    pub text_messages: i64,
    /// The first response in business time, when the report counts business hours.
    #[sqlx(skip)]
    pub business_first_response_ms: Option<i64>,
}

impl ConversationFacts {
    pub fn is_resolved(&self) -> bool {
        self.status == "resolved"
    }
    pub fn answered(&self) -> bool {
        self.first_response_at.is_some()
    }
    /// Resolved without any agent reply.
    pub fn missed(&self) -> bool {
        !self.answered() && self.is_resolved()
    }
    pub fn first_response_ms(&self) -> Option<i64> {
        self.business_first_response_ms.or_else(|| self.first_response_at.map(|at| (at.0 - self.created_at.0).max(0)))
    }
    pub fn resolution_ms(&self) -> Option<i64> {
        self.resolved_at.filter(|_| self.is_resolved()).map(|at| (at.0 - self.created_at.0).max(0))
    }
    pub fn queue_wait_ms(&self) -> Option<i64> {
        self.first_assigned_at.map(|at| (at.0 - self.created_at.0).max(0))
    }
}

// The filters are `($n IS NULL OR column = $n)` so one statement serves every combination.
macro_rules! cohort {
    () => {
        " FROM conversations c LEFT JOIN conversation_ratings r ON r.conversation_id = c.id
          WHERE c.workspace_id = $1 AND c.created_at >= $2 AND c.created_at < $3
            AND ($4 IS NULL OR c.site_id = $4) AND ($5 IS NULL OR c.team_id = $5) AND ($6 IS NULL OR c.assignee_id = $6)"
    };
}

/// The conversations started in a scope. Parameters: workspace, start, end, site, team,
/// agent (public for the benchmark's query plans). Ratings are joined rather than looked
/// up per row: one hash join instead of a probe per conversation.
pub const CONVERSATIONS_SQL: &str = concat!(
    "SELECT c.id, c.site_id, c.created_at, c.assignee_id, c.status, c.first_response_at, c.resolved_at,
            c.first_assigned_at, r.score, c.text_messages",
    cohort!()
);

/// The conversations started in the scope.
pub async fn conversations(store: &Store, scope: &Scope) -> Result<Vec<ConversationFacts>> {
    let filters = scope.filters;
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(CONVERSATIONS_SQL)
            .bind(scope.workspace_id)
            .bind(scope.start)
            .bind(scope.end)
            .bind(filters.site_id)
            .bind(filters.team_id)
            .bind(filters.agent_id)
            .fetch_all(pool)
            .await
    })?)
}

/// An agent who handled a conversation of the scope: replied to the visitor, resolved
/// it, or both (see migration 0033).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandlerFacts {
    pub conversation_id: Uuid,
    pub agent_id: Uuid,
    pub replied_at: Option<Millis>,
    pub resolved_at: Option<Millis>,
}

/// Who handled the conversations started in the scope.
pub async fn handlers(store: &Store, scope: &Scope) -> Result<Vec<HandlerFacts>> {
    let filters = scope.filters;
    let sql = "SELECT h.conversation_id, h.agent_id, h.replied_at, h.resolved_at FROM conversation_handlers h
         JOIN conversations c ON c.id = h.conversation_id
         WHERE c.workspace_id = $1 AND c.created_at >= $2 AND c.created_at < $3
           AND ($4 IS NULL OR c.site_id = $4) AND ($5 IS NULL OR c.team_id = $5) AND ($6 IS NULL OR c.assignee_id = $6)";
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(scope.workspace_id)
            .bind(scope.start)
            .bind(scope.end)
            .bind(filters.site_id)
            .bind(filters.team_id)
            .bind(filters.agent_id)
            .fetch_all(pool)
            .await
    })?)
}

/// An agent listed in the per-agent table.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentName {
    pub id: Uuid,
    pub name: String,
}

/// The workspace's agents the scope covers: all, the team's members, or the one agent.
pub async fn agents(store: &Store, scope: &Scope) -> Result<Vec<AgentName>> {
    let filters = scope.filters;
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT a.id, a.name FROM agents a WHERE a.workspace_id = $1 AND ($2 IS NULL OR a.id = $2)
               AND ($3 IS NULL OR a.id IN (SELECT t.agent_id FROM team_members t WHERE t.team_id = $3 AND t.workspace_id = $1))
             ORDER BY a.name, a.id",
        )
        .bind(scope.workspace_id)
        .bind(filters.agent_id)
        .bind(filters.team_id)
        .fetch_all(pool)
        .await
    })?)
}

/// Refuses filter ids that are not the workspace's (404, like any foreign id).
pub async fn check_filters(store: &Store, scope: &Scope) -> Result<()> {
    let checks: [(Option<Uuid>, &'static str, &'static str); 3] = [
        (scope.filters.site_id, "SELECT COUNT(*) FROM sites WHERE workspace_id = $1 AND id = $2", "site"),
        (scope.filters.team_id, "SELECT COUNT(*) FROM teams WHERE workspace_id = $1 AND id = $2", "team"),
        (scope.filters.agent_id, "SELECT COUNT(*) FROM agents WHERE workspace_id = $1 AND id = $2", "agent"),
    ];
    for (id, sql, what) in checks {
        let Some(id) = id else { continue };
        let found: i64 = on_pool!(store, |pool| {
            sqlx::query_scalar(sql).bind(scope.workspace_id).bind(id).fetch_one(pool).await
        })?;
        if found == 0 {
            return Err(Error::NotFound(what));
        }
    }
    Ok(())
}

/// The workspace's time zone name.
pub async fn time_zone(store: &Store, workspace_id: Uuid) -> Result<String> {
    let zone: Option<String> = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT time_zone FROM workspaces WHERE id = $1")
            .bind(workspace_id)
            .fetch_optional(pool)
            .await
    })?;
    zone.ok_or(Error::NotFound("workspace"))
}
