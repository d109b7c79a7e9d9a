//! The router: a task on every node that keeps the queue moving.
//!
//! Each pass it (1) opens snoozed conversations whose time has come, (2) hands waiting
//! conversations under an automatic policy to available agents, (3) puts the conversations
//! of agents gone longer than the grace period back in the queue, and (4) tells waiting
//! visitors their new place in line. It runs when this node nudges it (a conversation
//! started, an agent came online…) and on a fixed tick, which is how it notices what
//! happened on other nodes.
//!
//! Nodes run it concurrently without coordinating: assignment is a conditional update that
//! only one of them can win (see [`super`]), and returning a conversation is idempotent.

use std::{
    collections::{BTreeMap, HashMap, HashSet, hash_map::Entry},
    time::Instant,
};

use openapi::{
    realtime::AgentStatus,
    routing::{QueueStatus, RoutingPolicy},
};
use uuid::Uuid;

use super::{Assignment, queue};
use crate::{
    conversations::{self, ConversationRow},
    error::Result,
    on_pool,
    realtime::{presence, publish},
    state::AppState,
    store::{Store, StoredEnum},
};

/// How many waiting conversations one pass looks at (the oldest).
const PASS_LIMIT: i64 = 1_000;

/// Runs until the server shuts down.
pub async fn run(state: AppState) {
    let mut router = Router { state: state.clone(), gone_since: HashMap::new(), told: HashMap::new() };
    let mut shutdown = state.realtime.shutdown_signal();
    let interval = state.settings.routing_interval;
    loop {
        if let Err(err) = router.pass().await {
            tracing::warn!(error = %err, "routing pass failed; retrying on the next tick");
        }
        tokio::select! {
            _ = state.routing.nudged() => {}
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

struct Router {
    state: AppState,
    /// Agents holding open conversations while absent, since when this node noticed.
    gone_since: HashMap<(Uuid, Uuid), Instant>,
    /// The queue status each waiting visitor was last told by this node.
    told: HashMap<Uuid, QueueStatus>,
}

/// A waiting conversation under an automatic policy.
#[derive(Debug, sqlx::FromRow)]
struct Waiting {
    id: Uuid,
    workspace_id: Uuid,
    team_id: Option<Uuid>,
    policy: String,
}

/// An agent who could take a conversation.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Candidate {
    id: Uuid,
    capacity: i32,
    last_assigned_at: i64,
}

impl Router {
    async fn pass(&mut self) -> Result<()> {
        self.wake_snoozed().await?;
        self.assign_waiting().await?;
        self.return_from_absent_agents().await?;
        self.tell_waiting_visitors().await
    }

    /// Snoozed conversations whose time has come open again: with their agent if they have
    /// one, otherwise back in the queue.
    async fn wake_snoozed(&self) -> Result<()> {
        let store = &self.state.store;
        let now = crate::store::now();
        if !conversations::assignment::any_snooze_due(store, now).await? {
            return Ok(());
        }
        let mut tx = store.begin_write().await?;
        conversations::assignment::wake_snoozed(&mut tx, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn assign_waiting(&mut self) -> Result<()> {
        let store = &self.state.store;
        let waiting: Vec<Waiting> = on_pool!(store, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.workspace_id, c.team_id, COALESCE(t.routing_policy, s.routing_policy) AS policy
                 FROM conversations c JOIN sites s ON s.id = c.site_id LEFT JOIN teams t ON t.id = c.team_id
                 WHERE c.queued_at IS NOT NULL AND c.status = 'open' AND c.assignee_id IS NULL
                   AND COALESCE(t.routing_policy, s.routing_policy) <> 'manual'
                 ORDER BY c.queued_at, c.id LIMIT $1",
            )
            .bind(PASS_LIMIT)
            .fetch_all(pool)
            .await
        })?;
        let mut by_workspace: BTreeMap<Uuid, Vec<Waiting>> = BTreeMap::new();
        for conversation in waiting {
            by_workspace.entry(conversation.workspace_id).or_default().push(conversation);
        }
        for (workspace_id, waiting) in by_workspace {
            self.assign_in_workspace(workspace_id, waiting).await?;
        }
        Ok(())
    }

    async fn assign_in_workspace(&self, workspace_id: Uuid, waiting: Vec<Waiting>) -> Result<()> {
        let store = &self.state.store;
        let online: HashSet<Uuid> = match presence::agents(self.state.realtime.presence.as_ref(), workspace_id).await {
            Ok(agents) => agents.into_iter().filter(|(_, s)| *s == AgentStatus::Online).map(|(id, _)| id).collect(),
            Err(err) => {
                tracing::warn!(%workspace_id, error = %err, "presence unavailable; not routing this pass");
                return Ok(());
            }
        };
        if online.is_empty() {
            return Ok(());
        }
        let mut candidates: Vec<Candidate> = on_pool!(store, |pool| {
            sqlx::query_as(
                "SELECT id, capacity, last_assigned_at FROM agents WHERE workspace_id = $1 AND active = TRUE",
            )
            .bind(workspace_id)
            .fetch_all(pool)
            .await
        })?;
        candidates.retain(|agent| online.contains(&agent.id));
        let mut load: HashMap<Uuid, i64> = open_loads(store, workspace_id).await?;
        let teams = team_members(store, workspace_id).await?;

        for conversation in waiting {
            let policy = RoutingPolicy::from_db(&conversation.policy).unwrap_or_default();
            let mut eligible: Vec<&mut Candidate> = candidates
                .iter_mut()
                .filter(|agent| i64::from(agent.capacity) > load.get(&agent.id).copied().unwrap_or(0))
                .filter(|agent| match conversation.team_id {
                    Some(team_id) => teams.contains(&(team_id, agent.id)),
                    None => true,
                })
                .collect();
            match policy {
                RoutingPolicy::LeastBusy => eligible
                    .sort_by_key(|agent| (load.get(&agent.id).copied().unwrap_or(0), agent.last_assigned_at, agent.id)),
                RoutingPolicy::RoundRobin => eligible.sort_by_key(|agent| (agent.last_assigned_at, agent.id)),
                RoutingPolicy::Manual => continue,
            }
            for agent in eligible {
                match super::assign_within_capacity(store, workspace_id, conversation.id, agent.id).await? {
                    Assignment::Assigned(_) => {
                        *load.entry(agent.id).or_default() += 1;
                        agent.last_assigned_at = crate::store::now().0;
                        break;
                    }
                    // Full after all (another node's assignment): not a candidate this pass.
                    Assignment::AgentUnavailable => {
                        load.insert(agent.id, i64::from(agent.capacity));
                    }
                    Assignment::ConversationTaken => break,
                }
            }
        }
        Ok(())
    }

    /// Conversations of agents absent (no live console, or set to offline) for longer than
    /// the grace period go back to the queue. Away agents keep theirs.
    async fn return_from_absent_agents(&mut self) -> Result<()> {
        let store = &self.state.store;
        let holders: Vec<(Uuid, Uuid)> = on_pool!(store, |pool| {
            sqlx::query_as(
                "SELECT DISTINCT workspace_id, assignee_id FROM conversations WHERE status = 'open' AND assignee_id IS NOT NULL",
            )
            .fetch_all(pool)
            .await
        })?;
        let mut by_workspace: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for (workspace_id, agent_id) in holders {
            by_workspace.entry(workspace_id).or_default().push(agent_id);
        }
        let mut still_gone = HashSet::new();
        let grace = self.state.settings.agent_offline_grace;
        for (workspace_id, agents) in by_workspace {
            // Unknown presence is not absence: never empty a team's inboxes because Redis
            // hiccupped.
            let Ok(present) = presence::agents(self.state.realtime.presence.as_ref(), workspace_id).await else {
                still_gone.extend(self.gone_since.keys().filter(|(w, _)| *w == workspace_id).copied());
                continue;
            };
            for agent_id in agents.into_iter().filter(|id| !present.contains_key(id)) {
                let key = (workspace_id, agent_id);
                let since = *self.gone_since.entry(key).or_insert_with(Instant::now);
                if since.elapsed() < grace {
                    still_gone.insert(key);
                    continue;
                }
                let name = match crate::agents::get(store, workspace_id, agent_id).await {
                    Ok(agent) => agent.name,
                    Err(_) => "the agent".to_owned(),
                };
                super::return_to_queue(store, workspace_id, agent_id, &name).await?;
            }
        }
        self.gone_since.retain(|key, _| still_gone.contains(key));
        Ok(())
    }

    /// Sends each waiting visitor their place in line when it changed, and a last status
    /// (no position) when their conversation left the queue.
    async fn tell_waiting_visitors(&mut self) -> Result<()> {
        let store = &self.state.store;
        let sql = concat!(
            "SELECT ",
            conversations::columns!(),
            " FROM conversations WHERE queued_at IS NOT NULL AND status = 'open' AND assignee_id IS NULL
             ORDER BY queued_at, id LIMIT $1"
        );
        let rows: Vec<ConversationRow> =
            on_pool!(store, |pool| sqlx::query_as(sql).bind(PASS_LIMIT).fetch_all(pool).await)?;
        let mut waits: HashMap<Uuid, Option<i64>> = HashMap::new();
        let mut available: HashMap<Uuid, usize> = HashMap::new();
        let mut now_waiting = HashSet::new();
        for (row, position) in queue::with_positions(rows) {
            now_waiting.insert(row.id);
            if let Entry::Vacant(wait) = waits.entry(row.site_id) {
                wait.insert(queue::recent_wait_ms(store, row.workspace_id, row.site_id).await?);
            }
            if let Entry::Vacant(agents) = available.entry(row.workspace_id) {
                let count = presence::agents(self.state.realtime.presence.as_ref(), row.workspace_id)
                    .await
                    .map(|agents| agents.values().filter(|s| **s == AgentStatus::Online).count())
                    .unwrap_or(0);
                agents.insert(count);
            }
            let status = queue::status(&row, Some(position), waits[&row.site_id], available[&row.workspace_id]);
            if self.told.get(&row.id) != Some(&status) {
                publish::queue_status(&self.state, row.visitor_id, status.clone()).await;
                self.told.insert(row.id, status);
            }
        }
        let left: Vec<Uuid> = self.told.keys().filter(|id| !now_waiting.contains(id)).copied().collect();
        for conversation_id in left {
            self.told.remove(&conversation_id);
            // Their visitor learns from the `conversation` frame that an agent has it; this
            // clears any "you are number N" the widget still shows.
            if let Some(row) = find(store, conversation_id).await? {
                let status = QueueStatus { conversation_id, position: None, estimated_wait_secs: None };
                publish::queue_status(&self.state, row.visitor_id, status).await;
            }
        }
        Ok(())
    }
}

/// Open conversations per assigned agent.
async fn open_loads(store: &Store, workspace_id: Uuid) -> Result<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT assignee_id, COUNT(*) FROM conversations
             WHERE workspace_id = $1 AND status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id",
        )
        .bind(workspace_id)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().collect())
}

/// (team, agent) pairs of a workspace.
async fn team_members(store: &Store, workspace_id: Uuid) -> Result<HashSet<(Uuid, Uuid)>> {
    let rows: Vec<(Uuid, Uuid)> = on_pool!(store, |pool| {
        sqlx::query_as("SELECT team_id, agent_id FROM team_members WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().collect())
}

/// A conversation by id alone (the router works across workspaces).
async fn find(store: &Store, id: Uuid) -> Result<Option<ConversationRow>> {
    let sql = concat!("SELECT ", conversations::columns!(), " FROM conversations WHERE id = $1");
    Ok(on_pool!(store, |pool| sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?)
}
