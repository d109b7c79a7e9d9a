//! The audit log, read-only: who changed what among agents, roles, keys, webhooks,
//! sites and settings, and which visitors were exported or erased. Newest first, fifty
//! at a time, filtered by kind of change.

use openapi::audit::{AuditAction, AuditActorKind, AuditChange, AuditEntry};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::{
    app::use_ctx,
    clock::{full_time, millis, relative},
    services::api::{self, encode},
};

/// Every action, in the order the filter lists them, with its name for people.
const ACTIONS: [(AuditAction, &str); 19] = [
    (AuditAction::AgentCreated, "Agent created"),
    (AuditAction::AgentInvited, "Agent invited"),
    (AuditAction::AgentUpdated, "Agent changed"),
    (AuditAction::PasswordChanged, "Password changed"),
    (AuditAction::PasswordReset, "Password reset"),
    (AuditAction::ApiKeyCreated, "API key created"),
    (AuditAction::ApiKeyRevoked, "API key revoked"),
    (AuditAction::WebhookCreated, "Webhook created"),
    (AuditAction::WebhookUpdated, "Webhook changed"),
    (AuditAction::WebhookDeleted, "Webhook deleted"),
    (AuditAction::WebhookSecretRotated, "Webhook secret rotated"),
    (AuditAction::SiteCreated, "Site created"),
    (AuditAction::SiteUpdated, "Site changed"),
    (AuditAction::SiteDeleted, "Site deleted"),
    (AuditAction::SiteMailSettingsUpdated, "Site mail changed"),
    (AuditAction::WorkspaceUpdated, "Workspace changed"),
    (AuditAction::VisitorExported, "Visitor exported"),
    (AuditAction::VisitorErased, "Visitor erased"),
    (AuditAction::RetentionApplied, "Old conversations deleted"),
];

/// The action as the API spells it (`agent_updated`).
fn wire_name(action: AuditAction) -> String {
    serde_json::to_value(action).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// What the log shows: the entries read so far and where the next page starts.
#[derive(Clone, PartialEq, Default)]
struct Loaded {
    entries: Vec<AuditEntry>,
    next_cursor: Option<String>,
    /// Whether the first page has arrived (an empty log says so only then).
    done: bool,
}

#[function_component]
pub fn AuditLog() -> Html {
    let ctx = use_ctx();
    // The chosen filter, as the API spells it; empty for every action.
    let filter = use_state(String::new);
    let loaded = use_state(Loaded::default);
    let fetch = {
        let (ctx, loaded) = (ctx.clone(), loaded.clone());
        move |filter: String, cursor: Option<String>, mut kept: Loaded| {
            let (ctx, loaded) = (ctx.clone(), loaded.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut query = String::new();
                if !filter.is_empty() {
                    query.push_str(&format!("action={}&", encode(&filter)));
                }
                if let Some(cursor) = cursor {
                    query.push_str(&format!("cursor={}", encode(&cursor)));
                }
                match api::audit_log(&query).await {
                    Ok(page) => {
                        kept.entries.extend(page.items);
                        kept.next_cursor = page.next_cursor;
                        kept.done = true;
                        loaded.set(kept);
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        }
    };
    {
        let fetch = fetch.clone();
        use_effect_with((*filter).clone(), move |filter| fetch(filter.clone(), None, Loaded::default()));
    }
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |event: Event| filter.set(event.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_more = {
        let (filter, loaded) = (filter.clone(), loaded.clone());
        Callback::from(move |_| fetch((*filter).clone(), loaded.next_cursor.clone(), (*loaded).clone()))
    };
    let options = ACTIONS.iter().map(|&(action, title)| {
        let name = wire_name(action);
        let selected = *filter == name;
        html! { <option {selected} value={name}>{ title }</option> }
    });
    let rows = loaded.entries.iter().map(row);
    html! {
        <>
            <header class="admin-head"><div>
                <h1 id="admin-title">{ "Audit log" }</h1>
                <p class="muted">{ "Who changed agents, roles, API keys, webhooks, sites and settings, and which visitors' data was exported or erased." }</p>
            </div></header>
            <div class="card inline-form">
                <label for="audit-action">{ "Show" }</label>
                <select id="audit-action" class="select" onchange={on_filter}>
                    <option value="" selected={filter.is_empty()}>{ "Every change" }</option>
                    { for options }
                </select>
            </div>
            <div class="card">
                if loaded.done && loaded.entries.is_empty() {
                    <p class="muted" data-audit-empty="">{ "Nothing recorded yet." }</p>
                } else {
                    <table class="table audit">
                        <thead><tr><th>{ "When" }</th><th>{ "Who" }</th><th>{ "What" }</th><th>{ "From" }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                }
                if loaded.next_cursor.is_some() {
                    <button class="button" data-action="older" onclick={on_more}>{ "Show older entries" }</button>
                }
            </div>
        </>
    }
}

fn row(entry: &AuditEntry) -> Html {
    let at = millis(&entry.created_at);
    let who = match entry.actor_kind {
        AuditActorKind::Agent => None,
        AuditActorKind::ApiKey => Some("API key"),
        AuditActorKind::System => Some("Rapport"),
    };
    html! {
        <tr key={entry.id.to_string()} data-audit={wire_name(entry.action)}>
            <td class="nowrap"><time title={full_time(at)}>{ relative(at) }</time></td>
            <td>
                { &entry.actor_name }
                if let Some(kind) = who { { " " }<span class="tag">{ kind }</span> }
            </td>
            <td>
                <div>{ &entry.summary }</div>
                if !entry.changes.is_empty() {
                    <ul class="audit-changes">{ for entry.changes.iter().map(change) }</ul>
                }
            </td>
            <td class="muted">{ entry.ip_address.clone().unwrap_or_default() }</td>
        </tr>
    }
}

/// One changed field: `role: "agent" → "admin"`.
fn change(change: &AuditChange) -> Html {
    let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "(none)".to_owned());
    html! {
        <li>
            <code>{ &change.field }</code>{ ": " }
            <span class="muted">{ shown(&change.from) }</span>{ " → " }{ shown(&change.to) }
        </li>
    }
}
