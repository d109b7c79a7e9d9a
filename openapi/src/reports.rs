//! Reports: how the support team is doing, as figures a support lead reads at a glance.
//!
//! Every report covers the conversations *started* in a range of whole days, `from` to
//! `to` inclusive, in the workspace's time zone: a conversation belongs to the day (and
//! hour) its visitor opened it, and all its figures (reply, resolution, rating) count there,
//! even when they happened later. Durations are whole seconds; medians and p90s are
//! nearest-rank percentiles (the value at rank ⌈p·n⌉ of the n sorted durations, so the
//! median of an even count is the lower middle value), absent when there is nothing to
//! measure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The days a report covers, as the server understood the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ReportRange {
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// The workspace's IANA time zone the days and hours are counted in.
    pub time_zone: String,
    /// Today in that time zone, so clients can offer "today" or "last 7 days" without
    /// guessing the server's calendar.
    pub today: NaiveDate,
}

/// Median and 90th percentile of a set of durations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct DurationStats {
    /// How many conversations were measured.
    pub count: u64,
    /// Nearest-rank median in seconds; absent when `count` is 0.
    pub median_seconds: Option<i64>,
    /// Nearest-rank 90th percentile in seconds; absent when `count` is 0.
    pub p90_seconds: Option<i64>,
}

/// Customer satisfaction: visitors' ratings (1 to 5) of the conversations in range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Csat {
    /// Rated conversations.
    pub ratings: u64,
    /// Ratings of 4 or 5.
    pub good: u64,
    /// `good / ratings`, from 0 to 1, rounded to 4 decimals; absent without ratings.
    pub good_share: Option<f64>,
}

/// One bar of the first-response-time distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ResponseTimeBucket {
    /// A short label such as `1–2 min`.
    pub label: String,
    /// Lower bound in seconds, inclusive.
    pub from_seconds: i64,
    /// Upper bound in seconds, exclusive; absent for the last, open-ended bucket.
    pub to_seconds: Option<i64>,
    /// Answered conversations whose first response took that long.
    pub conversations: u64,
}

/// The headline figures of a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ReportSummary {
    pub range: ReportRange,
    /// Conversations visitors started in the range.
    pub conversations_started: u64,
    /// Started conversations an agent (or an integration) has replied to.
    pub answered: u64,
    /// Started conversations resolved without any agent reply: the visitor left unanswered.
    pub missed: u64,
    /// Started conversations neither answered nor resolved yet: still waiting for a reply.
    pub waiting: u64,
    /// From the visitor's first message to the first agent reply, over answered conversations.
    pub first_response: DurationStats,
    /// From the first message to resolution, over conversations resolved now.
    pub resolution: DurationStats,
    /// From the first message to the first assignment to an agent (time in the queue), over
    /// conversations that were ever assigned.
    pub queue_wait: DurationStats,
    /// Text messages written by visitors and agents (not notes, not system messages).
    pub messages: u64,
    /// `messages / conversations_started`, rounded to 2 decimals; absent without conversations.
    pub messages_per_conversation: Option<f64>,
    pub csat: Csat,
    /// How long first responses took, in fixed buckets (under 30 s, 30 s–1 min, 1–2 min,
    /// 2–5 min, 5–15 min, 15–60 min, 1 h and more).
    pub first_response_distribution: Vec<ResponseTimeBucket>,
}

/// One day of the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct DailyFigures {
    pub date: NaiveDate,
    pub conversations_started: u64,
    pub answered: u64,
    pub missed: u64,
    /// Ratings of the day's conversations.
    pub ratings: u64,
    /// Of which 4 or 5.
    pub good_ratings: u64,
    /// Median first response of the day's answered conversations, in seconds.
    pub median_first_response_seconds: Option<i64>,
}

/// Volume over time and the CSAT trend: one row per day of the range, days without
/// conversations included (as zeros).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct DailyReport {
    pub range: ReportRange,
    /// Oldest day first.
    pub days: Vec<DailyFigures>,
}

/// Busiest hours: conversations started per weekday and hour of the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct BusiestHours {
    pub range: ReportRange,
    /// Seven rows, Monday first, of 24 counts each, hour 0 (midnight to 1 am) first, local
    /// to the workspace's time zone.
    pub weekdays: Vec<Vec<u64>>,
    /// The largest count in the matrix (0 when empty), for scaling a heat map.
    pub max: u64,
}

/// One agent's figures over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct AgentFigures {
    pub agent_id: uuid::Uuid,
    pub name: String,
    /// Conversations started in range that this agent handled: replied to (text to the
    /// visitor) or resolved, whoever holds them now. A conversation handed from agent to
    /// agent (a transfer, a requeue) counts for each one who handled it.
    pub conversations_handled: u64,
    /// Of those, the ones the agent replied to.
    pub replied: u64,
    /// Of those, the ones the agent resolved (last resolve, when resolved more than once).
    pub resolved: u64,
    /// Median first response of the conversations whose first reply was this agent's,
    /// in seconds (business time with `business_hours=true`).
    pub median_first_response_seconds: Option<i64>,
    /// Ratings of the conversations the agent handled, and how many were 4 or 5.
    pub csat: Csat,
    /// Seconds the agent's status was `online` during the range (up to now).
    pub online_seconds: i64,
    /// The most conversations assigned to the agent now that were open at once: each
    /// counts from its first assignment until it was resolved (or until now while it is
    /// unresolved).
    pub peak_concurrent: u64,
}

/// The per-agent table: every agent of the workspace (or of the filtered team), by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct AgentReport {
    pub range: ReportRange,
    pub agents: Vec<AgentFigures>,
}
