//! Reports: how the support team is doing, over a range of days.
//!
//! Layout:
//! - [`range`]: days and the workspace's time zone, parsed into the stored time they span.
//! - [`facts`]: the queries (conversations started in range with their ratings, agents).
//! - [`figures`]: the figures computed from those facts (counts, daily rows, heat map).
//! - [`percentile`]: exact nearest-rank percentiles, the same on both engines.
//! - [`status_log`]: agents' status changes, for time online.
//! - [`handlers`]: who resolved a conversation (replies are credited by a trigger).
//! - [`csv`]: CSV export of the tables.
//! - [`api`]: `/reports/…`. The time zone is set with `PATCH /workspace` ([`crate::workspaces`]).
//!
//! Who may read reports: owners, admins and API keys (read or write). Plain agents may
//! not: the per-agent table compares colleagues, which is a lead's view, not a peer's.

pub mod api;
pub mod csv;
pub mod facts;
pub mod figures;
pub mod handlers;
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

/// The conversations of a scope, their first responses in business time when asked.
async fn conversations(store: &Store, scope: &Scope) -> Result<Vec<facts::ConversationFacts>> {
    let mut conversations = facts::conversations(store, scope).await?;
    if scope.filters.business_hours {
        let mut hours: HashMap<Uuid, crate::business_hours::SiteHours> = HashMap::new();
        for c in conversations.iter_mut() {
            let Some(first) = c.first_response_at else { continue };
            let site = match hours.entry(c.site_id) {
                std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(crate::business_hours::get(store, scope.workspace_id, c.site_id).await?)
                }
            };
            // A site without business hours counts wall-clock time, as it is always open.
            if site.enabled {
                let at = |m: Millis| jiff::Timestamp::from_millisecond(m.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
                let ms = site.schedule.business_ms(&site.zone.tz, at(c.created_at), at(first));
                c.business_first_response_ms = Some(ms);
            }
        }
    }
    Ok(conversations)
}

pub async fn summary(store: &Store, scope: &Scope) -> Result<ReportSummary> {
    let conversations = conversations(store, scope).await?;
    let messages = conversations.iter().map(|c| c.text_messages.max(0) as u64).sum();
    Ok(figures::summary(scope, &conversations, messages))
}

pub async fn daily(store: &Store, scope: &Scope) -> Result<DailyReport> {
    let conversations = conversations(store, scope).await?;
    Ok(DailyReport { range: scope.to_wire(), days: figures::daily(scope, &conversations) })
}

pub async fn busiest_hours(store: &Store, scope: &Scope) -> Result<BusiestHours> {
    let conversations = facts::conversations(store, scope).await?;
    Ok(figures::busiest_hours(scope, &conversations))
}

/// One row per agent the scope covers, by name. A conversation counts for every agent
/// who handled it (replied or resolved), so one handed over after a requeue credits
/// both; peak concurrency stays with the assignee.
pub async fn agents(store: &Store, scope: &Scope) -> Result<AgentReport> {
    let conversations = conversations(store, scope).await?;
    let by_id: HashMap<Uuid, &facts::ConversationFacts> = conversations.iter().map(|c| (c.id, c)).collect();
    let now = now();
    // One pass over the conversations and their handlers, not one per agent.
    let mut by_assignee: HashMap<Uuid, Vec<&facts::ConversationFacts>> = HashMap::new();
    for conversation in &conversations {
        if let Some(agent) = conversation.assignee_id {
            by_assignee.entry(agent).or_default().push(conversation);
        }
    }
    let mut by_handler: HashMap<Uuid, Vec<(&facts::ConversationFacts, facts::HandlerFacts)>> = HashMap::new();
    for handler in facts::handlers(store, scope).await? {
        if let Some(conversation) = by_id.get(&handler.conversation_id) {
            by_handler.entry(handler.agent_id).or_default().push((conversation, handler));
        }
    }
    let mut rows = Vec::new();
    for agent in facts::agents(store, scope).await? {
        let handled = by_handler.remove(&agent.id).unwrap_or_default();
        let assigned = by_assignee.remove(&agent.id).unwrap_or_default();
        // Their first responses: the conversations whose first reply was theirs.
        let mut first: Vec<i64> = handled
            .iter()
            .filter(|(c, h)| h.replied_at.is_some() && h.replied_at == c.first_response_at)
            .filter_map(|(c, _)| c.first_response_ms())
            .collect();
        first.sort_unstable();
        let open_spans = assigned.iter().map(|c| {
            let start = c.first_assigned_at.unwrap_or(c.created_at);
            let end = c.resolved_at.filter(|_| c.is_resolved()).unwrap_or(Millis(now.0.max(start.0)));
            (start, end)
        });
        rows.push(AgentFigures {
            agent_id: agent.id,
            name: agent.name,
            conversations_handled: handled.len() as u64,
            replied: handled.iter().filter(|(_, h)| h.replied_at.is_some()).count() as u64,
            resolved: handled.iter().filter(|(_, h)| h.resolved_at.is_some()).count() as u64,
            median_first_response_seconds: percentile::nearest_rank(&first, 50).map(|ms| ms / 1000),
            csat: figures::csat(handled.iter().map(|(c, _)| *c)),
            online_seconds: status_log::online_seconds(store, scope, agent.id).await?,
            peak_concurrent: figures::peak_concurrent(open_spans),
        });
    }
    Ok(AgentReport { range: scope.to_wire(), agents: rows })
}
