//! Sign-up, sign-in and the signed-in agent.

use serde::{Deserialize, Serialize};

use crate::agents::Agent;

/// Creates a workspace and its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct SignupRequest {
    /// The business's name, shown to its agents and visitors.
    pub workspace_name: String,
    /// The owner's display name.
    pub name: String,
    /// The owner's email address; used to sign in.
    pub email: String,
    /// At least 10 characters.
    pub password: String,
}

/// Email and password of an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct SigninRequest {
    pub email: String,
    pub password: String,
    /// When the address has accounts in several workspaces: the one to sign in to. By
    /// default, the account the password opens, the one signed into most recently first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<uuid::Uuid>,
}

/// A new session. The console also receives it as the HttpOnly `rapport_session` cookie;
/// other clients send it as `Authorization: Bearer <token>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Session {
    /// Opaque bearer token. Shown only here; the server keeps only its hash.
    pub token: String,
    pub expires_at: crate::Timestamp,
    pub agent: Agent,
    pub workspace: Workspace,
}

/// A tenant: one business with its agents, sites and conversations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Workspace {
    pub id: uuid::Uuid,
    pub name: String,
    /// The IANA time zone reports count days and hours in (`UTC` until an owner or admin
    /// sets it with `PATCH /workspace`).
    pub time_zone: String,
    /// Conversations (with their messages, files, mail and ratings) and visitors' page
    /// views are deleted this many days after their last activity; absent: kept forever.
    pub retention_days: Option<u32>,
    pub created_at: crate::Timestamp,
}

/// Changes workspace settings; absent fields keep their value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct WorkspaceUpdate {
    /// An IANA time zone name such as `Europe/Paris`; reports count days and hours in it.
    pub time_zone: Option<String>,
    /// Delete conversations and visitors' page views this many days (1 to 3650) after
    /// their last activity; 0 keeps them forever (the default).
    pub retention_days: Option<u32>,
}

/// Who is calling: the signed-in agent and their workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct Me {
    pub agent: Agent,
    pub workspace: Workspace,
}

/// Accepts an invitation by choosing a password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct AcceptInvitation {
    /// The invitation token given when the agent was invited.
    pub token: String,
    /// At least 10 characters.
    pub password: String,
}

/// Changes the signed-in agent's password. Every other session of theirs ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// At least 10 characters, and not easy to guess (common passwords, patterns and the
    /// account's own name or email are refused).
    pub new_password: String,
}

/// The password was changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct PasswordChanged {
    /// How many other sessions of this agent were ended (signed out everywhere else).
    pub sessions_ended: u32,
}

/// Asks for a link to choose a new password. The answer is the same whether or not an
/// agent uses the address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct PasswordResetRequest {
    /// The address the agent signs in with; the link is mailed there.
    pub email: String,
}

/// Chooses a new password with a reset link's token. Every session of the agent ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct PasswordReset {
    /// The `reset` parameter of the mailed link. It works once, within an hour.
    pub token: String,
    /// At least 10 characters, and not easy to guess (common passwords, patterns and the
    /// account's own name or email are refused).
    pub new_password: String,
}

/// One of the signed-in agent's sessions (a browser or device signed in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct AgentSession {
    pub id: uuid::Uuid,
    /// The session this request was made with.
    pub current: bool,
    /// When it was signed in.
    pub created_at: crate::Timestamp,
    /// When it was last used (to the minute).
    pub last_seen_at: crate::Timestamp,
    /// When it ends if it is not used again before.
    pub idle_expires_at: crate::Timestamp,
    /// When it ends however it is used.
    pub expires_at: crate::Timestamp,
    /// The browser or client that signed in, as it named itself.
    pub user_agent: Option<String>,
    /// The address it signed in from.
    pub ip_address: Option<String>,
}

crate::page_of!(
    /// A page of the signed-in agent's sessions, newest first.
    AgentSessionPage,
    AgentSession
);
