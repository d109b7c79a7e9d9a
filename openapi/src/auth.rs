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
    pub created_at: crate::Timestamp,
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
