//! Teams: groups of agents that conversations can be routed to.

use serde::{Deserialize, Serialize};

/// A team of agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Team {
    pub id: uuid::Uuid,
    pub name: String,
    /// The agents in the team.
    pub member_ids: Vec<uuid::Uuid>,
    /// Overrides the site's policy for conversations routed to this team.
    pub routing_policy: Option<crate::routing::RoutingPolicy>,
    pub created_at: crate::Timestamp,
}

/// Creates or renames a team and sets its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct TeamInput {
    pub name: String,
    /// Agents of this workspace; replaces the current members.
    #[serde(default)]
    #[cfg_attr(feature = "server", oai(default))]
    pub member_ids: Vec<uuid::Uuid>,
    /// Overrides the site's policy for this team's conversations; absent: the site's.
    pub routing_policy: Option<crate::routing::RoutingPolicy>,
}

crate::page_of!(
    /// A page of teams, oldest first.
    TeamPage,
    Team
);
