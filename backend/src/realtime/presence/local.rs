//! In-process presence with the same expiry rules as the Redis one.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Mutex,
    time::{Duration, Instant},
};

use futures_util::{FutureExt, future::BoxFuture};
use openapi::realtime::AgentStatus;
use uuid::Uuid;

use super::{PresenceStore, Roster};
use crate::error::Result;

/// (member, connection) → when it expires.
type Entries = HashMap<(Uuid, Uuid), Instant>;

#[derive(Default)]
pub struct LocalPresence {
    rosters: Mutex<HashMap<Roster, Entries>>,
    statuses: Mutex<HashMap<Uuid, BTreeMap<Uuid, AgentStatus>>>,
}

impl LocalPresence {
    pub fn new() -> Self {
        Self::default()
    }
}

impl PresenceStore for LocalPresence {
    fn touch(&self, roster: Roster, member: Uuid, connection_id: Uuid, ttl: Duration) -> BoxFuture<'_, Result<()>> {
        let mut rosters = self.rosters.lock().expect("presence lock");
        let now = Instant::now();
        let entries = rosters.entry(roster).or_default();
        // Sweep here so a roster never holds more than its live connections for long.
        entries.retain(|_, expiry| *expiry > now);
        entries.insert((member, connection_id), now + ttl);
        async { Ok(()) }.boxed()
    }

    fn leave(&self, roster: Roster, member: Uuid, connection_id: Uuid) -> BoxFuture<'_, Result<()>> {
        let mut rosters = self.rosters.lock().expect("presence lock");
        if let Some(entries) = rosters.get_mut(&roster) {
            entries.remove(&(member, connection_id));
            if entries.is_empty() {
                rosters.remove(&roster);
            }
        }
        async { Ok(()) }.boxed()
    }

    fn members(&self, roster: Roster) -> BoxFuture<'_, Result<Vec<Uuid>>> {
        let rosters = self.rosters.lock().expect("presence lock");
        let now = Instant::now();
        let mut members: Vec<Uuid> = rosters
            .get(&roster)
            .map(|entries| {
                entries.iter().filter(|(_, expiry)| **expiry > now).map(|((member, _), _)| *member).collect()
            })
            .unwrap_or_default();
        members.sort_unstable();
        members.dedup();
        async move { Ok(members) }.boxed()
    }

    fn set_status(&self, workspace_id: Uuid, agent_id: Uuid, status: AgentStatus) -> BoxFuture<'_, Result<()>> {
        self.statuses.lock().expect("presence lock").entry(workspace_id).or_default().insert(agent_id, status);
        async { Ok(()) }.boxed()
    }

    fn statuses(&self, workspace_id: Uuid) -> BoxFuture<'_, Result<BTreeMap<Uuid, AgentStatus>>> {
        let statuses = self.statuses.lock().expect("presence lock").get(&workspace_id).cloned().unwrap_or_default();
        async move { Ok(statuses) }.boxed()
    }
}
