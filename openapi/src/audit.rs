//! The audit log: who changed what among a workspace's agents, roles, keys, webhooks,
//! sites and settings, and which visitors' data was exported or erased.

use serde::{Deserialize, Serialize};

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum AuditAction {
    /// An agent was created with a password.
    AgentCreated,
    /// An agent was invited (by email).
    AgentInvited,
    /// An agent's name, role, capacity or status changed.
    AgentUpdated,
    /// An agent changed their password.
    PasswordChanged,
    /// An agent reset a forgotten password by email.
    PasswordReset,
    /// An API key was created.
    ApiKeyCreated,
    /// An API key was revoked.
    ApiKeyRevoked,
    /// A webhook subscription was created.
    WebhookCreated,
    /// A webhook subscription changed (URL, events, site, enabled).
    WebhookUpdated,
    /// A webhook subscription was deleted.
    WebhookDeleted,
    /// A webhook's signing secret was rotated.
    WebhookSecretRotated,
    /// A site (widget installation) was created.
    SiteCreated,
    /// A site's settings changed.
    SiteUpdated,
    /// A site was deleted.
    SiteDeleted,
    /// A site's mail settings changed.
    SiteMailSettingsUpdated,
    /// The workspace's settings changed (time zone, retention).
    WorkspaceUpdated,
    /// Everything about a visitor was exported.
    VisitorExported,
    /// A visitor and everything about them was erased.
    VisitorErased,
    /// The retention worker deleted conversations older than the workspace keeps.
    RetentionApplied,
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum AuditActorKind {
    Agent,
    ApiKey,
    /// Rapport itself (the retention worker).
    System,
}

/// One field that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct AuditChange {
    pub field: String,
    /// The value before, as JSON text; absent when the field was not set.
    pub from: Option<String>,
    /// The value after, as JSON text; absent when the field was removed.
    pub to: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct AuditEntry {
    pub id: uuid::Uuid,
    pub created_at: crate::Timestamp,
    pub actor_kind: AuditActorKind,
    /// The agent or API key; absent for the system.
    pub actor_id: Option<uuid::Uuid>,
    /// The agent's name and email, or the key's name, as they were then.
    pub actor_name: String,
    pub action: AuditAction,
    /// What was acted on: `agent`, `api_key`, `webhook`, `site`, `workspace`, `visitor`.
    pub target_kind: String,
    pub target_id: Option<uuid::Uuid>,
    /// One line for people ("Ana changed Bo's role from agent to admin").
    pub summary: String,
    /// The fields that changed, with their values before and after (secrets never appear).
    pub changes: Vec<AuditChange>,
    /// The address the change came from, when it came over HTTP.
    pub ip_address: Option<String>,
}

crate::page_of!(
    /// A page of the audit log, newest first.
    AuditEntryPage,
    AuditEntry
);
