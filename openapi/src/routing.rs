//! Routing: the queue of conversations waiting for an agent, claiming, transferring.

use serde::{Deserialize, Serialize};

use crate::conversations::Conversation;

/// How a site (or a team, overriding its site) hands waiting conversations to agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum RoutingPolicy {
    /// Conversations wait in the queue until an agent claims one.
    #[default]
    Manual,
    /// Each new conversation goes to the available agent whose last assignment is oldest.
    RoundRobin,
    /// Each new conversation goes to the available agent with the fewest open conversations.
    LeastBusy,
}

/// A conversation waiting for an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct QueueEntry {
    pub conversation: Conversation,
    /// 1 for the conversation that has waited longest in its site (and team).
    pub position: u32,
    /// When it started waiting (creation, or when it came back to the queue).
    pub waiting_since: crate::Timestamp,
}

/// The waiting conversations, longest-waiting first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Queue {
    pub items: Vec<QueueEntry>,
    /// Pass as `cursor` to get the next page; absent when this is the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Hands a conversation to another agent or team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct Transfer {
    /// An active agent of the workspace. Exactly one of `agent_id` and `team_id`.
    pub agent_id: Option<uuid::Uuid>,
    /// A team: the conversation goes back to the queue for that team's agents.
    pub team_id: Option<uuid::Uuid>,
    /// Context for the receiver, stored as an internal note (visitors never see it).
    pub note: Option<String>,
}

/// Where a visitor's conversation stands in the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct QueueStatus {
    pub conversation_id: uuid::Uuid,
    /// 1 means next; absent when the conversation is not waiting (an agent has it, or it is
    /// not open).
    pub position: Option<u32>,
    /// A rough estimate from recent waiting times; absent when there is no history yet or
    /// nobody is available.
    pub estimated_wait_secs: Option<u64>,
}
