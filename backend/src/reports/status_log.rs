//! The log of agents' status changes, for "time online".
//!
//! Presence itself is live state (in process or in Redis, with expiring members): it says
//! who is online now, not who was online yesterday. So whenever a node announces an
//! agent's effective status (a console connects, disconnects, or the agent picks online or
//! away), it appends the status here unless it equals the agent's last logged one. Nodes
//! share the database, so the log is one per system. A status lasts until the agent's next
//! row. Known limit: a node that crashes announces nothing, so its agents stay `online` in
//! the log until they next connect or disconnect somewhere.

use openapi::realtime::AgentStatus;
use uuid::Uuid;

use super::range::Scope;
use crate::{
    error::Result,
    on_pool,
    store::{Millis, Store, now},
};

fn as_db(status: AgentStatus) -> &'static str {
    match status {
        AgentStatus::Online => "online",
        AgentStatus::Away => "away",
        AgentStatus::Offline => "offline",
    }
}

/// Appends `status` for the agent, unless it is already the agent's last logged status.
pub async fn record(store: &Store, workspace_id: Uuid, agent_id: Uuid, status: AgentStatus) -> Result<()> {
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO agent_status_changes (workspace_id, agent_id, status, changed_at)
             SELECT $1, $2, $3, $4
             WHERE COALESCE((SELECT s.status FROM agent_status_changes s WHERE s.workspace_id = $1 AND s.agent_id = $2
                             ORDER BY s.changed_at DESC LIMIT 1), '') <> $3",
        )
        .bind(workspace_id)
        .bind(agent_id)
        .bind(as_db(status))
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Seconds the agent was `online` between the scope's start and its end (or now, when the
/// range reaches into the future).
pub async fn online_seconds(store: &Store, scope: &Scope, agent_id: Uuid) -> Result<i64> {
    let until = Millis(scope.end.0.min(now().0));
    if until <= scope.start {
        return Ok(0);
    }
    // The status the agent had when the range started, then every change inside it.
    let before: Option<String> = on_pool!(store, |pool| {
        sqlx::query_scalar(
            "SELECT status FROM agent_status_changes WHERE workspace_id = $1 AND agent_id = $2 AND changed_at < $3
             ORDER BY changed_at DESC LIMIT 1",
        )
        .bind(scope.workspace_id)
        .bind(agent_id)
        .bind(scope.start)
        .fetch_optional(pool)
        .await
    })?;
    let changes: Vec<(String, Millis)> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT status, changed_at FROM agent_status_changes
             WHERE workspace_id = $1 AND agent_id = $2 AND changed_at >= $3 AND changed_at < $4
             ORDER BY changed_at",
        )
        .bind(scope.workspace_id)
        .bind(agent_id)
        .bind(scope.start)
        .bind(until)
        .fetch_all(pool)
        .await
    })?;
    Ok(online_millis(before.as_deref(), &changes, scope.start, until) / 1000)
}

/// Milliseconds spent `online` from `start` to `until`, given the status before `start`
/// and the changes in between (in order).
fn online_millis(before: Option<&str>, changes: &[(String, Millis)], start: Millis, until: Millis) -> i64 {
    let mut online = before == Some("online");
    let mut since = start;
    let mut total = 0;
    for (status, at) in changes {
        if online {
            total += at.0 - since.0;
        }
        online = status == "online";
        since = *at;
    }
    if online {
        total += until.0 - since.0;
    }
    total.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_online_stretches_inside_the_range() {
        let changes = vec![("away".to_owned(), Millis(1_000)), ("online".to_owned(), Millis(5_000))];
        // Online before the range, away at 1 s, online again at 5 s until 10 s.
        assert_eq!(online_millis(Some("online"), &changes, Millis(0), Millis(10_000)), 6_000);
        assert_eq!(online_millis(None, &changes, Millis(0), Millis(10_000)), 5_000);
        assert_eq!(online_millis(Some("offline"), &[], Millis(0), Millis(10_000)), 0);
    }
}
