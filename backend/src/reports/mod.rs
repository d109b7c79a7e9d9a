//! Reports: how the support team is doing, over a range of days.
//!
//! Layout:
//! - [`range`]: days and the workspace's time zone, parsed into the stored time they span.
//! - [`facts`]: the queries (conversations started in range with their ratings, agents).
//! - [`figures`]: the figures computed from those facts (counts, daily rows, heat map).
//! - [`percentile`]: exact nearest-rank percentiles, the same on both engines.
//! - [`status_log`]: agents' status changes, for time online.
//! - [`csv`]: CSV export of the tables.
//! - [`api`]: `/reports/…`. The time zone is set with `PATCH /workspace` ([`crate::workspaces`]).
//!
//! Who may read reports: owners, admins and API keys (read or write). Plain agents may
//! not: the per-agent table compares colleagues, which is a lead's view, not a peer's.

pub mod api;
pub mod csv;
pub mod facts;
pub mod figures;
pub mod percentile;
pub mod range;
pub mod status_log;

use std::collections::HashMap;

use openapi::{
    agents::Role,
    reports::{AgentFigures, AgentReport, BusiestHours, DailyReport, ReportSummary},
};

use uuid::Uuid;

use self::range::{Filters, Scope, Zone};
use crate::{
    auth::{Actor, Caller},
    error::{Error, Result},
    store::{Millis, Store, now},
};

/// Owners, admins and API keys read reports; plain agents do not (see the module docs).
pub fn require_reader(caller: &Caller) -> Result<()> {
    match caller.actor {
        Actor::Agent { role: Role::Owner | Role::Admin, .. } | Actor::ApiKey { .. } => Ok(()),
        Actor::Agent { .. } => Err(Error::Forbidden("reports are for owners and admins".into())),
    }
}

/// The raw query of a report request.
#[derive(Debug, Default, Clone)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub filters: Filters,
}

/// Checks the caller, parses the range in the workspace's zone, and checks the filters.
pub async fn scope(store: &Store, caller: &Caller, query: &ReportQuery) -> Result<Scope> {
    require_reader(caller)?;
    let zone = Zone::stored(&facts::time_zone(store, caller.workspace_id).await?);
    let scope = Scope::parse(caller.workspace_id, zone, query.from.as_deref(), query.to.as_deref(), query.filters)?;
    facts::check_filters(store, &scope).await?;
    Ok(scope)
}

pub async fn summary(store: &Store, scope: &Scope) -> Result<ReportSummary> {
    let conversations = facts::conversations(store, scope).await?;
    let messages = conversations.iter().map(|c| c.text_messages.max(0) as u64).sum();
    Ok(figures::summary(scope, &conversations, messages))
}

pub async fn daily(store: &Store, scope: &Scope) -> Result<DailyReport> {
    let conversations = facts::conversations(store, scope).await?;
    Ok(DailyReport { range: scope.to_wire(), days: figures::daily(scope, &conversations) })
}

pub async fn busiest_hours(store: &Store, scope: &Scope) -> Result<BusiestHours> {
    let conversations = facts::conversations(store, scope).await?;
    Ok(figures::busiest_hours(scope, &conversations))
}

/// One row per agent the scope covers, by name.
pub async fn agents(store: &Store, scope: &Scope) -> Result<AgentReport> {
    let conversations = facts::conversations(store, scope).await?;
    let now = now();
    // One pass over the conversations, not one per agent.
    let mut by_assignee: HashMap<Uuid, Vec<&facts::ConversationFacts>> = HashMap::new();
    for conversation in &conversations {
        if let Some(agent) = conversation.assignee_id {
            by_assignee.entry(agent).or_default().push(conversation);
        }
    }
    let mut rows = Vec::new();
    for agent in facts::agents(store, scope).await? {
        let theirs = by_assignee.remove(&agent.id).unwrap_or_default();
        let mut first: Vec<i64> = theirs.iter().filter_map(|c| c.first_response_ms()).collect();
        first.sort_unstable();
        let open_spans = theirs.iter().map(|c| {
            let start = c.first_assigned_at.unwrap_or(c.created_at);
            let end = c.resolved_at.filter(|_| c.is_resolved()).unwrap_or(Millis(now.0.max(start.0)));
            (start, end)
        });
        rows.push(AgentFigures {
            agent_id: agent.id,
            name: agent.name,
            conversations_handled: theirs.len() as u64,
            median_first_response_seconds: percentile::nearest_rank(&first, 50).map(|ms| ms / 1000),
            csat: figures::csat(theirs.iter().copied()),
            online_seconds: status_log::online_seconds(store, scope, agent.id).await?,
            peak_concurrent: figures::peak_concurrent(open_spans),
        });
    }
    Ok(AgentReport { range: scope.to_wire(), agents: rows })
}
