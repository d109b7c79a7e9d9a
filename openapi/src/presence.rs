//! Who is online right now.

use serde::{Deserialize, Serialize};

use crate::realtime::AgentStatus;

/// An agent with the console open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct AgentPresence {
    pub agent_id: uuid::Uuid,
    /// `online` or `away` (agents not listed are offline).
    pub status: AgentStatus,
}

/// The visitors with a site's widget open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct SitePresence {
    pub site_id: uuid::Uuid,
    pub visitor_ids: Vec<uuid::Uuid>,
}

/// The workspace's live presence, as the real-time connections report it. A connection
/// counts until it closes, or for up to 30 seconds after its node stopped responding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct Presence {
    pub agents: Vec<AgentPresence>,
    /// Sites with at least one visitor online.
    pub sites: Vec<SitePresence>,
}
