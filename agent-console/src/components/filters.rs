//! The filters above the list: status, assignee, team, site, label and priority, combined
//! with AND over the current view; the combination can be saved as a view of one's own.

use openapi::{
    conversations::{ConversationStatus, Priority},
    views::NewSavedView,
};
use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::{
    app::{use_ctx, use_directory, use_inbox},
    loading,
    services::api,
    state::{Action, Filters, Screen, View},
};

/// The filters as a query string for `GET /conversations`.
pub fn query(filters: &Filters) -> String {
    let mut parts = Vec::new();
    if let Some(status) = filters.status {
        parts.push(format!("status={}", status_key(status)));
    }
    if let Some(agent) = filters.assignee_id {
        parts.push(format!("assignee_id={agent}"));
    }
    if filters.unassigned == Some(true) {
        parts.push("unassigned=true".to_owned());
    }
    if let Some(team) = filters.team_id {
        parts.push(format!("team_id={team}"));
    }
    if let Some(site) = filters.site_id {
        parts.push(format!("site_id={site}"));
    }
    if let Some(label) = &filters.label {
        parts.push(format!("label={}", api::encode(label)));
    }
    if let Some(priority) = filters.priority {
        parts.push(format!("priority={}", priority_key(priority)));
    }
    parts.join("&")
}

pub fn status_key(status: ConversationStatus) -> &'static str {
    match status {
        ConversationStatus::Open => "open",
        ConversationStatus::Pending => "pending",
        ConversationStatus::Snoozed => "snoozed",
        ConversationStatus::Resolved => "resolved",
    }
}

pub fn priority_key(priority: Priority) -> &'static str {
    match priority {
        Priority::Low => "low",
        Priority::Normal => "normal",
        Priority::High => "high",
        Priority::Urgent => "urgent",
    }
}

const STATUSES: [(ConversationStatus, &str); 4] = [
    (ConversationStatus::Open, "Open"),
    (ConversationStatus::Pending, "Pending"),
    (ConversationStatus::Snoozed, "Snoozed"),
    (ConversationStatus::Resolved, "Resolved"),
];

const PRIORITIES: [(Priority, &str); 4] =
    [(Priority::Urgent, "Urgent"), (Priority::High, "High"), (Priority::Normal, "Normal"), (Priority::Low, "Low")];

fn select_value(event: &Event) -> String {
    event.target_unchecked_into::<HtmlSelectElement>().value()
}

#[function_component]
pub fn FilterBar() -> Html {
    let ctx = use_ctx();
    let inbox = use_inbox();
    let directory = use_directory();
    let naming = use_state(|| false);
    // Folded by default: the list keeps its room; open while any filter is on.
    let unfolded = use_state(|| false);
    let name_ref = use_node_ref();
    let filters = (*inbox.filters).clone();
    let view = inbox.current_view();

    let set = {
        let ctx = ctx.clone();
        let filters = filters.clone();
        move |change: fn(&mut Filters, String)| {
            let (ctx, filters) = (ctx.clone(), filters.clone());
            Callback::from(move |event: Event| {
                let mut next = filters.clone();
                change(&mut next, select_value(&event));
                ctx.send(Action::Filter(next));
            })
        }
    };
    let on_status = set(|f, v| f.status = STATUSES.iter().find(|(s, _)| status_key(*s) == v).map(|(s, _)| *s));
    let on_assignee = set(|f, v| {
        f.unassigned = (v == "nobody").then_some(true);
        f.assignee_id = v.parse::<Uuid>().ok();
    });
    let on_team = set(|f, v| f.team_id = v.parse().ok());
    let on_site = set(|f, v| f.site_id = v.parse().ok());
    let on_label = set(|f, v| f.label = Some(v).filter(|v| !v.is_empty()));
    let on_priority = set(|f, v| f.priority = PRIORITIES.iter().find(|(p, _)| priority_key(*p) == v).map(|(p, _)| *p));
    let clear = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.send(Action::Filter(Filters::default())))
    };
    let start_naming = {
        let naming = naming.clone();
        Callback::from(move |_| naming.set(true))
    };
    let on_save = {
        let (ctx, naming, name_ref) = (ctx.clone(), naming.clone(), name_ref.clone());
        let me = inbox.my_id;
        let filters = filters.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let name = name_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let mut all = view.as_filters(me);
            super::list::merge(&mut all, &filters);
            let (ctx, naming) = (ctx.clone(), naming.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_view(&NewSavedView { name, filters: all }).await {
                    Ok(saved) => {
                        naming.set(false);
                        loading::reload_views(&ctx).await;
                        ctx.send(Action::Screen(Screen::Inbox(View::Saved(saved.id))));
                        ctx.toast("View saved.");
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let me = inbox.my_id;
    let assignee = match (filters.unassigned, filters.assignee_id) {
        (Some(true), _) => "nobody".to_owned(),
        (_, Some(agent)) => agent.to_string(),
        _ => String::new(),
    };
    let option = |value: String, label: String, current: &str| {
        let selected = value == current;
        html! { <option {value} {selected}>{ label }</option> }
    };
    let status_now = filters.status.map(status_key).unwrap_or_default();
    let team_now = filters.team_id.map(|t| t.to_string()).unwrap_or_default();
    let site_now = filters.site_id.map(|s| s.to_string()).unwrap_or_default();
    let label_now = filters.label.clone().unwrap_or_default();
    let priority_now = filters.priority.map(priority_key).unwrap_or_default();
    let saveable = !filters.is_empty() || matches!(view, View::Team(_));
    let active = [
        filters.status.is_some(),
        filters.assignee_id.is_some() || filters.unassigned == Some(true),
        filters.team_id.is_some(),
        filters.site_id.is_some(),
        filters.label.is_some(),
        filters.priority.is_some(),
    ]
    .iter()
    .filter(|on| **on)
    .count();
    let toggle = {
        let unfolded = unfolded.clone();
        Callback::from(move |_| unfolded.set(!*unfolded))
    };
    let open = *unfolded || active > 0;
    let head = html! {
        <button class="link-button small filter-toggle" onclick={toggle} aria-expanded={open.to_string()}
            aria-controls="filters" data-action="filters">
            { crate::components::avatar::icon("filter") }
            { if active > 0 { format!("Filters ({active})") } else { "Filters".to_owned() } }
        </button>
    };
    if !open {
        return html! { <div class="filters folded" data-filters="">{ head }</div> };
    }
    html! {
        <div class="filters" role="group" aria-label="Filters" data-filters="" id="filters">
            { head }
            <label class="sr-only" for="filter-status">{ "Status" }</label>
            <select id="filter-status" class="select compact" onchange={on_status} data-filter="status">
                { option(String::new(), "Any status".into(), status_now) }
                { for STATUSES.iter().map(|(s, label)| option(status_key(*s).into(), (*label).into(), status_now)) }
            </select>
            <label class="sr-only" for="filter-assignee">{ "Assignee" }</label>
            <select id="filter-assignee" class="select compact" onchange={on_assignee} data-filter="assignee">
                { option(String::new(), "Anyone".into(), &assignee) }
                { option("nobody".into(), "Nobody".into(), &assignee) }
                { for me.map(|me| option(me.to_string(), "Me".into(), &assignee)) }
                { for directory.agents.iter().filter(|a| Some(a.id) != me).map(|a| option(a.id.to_string(), a.name.clone(), &assignee)) }
            </select>
            <label class="sr-only" for="filter-team">{ "Team" }</label>
            <select id="filter-team" class="select compact" onchange={on_team} data-filter="team">
                { option(String::new(), "Any team".into(), &team_now) }
                { for directory.teams.iter().map(|t| option(t.id.to_string(), t.name.clone(), &team_now)) }
            </select>
            <label class="sr-only" for="filter-site">{ "Site" }</label>
            <select id="filter-site" class="select compact" onchange={on_site} data-filter="site">
                { option(String::new(), "Any site".into(), &site_now) }
                { for directory.sites.iter().map(|s| option(s.id.to_string(), s.name.clone(), &site_now)) }
            </select>
            <label class="sr-only" for="filter-label">{ "Label" }</label>
            <select id="filter-label" class="select compact" onchange={on_label} data-filter="label">
                { option(String::new(), "Any label".into(), &label_now) }
                { for directory.labels.iter().map(|l| option(l.name.clone(), l.name.clone(), &label_now)) }
            </select>
            <label class="sr-only" for="filter-priority">{ "Priority" }</label>
            <select id="filter-priority" class="select compact" onchange={on_priority} data-filter="priority">
                { option(String::new(), "Any priority".into(), priority_now) }
                { for PRIORITIES.iter().map(|(p, label)| option(priority_key(*p).into(), (*label).into(), priority_now)) }
            </select>
            if !filters.is_empty() {
                <button class="link-button small" onclick={clear} data-action="clear-filters">{ "Clear" }</button>
            }
            if *naming {
                <form class="save-view" onsubmit={on_save}>
                    <label class="sr-only" for="view-name">{ "Name of the view" }</label>
                    <input id="view-name" ref={name_ref} required=true maxlength="60" placeholder="Name this view" />
                    <button class="button small primary" type="submit" data-action="save-view">{ "Save" }</button>
                </form>
            } else if saveable {
                <button class="link-button small" onclick={start_naming} data-action="name-view">{ "Save view" }</button>
            }
        </div>
    }
}
