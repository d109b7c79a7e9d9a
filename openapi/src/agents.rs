//! Agents: the people who answer chats.

use serde::{Deserialize, Serialize};

/// What an agent may do in their workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum Role {
    /// Created the workspace; everything an admin can do, and cannot be demoted by admins.
    Owner,
    /// Manages agents, teams, sites and API keys.
    Admin,
    /// Answers conversations.
    Agent,
}

/// A support agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Agent {
    pub id: uuid::Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// How many conversations the agent takes at once (used by routing).
    pub capacity: i32,
    /// False once deactivated: the agent can no longer sign in.
    pub active: bool,
    /// False while the agent has not accepted their invitation.
    pub has_password: bool,
    pub created_at: crate::Timestamp,
}

/// Creates an agent. Without `password` the agent is invited: the response carries an
/// invitation token for `POST /invitations/accept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewAgent {
    pub name: String,
    pub email: String,
    /// Defaults to `agent`. Only the owner may create another owner.
    pub role: Option<Role>,
    /// 1 to 100; defaults to 5.
    pub capacity: Option<i32>,
    /// At least 10 characters; omit to invite instead.
    pub password: Option<String>,
}

/// The created agent and, when invited, their one-time invitation token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct CreatedAgent {
    pub agent: Agent,
    /// Shown once. It is also mailed to the agent, as a link to the console.
    pub invitation_token: Option<String>,
}

/// Changes to an agent; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct AgentUpdate {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// 1 to 100.
    pub capacity: Option<i32>,
    /// Set false to deactivate (signs the agent out everywhere), true to reactivate.
    pub active: Option<bool>,
}

crate::page_of!(
    /// A page of agents, oldest first.
    AgentPage,
    Agent
);
