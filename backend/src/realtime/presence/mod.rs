//! Presence: who is online right now.
//!
//! Each live connection is a *member* of a presence set (visitors of a site, agents of a
//! workspace) with an expiry that its heartbeat keeps pushing forward. A connection that
//! closes cleanly leaves at once; one whose node crashed simply stops being refreshed and
//! expires after the TTL. An agent's chosen status (online/away) is kept per agent, and
//! counts only while at least one of their connections is live.
//!
//! - [`local`]: in-process (the default, one node).
//! - [`redis`]: Redis sorted sets scored by expiry time, shared by all nodes.

pub mod local;
pub mod redis;

use std::{collections::BTreeMap, time::Duration};

use futures_util::future::BoxFuture;
use openapi::realtime::AgentStatus;
use uuid::Uuid;

use crate::error::Result;

pub use self::{local::LocalPresence, redis::RedisPresence};

/// How long a connection stays present without a heartbeat.
pub const PRESENCE_TTL: Duration = Duration::from_secs(30);

/// A set of present members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Roster {
    /// Visitors with the widget open on one of a site's pages.
    SiteVisitors(Uuid),
    /// Agents with the console open in a workspace.
    WorkspaceAgents(Uuid),
}

impl std::fmt::Display for Roster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SiteVisitors(id) => write!(f, "site-visitors.{id}"),
            Self::WorkspaceAgents(id) => write!(f, "workspace-agents.{id}"),
        }
    }
}

/// The storage behind presence. Members are (person, connection) pairs so one person's
/// several tabs or devices are tracked independently.
pub trait PresenceStore: Send + Sync + 'static {
    /// Marks `connection_id` of `member` present in `roster` for `ttl` from now.
    fn touch(&self, roster: Roster, member: Uuid, connection_id: Uuid, ttl: Duration) -> BoxFuture<'_, Result<()>>;

    /// Removes one connection at once (clean close).
    fn leave(&self, roster: Roster, member: Uuid, connection_id: Uuid) -> BoxFuture<'_, Result<()>>;

    /// The members of `roster` with at least one unexpired connection, each once.
    fn members(&self, roster: Roster) -> BoxFuture<'_, Result<Vec<Uuid>>>;

    /// Remembers an agent's chosen status (online or away).
    fn set_status(&self, workspace_id: Uuid, agent_id: Uuid, status: AgentStatus) -> BoxFuture<'_, Result<()>>;

    /// Chosen statuses of a workspace's agents (absent: never chosen, i.e. online).
    fn statuses(&self, workspace_id: Uuid) -> BoxFuture<'_, Result<BTreeMap<Uuid, AgentStatus>>>;
}

/// Agents of `workspace_id` who are not offline, with their status.
pub async fn agents(store: &dyn PresenceStore, workspace_id: Uuid) -> Result<BTreeMap<Uuid, AgentStatus>> {
    let present = store.members(Roster::WorkspaceAgents(workspace_id)).await?;
    let chosen = store.statuses(workspace_id).await?;
    Ok(present
        .into_iter()
        .map(|agent_id| (agent_id, chosen.get(&agent_id).copied().unwrap_or(AgentStatus::Online)))
        .filter(|(_, status)| *status != AgentStatus::Offline)
        .collect())
}

/// One agent's effective status.
pub async fn agent_status(store: &dyn PresenceStore, workspace_id: Uuid, agent_id: Uuid) -> Result<AgentStatus> {
    Ok(agents(store, workspace_id).await?.get(&agent_id).copied().unwrap_or(AgentStatus::Offline))
}
