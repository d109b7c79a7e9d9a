//! The visitor beside the conversation: who they are (verified or not), their custom
//! attributes, where they are and have been on the site (the stored trail, so a reload
//! keeps it), their browser and local time, and their other conversations. URLs are
//! links.

use openapi::conversations::{Conversation, ConversationStatus};
use uuid::Uuid;
use yew::prelude::*;

use super::{avatar::Avatar, list::use_ticker};
use crate::{
    app::{use_ctx, use_inbox, use_live},
    clock::{millis, relative, time_in_zone},
    services::api,
    state::{Action, PageVisit},
};

/// Attribute keys the widget or the business may set for the browser, OS and zone.
const BROWSER_KEYS: [&str; 3] = ["browser", "user_agent", "userAgent"];
const OS_KEYS: [&str; 3] = ["os", "platform", "operating_system"];
const ZONE_KEYS: [&str; 3] = ["timezone", "time_zone", "tz"];

#[function_component]
pub fn Sidebar() -> Html {
    use_ticker(30_000);
    let ctx = use_ctx();
    let inbox = use_inbox();
    let live = use_live();
    let selected = inbox.selected_conversation().cloned();
    let visitor_id = selected.as_ref().map(|c| c.visitor_id).unwrap_or_default();
    let past = use_state(|| (Uuid::nil(), Vec::<Conversation>::new()));
    {
        let (past, ctx) = (past.clone(), ctx.clone());
        use_effect_with(visitor_id, move |visitor_id| {
            let visitor_id = *visitor_id;
            if visitor_id.is_nil() {
                return;
            }
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::visitor_pages(visitor_id).await {
                    let trail = page
                        .items
                        .into_iter()
                        .rev()
                        .map(|p| PageVisit { url: p.url, title: p.title, at: millis(&p.viewed_at) })
                        .collect();
                    ctx.send(Action::Trail(visitor_id, trail));
                }
                if let Ok(page) = api::conversations(&format!("visitor_id={visitor_id}&limit=20")).await {
                    ctx.send(Action::Conversations(page.items.clone()));
                    past.set((visitor_id, page.items));
                }
            });
        });
    }
    let Some(c) = selected else {
        return html! {};
    };
    let visitor = inbox.visitors.get(&visitor_id);
    let name = inbox.visitor_name(visitor_id);
    let attr = |keys: &[&str]| {
        visitor.and_then(|v| keys.iter().find_map(|k| v.attributes.get(*k)).and_then(|v| v.as_str().map(str::to_owned)))
    };
    let visited = live.trail(visitor_id);
    let page = visited.last().cloned();
    let earlier: Vec<Html> = visited
        .iter()
        .rev()
        .skip(1)
        .map(|p| {
            html! {
                <li data-trail-page="">
                    <a href={p.url.clone()} target="_blank" rel="noopener noreferrer" title={p.url.clone()}>
                        { if p.title.is_empty() { p.url.clone() } else { p.title.clone() } }</a>
                    <span class="muted small">{ format!(" · {}", relative(p.at)) }</span></li>
            }
        })
        .collect();
    let local_time = attr(&ZONE_KEYS).and_then(|zone| time_in_zone(&zone).map(|t| format!("{t} ({zone})")));
    let browser = attr(&BROWSER_KEYS);
    let os = attr(&OS_KEYS);
    let hidden =
        ["browser", "user_agent", "userAgent", "os", "platform", "operating_system", "timezone", "time_zone", "tz"];
    let attributes = visitor
        .map(|v| {
            v.attributes
                .iter()
                .filter(|(k, _)| !hidden.contains(&k.as_str()))
                .map(|(k, v)| {
                    let value = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    html! { <><dt>{ humanise(k) }</dt><dd>{ linked(value) }</dd></> }
                })
                .collect::<Html>()
        })
        .unwrap_or_default();
    let others = past.1.iter().filter(|p| past.0 == visitor_id && p.id != c.id).map(|p| {
        let id = p.id;
        let onclick = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.send(Action::Select(Some(id))))
        };
        let status = match p.status {
            ConversationStatus::Open => "Open",
            ConversationStatus::Pending => "Pending",
            ConversationStatus::Snoozed => "Snoozed",
            ConversationStatus::Resolved => "Resolved",
        };
        html! {
            <li><button class="past" {onclick}>
                <span class={classes!("status-chip", format!("status-{}", status.to_lowercase()))}>{ status }</span>
                <span class="muted small">{ format!("Started {}", relative(millis(&p.created_at))) }</span>
            </button></li>
        }
    });
    let others: Vec<Html> = others.collect();
    let close = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.send(Action::Details(false)))
    };
    let seen = visitor.map(|v| relative(millis(&v.last_seen_at)));
    html! {
        <aside class="sidebar" aria-label="Visitor details" data-visitor={visitor_id.to_string()}>
            <button class="icon-button sidebar-close" aria-label="Close visitor details" onclick={close}>{ "×" }</button>
            <div class="visitor-card">
                <Avatar name={name.clone()} seed={visitor_id.to_string()} size="large" />
                <h2 class="visitor-name">{ name }
                    if visitor.is_some_and(|v| v.verified) {
                        <span class="badge-verified" title="Identity verified by the site" data-verified="">{ "✓ Verified" }</span>
                    }
                </h2>
                if let Some(email) = visitor.and_then(|v| v.email.clone()) {
                    <a class="visitor-email" href={format!("mailto:{email}")}>{ email }</a>
                }
                if let Some(seen) = seen { <span class="muted small">{ format!("Last seen {seen}") }</span> }
            </div>
            <section class="side-section">
                <h3>{ "Current page" }</h3>
                if let Some(p) = page {
                    <a class="page-link" href={p.url.clone()} target="_blank" rel="noopener noreferrer" data-page="">
                        { if p.title.is_empty() { p.url.clone() } else { p.title.clone() } }
                    </a>
                    <a class="muted small page-url" href={p.url.clone()} target="_blank" rel="noopener noreferrer">{ p.url.clone() }</a>
                    <span class="muted small">{ relative(p.at) }</span>
                } else {
                    <span class="muted small">{ "No page reported yet" }</span>
                }
                if !earlier.is_empty() {
                    <h3 class="subhead">{ "Pages visited" }</h3>
                    <ul class="trail">{ for earlier }</ul>
                }
            </section>
            <section class="side-section">
                <h3>{ "Details" }</h3>
                <dl class="facts">
                    if let Some(user_id) = visitor.and_then(|v| v.user_id.clone()) { <dt>{ "User id" }</dt><dd>{ user_id }</dd> }
                    <dt>{ "Browser" }</dt><dd>{ browser.unwrap_or_else(|| "Unknown".into()) }</dd>
                    <dt>{ "System" }</dt><dd>{ os.unwrap_or_else(|| "Unknown".into()) }</dd>
                    <dt>{ "Local time" }</dt><dd>{ local_time.unwrap_or_else(|| "Unknown".into()) }</dd>
                    if let Some(v) = visitor { <dt>{ "First seen" }</dt><dd>{ relative(millis(&v.created_at)) }</dd> }
                    { attributes }
                </dl>
            </section>
            <section class="side-section">
                <h3>{ "Past conversations" }</h3>
                if others.is_empty() {
                    <span class="muted small">{ "None before this one" }</span>
                } else {
                    <ul class="past-list">{ for others }</ul>
                }
            </section>
        </aside>
    }
}

/// A value as text, or as a link when it is an http(s) URL (never `javascript:`).
fn linked(value: String) -> Html {
    let lower = value.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://")) && !value.contains(char::is_whitespace) {
        html! { <a href={value.clone()} target="_blank" rel="noopener noreferrer">{ value }</a> }
    } else {
        html! { { value } }
    }
}

/// `plan_name` → "Plan name": attribute keys as labels.
fn humanise(key: &str) -> String {
    let spaced = key.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
