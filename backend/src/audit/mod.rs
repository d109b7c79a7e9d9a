//! The audit log: who changed what among a workspace's agents, roles, keys, webhooks,
//! sites and settings, and which visitors were exported or erased.
//!
//! Handlers record an entry once their change has succeeded ([`record`]), naming the
//! actor as they are at that moment (a later rename does not rewrite history) and the
//! fields that changed, computed from the resource before and after ([`changes`]) with
//! every secret left out. Owners and admins read it (`GET /audit-log`). A failure to write
//! an entry is logged and does not undo the change it describes.

pub mod api;

use openapi::audit::{AuditAction, AuditActorKind, AuditChange, AuditEntry};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    auth::{Actor, Caller},
    error::{Error, Result},
    on_pool,
    pagination::PageRequest,
    state::AppState,
    store::{Millis, Store, now},
};

/// What an entry is about.
pub struct Target {
    pub kind: &'static str,
    pub id: Option<Uuid>,
}

impl Target {
    pub fn new(kind: &'static str, id: Uuid) -> Self {
        Self { kind, id: Some(id) }
    }
}

/// Who did it: an agent or a key (from the request's credentials), an agent who proved who
/// they are without credentials (a password-reset link mailed to them), or Rapport itself.
pub enum Who<'a> {
    Caller(&'a Caller),
    Agent(Uuid),
    System,
}

fn action_text(action: AuditAction) -> String {
    serde_json::to_value(action).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn action_from(text: &str) -> Result<AuditAction> {
    serde_json::from_value(Value::String(text.to_owned()))
        .map_err(|_| Error::Internal(format!("unknown audit action `{text}` in the database")))
}

/// The fields that differ between `before` and `after` (their JSON forms), leaving out
/// secrets and bookkeeping. `None` on one side records a creation or a deletion.
pub fn changes(before: Option<&impl Serialize>, after: Option<&impl Serialize>) -> Vec<AuditChange> {
    let as_object = |value: Option<Value>| match value {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let before = as_object(before.and_then(|b| serde_json::to_value(b).ok()));
    let after = as_object(after.and_then(|a| serde_json::to_value(a).ok()));
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| !is_unrecorded(field))
        .filter(|field| before.get(*field) != after.get(*field))
        .map(|field| AuditChange {
            field: field.clone(),
            from: before.get(field).filter(|v| !v.is_null()).map(Value::to_string),
            to: after.get(field).filter(|v| !v.is_null()).map(Value::to_string),
        })
        .collect()
}

/// Fields an audit entry never shows: secrets, and what changes by itself.
fn is_unrecorded(field: &str) -> bool {
    field.contains("secret")
        || field.contains("password")
        || field.contains("token")
        || matches!(field, "id" | "created_at" | "updated_at" | "last_used_at" | "has_password")
}

/// The actor's kind, id and name as they are now.
async fn actor(store: &Store, workspace_id: Uuid, who: &Who<'_>) -> Result<(AuditActorKind, Option<Uuid>, String)> {
    let agent = |agent_id: Uuid| async move {
        let agent = crate::agents::get(store, workspace_id, agent_id).await?;
        Ok::<_, Error>((AuditActorKind::Agent, Some(agent_id), format!("{} <{}>", agent.name, agent.email)))
    };
    let caller = match who {
        Who::Caller(caller) => caller,
        Who::Agent(agent_id) => return agent(*agent_id).await,
        Who::System => return Ok((AuditActorKind::System, None, "Rapport".to_owned())),
    };
    Ok(match caller.actor {
        Actor::Agent { agent_id, .. } => agent(agent_id).await?,
        Actor::ApiKey { key_id, .. } => {
            let name: Option<String> = on_pool!(store, |pool| {
                sqlx::query_scalar("SELECT name FROM api_keys WHERE id = $1 AND workspace_id = $2")
                    .bind(key_id)
                    .bind(caller.workspace_id)
                    .fetch_optional(pool)
                    .await
            })?;
            (AuditActorKind::ApiKey, Some(key_id), format!("API key {}", name.unwrap_or_default()))
        }
    })
}

/// One entry to write.
pub struct Record<'a> {
    pub workspace_id: Uuid,
    pub who: Who<'a>,
    pub action: AuditAction,
    pub target: Target,
    pub summary: String,
    pub changes: Vec<AuditChange>,
    /// The client address, when the change came over HTTP.
    pub client_ip: Option<std::net::IpAddr>,
}

/// Records what `caller` did over the request `req` (whose client address is kept).
pub async fn log(
    state: &AppState,
    req: &poem::Request,
    caller: &Caller,
    action: AuditAction,
    target: Target,
    summary: String,
    changes: Vec<AuditChange>,
) {
    let entry = Record {
        workspace_id: caller.workspace_id,
        who: Who::Caller(caller),
        action,
        target,
        summary,
        changes,
        client_ip: state.throttles.client_ip(req),
    };
    record(state, entry).await;
}

/// "Changed Bo: name, role" — the fields of `changes` after a label.
pub fn changed(label: &str, changes: &[AuditChange]) -> String {
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    if fields.is_empty() {
        format!("Changed nothing on {label}")
    } else {
        format!("Changed {label}: {}", fields.join(", "))
    }
}

/// Writes an entry; failures are logged, never returned (the change itself has happened).
pub async fn record(state: &AppState, entry: Record<'_>) {
    if let Err(err) = write(&state.store, entry).await {
        tracing::error!(error = %err, "writing an audit log entry failed");
    }
}

async fn write(store: &Store, entry: Record<'_>) -> Result<()> {
    let (actor_kind, actor_id, actor_name) = actor(store, entry.workspace_id, &entry.who).await?;
    let actor_kind = match actor_kind {
        AuditActorKind::Agent => "agent",
        AuditActorKind::ApiKey => "api_key",
        AuditActorKind::System => "system",
    };
    let changes = serde_json::to_string(&entry.changes).map_err(|err| Error::Internal(err.to_string()))?;
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO audit_log (id, workspace_id, actor_kind, actor_id, actor_name, action, target_kind, target_id,
                                    summary, changes, client_ip, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(Uuid::now_v7())
        .bind(entry.workspace_id)
        .bind(actor_kind)
        .bind(actor_id)
        .bind(&actor_name)
        .bind(action_text(entry.action))
        .bind(entry.target.kind)
        .bind(entry.target.id)
        .bind(&entry.summary)
        .bind(&changes)
        .bind(entry.client_ip.map(|ip| ip.to_string()))
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    actor_kind: String,
    actor_id: Option<Uuid>,
    actor_name: String,
    action: String,
    target_kind: String,
    target_id: Option<Uuid>,
    summary: String,
    changes: String,
    client_ip: Option<String>,
    created_at: Millis,
}

impl EntryRow {
    fn to_wire(&self) -> Result<AuditEntry> {
        Ok(AuditEntry {
            id: self.id,
            created_at: self.created_at.to_utc(),
            actor_kind: match self.actor_kind.as_str() {
                "agent" => AuditActorKind::Agent,
                "api_key" => AuditActorKind::ApiKey,
                _ => AuditActorKind::System,
            },
            actor_id: self.actor_id,
            actor_name: self.actor_name.clone(),
            action: action_from(&self.action)?,
            target_kind: self.target_kind.clone(),
            target_id: self.target_id,
            summary: self.summary.clone(),
            changes: serde_json::from_str(&self.changes).unwrap_or_default(),
            ip_address: self.client_ip.clone(),
        })
    }
}

/// The workspace's log, newest first, optionally one action or one target only.
pub async fn list(
    store: &Store,
    workspace_id: Uuid,
    action: Option<AuditAction>,
    target_id: Option<Uuid>,
    page: PageRequest,
) -> Result<(Vec<AuditEntry>, Option<String>)> {
    let action = action.map(action_text);
    let rows: Vec<EntryRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT id, actor_kind, actor_id, actor_name, action, target_kind, target_id, summary, changes, client_ip, created_at
             FROM audit_log
             WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR action = $3)
               AND ($4 IS NULL OR target_id = $4)
             ORDER BY id DESC LIMIT $5",
        )
        .bind(workspace_id)
        .bind(page.after)
        .bind(&action)
        .bind(target_id)
        .bind(page.fetch_limit())
        .fetch_all(pool)
        .await
    })?;
    let (rows, next_cursor) = page.finish(rows, |row| row.id);
    let items = rows.iter().map(EntryRow::to_wire).collect::<Result<_>>()?;
    Ok((items, next_cursor))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn changes_leave_out_secrets_and_bookkeeping() {
        let before = json!({"id": "1", "name": "Bo", "role": "agent", "updated_at": "x", "identity_secret": "a"});
        let after = json!({"id": "1", "name": "Bo", "role": "admin", "updated_at": "y", "identity_secret": "b"});
        let diff = changes(Some(&before), Some(&after));
        assert_eq!(
            diff,
            vec![AuditChange { field: "role".into(), from: Some("\"agent\"".into()), to: Some("\"admin\"".into()) }]
        );
        let created = changes(None::<&Value>, Some(&json!({"name": "CRM", "secret": "rpk_x"})));
        assert_eq!(created, vec![AuditChange { field: "name".into(), from: None, to: Some("\"CRM\"".into()) }]);
    }
}
