//! Redis presence, shared by all nodes.
//!
//! A roster is a sorted set `{prefix}presence:{roster}` of `"{member}/{connection}"`
//! entries scored by their expiry time (unix milliseconds): reading the live members is a
//! range query, and a crashed node's connections simply age out. The whole key also
//! expires, so a roster nobody touches any more vanishes on its own. Chosen agent
//! statuses are a hash `{prefix}agent-status:{workspace}` of agent → status.
//!
//! Expiry times come from the clock of the node that writes them and are compared with
//! the clock of the node that reads them, so node clocks must agree (NTP) to well within
//! [`super::PRESENCE_TTL`]; a skew of `s` only makes a connection linger or vanish `s` early.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use futures_util::{FutureExt, future::BoxFuture};
use openapi::realtime::AgentStatus;
use redis::{Client, aio::ConnectionManager};
use uuid::Uuid;

use super::{PresenceStore, Roster};
use crate::error::{Error, Result};

/// The presence store of a multi-node deployment. Cheap to clone.
#[derive(Clone)]
pub struct RedisPresence {
    /// Multiplexed connection that reconnects on its own.
    connection: ConnectionManager,
    /// Namespaces keys, so several deployments (or test runs) can share a Redis.
    prefix: Arc<str>,
}

impl RedisPresence {
    /// Connects at once, so a wrong URL fails at start-up rather than on first use.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        let client =
            Client::open(url).map_err(|error| Error::Internal(format!("invalid Redis URL for presence: {error}")))?;
        let connection = ConnectionManager::new(client)
            .await
            .map_err(|error| Error::Internal(format!("connecting presence to Redis: {error}")))?;
        Ok(Self { connection, prefix: prefix.into() })
    }

    fn roster_key(&self, roster: Roster) -> String {
        format!("{}presence:{roster}", self.prefix)
    }

    fn status_key(&self, workspace_id: Uuid) -> String {
        format!("{}agent-status:{workspace_id}", self.prefix)
    }
}

/// Milliseconds since the unix epoch on this node's clock (see the module docs).
fn now_ms() -> i64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// A roster entry: one connection of one member.
fn entry(member: Uuid, connection_id: Uuid) -> String {
    format!("{member}/{connection_id}")
}

/// Drops a roster's expired entries; an entry expiring exactly `now` is gone, as in the
/// local store.
fn sweep(key: &str, now: i64) -> redis::Cmd {
    let mut command = redis::cmd("ZREMRANGEBYSCORE");
    command.arg(key).arg("-inf").arg(now);
    command
}

/// Wraps a Redis failure with what was being done, for the logs.
fn failed(what: &str, key: &str) -> impl FnOnce(redis::RedisError) -> Error {
    let context = format!("{what} ({key})");
    move |error| Error::Internal(format!("Redis presence: {context}: {error}"))
}

impl PresenceStore for RedisPresence {
    fn touch(&self, roster: Roster, member: Uuid, connection_id: Uuid, ttl: Duration) -> BoxFuture<'_, Result<()>> {
        let key = self.roster_key(roster);
        let mut connection = self.connection.clone();
        async move {
            // At least 1 ms: PEXPIRE 0 would delete the roster outright.
            let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
            let now = now_ms();
            // One transaction, so the key never lingers without an expiry. Callers use one
            // TTL (PRESENCE_TTL), so the latest touch always holds the latest expiry and
            // resetting the key's expiry to it never cuts another connection short.
            let mut transaction = redis::pipe();
            transaction.atomic();
            // Sweep here too, so a busy roster never holds more than its live connections.
            transaction.add_command(sweep(&key, now)).ignore();
            transaction
                .cmd("ZADD")
                .arg(&key)
                .arg(now.saturating_add(ttl_ms))
                .arg(entry(member, connection_id))
                .ignore();
            transaction.cmd("PEXPIRE").arg(&key).arg(ttl_ms).ignore();
            transaction.exec_async(&mut connection).await.map_err(failed("touching", &key))
        }
        .boxed()
    }

    fn leave(&self, roster: Roster, member: Uuid, connection_id: Uuid) -> BoxFuture<'_, Result<()>> {
        let key = self.roster_key(roster);
        let mut connection = self.connection.clone();
        async move {
            redis::cmd("ZREM")
                .arg(&key)
                .arg(entry(member, connection_id))
                .exec_async(&mut connection)
                .await
                .map_err(failed("leaving", &key))
        }
        .boxed()
    }

    fn members(&self, roster: Roster) -> BoxFuture<'_, Result<Vec<Uuid>>> {
        let key = self.roster_key(roster);
        let mut connection = self.connection.clone();
        async move {
            let now = now_ms();
            let mut transaction = redis::pipe();
            transaction.atomic();
            transaction.add_command(sweep(&key, now)).ignore();
            transaction.cmd("ZRANGEBYSCORE").arg(&key).arg(format!("({now}")).arg("+inf");
            let (entries,): (Vec<String>,) =
                transaction.query_async(&mut connection).await.map_err(failed("reading members", &key))?;
            let mut members: Vec<Uuid> = entries
                .iter()
                .filter_map(|entry| {
                    let member = entry.split_once('/').and_then(|(member, _)| Uuid::parse_str(member).ok());
                    if member.is_none() {
                        tracing::warn!(key, entry, "skipping an unreadable presence entry");
                    }
                    member
                })
                .collect();
            members.sort_unstable();
            members.dedup();
            Ok(members)
        }
        .boxed()
    }

    fn set_status(&self, workspace_id: Uuid, agent_id: Uuid, status: AgentStatus) -> BoxFuture<'_, Result<()>> {
        let key = self.status_key(workspace_id);
        let mut connection = self.connection.clone();
        async move {
            redis::cmd("HSET")
                .arg(&key)
                .arg(agent_id.to_string())
                .arg(status.as_str())
                .exec_async(&mut connection)
                .await
                .map_err(failed("setting a status", &key))
        }
        .boxed()
    }

    fn statuses(&self, workspace_id: Uuid) -> BoxFuture<'_, Result<BTreeMap<Uuid, AgentStatus>>> {
        let key = self.status_key(workspace_id);
        let mut connection = self.connection.clone();
        async move {
            let fields: HashMap<String, String> = redis::cmd("HGETALL")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .map_err(failed("reading statuses", &key))?;
            Ok(fields
                .into_iter()
                .filter_map(|(agent, status)| {
                    let parsed = Uuid::parse_str(&agent).ok().zip(AgentStatus::parse(&status));
                    if parsed.is_none() {
                        tracing::warn!(key, agent, status, "skipping an unreadable agent status");
                    }
                    parsed
                })
                .collect())
        }
        .boxed()
    }
}
