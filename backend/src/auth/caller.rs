//! The authenticated caller. Every workspace-scoped operation takes one, so the workspace
//! a query runs in always comes from credentials, never from the request.

use openapi::{agents::Role, api_keys::ApiKeyScope};
use uuid::Uuid;

use crate::error::{Error, Result};

/// An agent (console) or a business system (API key), inside one workspace.
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace_id: Uuid,
    pub actor: Actor,
}

#[derive(Debug, Clone)]
pub enum Actor {
    Agent { agent_id: Uuid, role: Role, session_id: Uuid },
    ApiKey { key_id: Uuid, scope: ApiKeyScope },
}

impl Caller {
    /// The signed-in agent, or `Forbidden` for API keys (e.g. `me`, sign-out).
    pub fn agent_id(&self) -> Result<Uuid> {
        match self.actor {
            Actor::Agent { agent_id, .. } => Ok(agent_id),
            Actor::ApiKey { .. } => {
                Err(Error::Forbidden("this operation needs a signed-in agent, not an API key".into()))
            }
        }
    }

    /// Owners and admins manage the workspace (agents, teams, sites, keys). API keys may
    /// not: a leaked integration key must not be able to mint agents or more keys.
    pub fn require_admin(&self) -> Result<()> {
        match self.actor {
            Actor::Agent { role: Role::Owner | Role::Admin, .. } => Ok(()),
            Actor::Agent { .. } => Err(Error::Forbidden("only owners and admins may do this".into())),
            Actor::ApiKey { .. } => Err(Error::Forbidden("API keys cannot manage the workspace".into())),
        }
    }

    /// Anything that changes conversations, messages or visitors.
    pub fn require_write(&self) -> Result<()> {
        match self.actor {
            Actor::ApiKey { scope: ApiKeyScope::Read, .. } => Err(Error::Forbidden("this API key is read-only".into())),
            _ => Ok(()),
        }
    }

    pub fn is_owner(&self) -> bool {
        matches!(self.actor, Actor::Agent { role: Role::Owner, .. })
    }
}

/// A website visitor, authenticated by their visitor token.
#[derive(Debug, Clone)]
pub struct VisitorCaller {
    pub workspace_id: Uuid,
    pub site_id: Uuid,
    pub visitor_id: Uuid,
}
