//! The conversation's header: the visitor, status, assignee, team, snooze time and the
//! visitor's rating (score and comment), then the actions: claim, resolve or reopen,
//! priority, snooze, transfer and labels.

use openapi::conversations::{Conversation, ConversationStatus, ConversationUpdate, Priority};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{
    claim,
    menus::{SnoozeMenu, TransferMenu},
    set_status, update,
};
use crate::{
    app::{use_ctx, use_directory, use_inbox, use_ui},
    clock::{clock_time, day, millis},
    components::{avatar::icon, labels::LabelPicker, list::rating_face},
    state::Action,
};

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub view: Conversation,
}

#[function_component]
pub fn Header(props: &HeaderProps) -> Html {
    let ctx = use_ctx();
    let inbox = use_inbox();
    let ui = use_ui();
    let directory = use_directory();
    let c: Conversation = props.view.clone();
    let visitor = inbox.visitor_name(c.visitor_id);
    let transfer_open = use_state(|| false);
    let snooze_open = use_state(|| false);
    let id = c.id;

    let claim_button = c.assignee_id.is_none().then(|| {
        let ctx = ctx.clone();
        html! {
            <button class="button primary" data-action="claim" onclick={Callback::from(move |_| claim(&ctx, id))} title="Claim (c)">
                { icon("claim") }{ "Claim" }
            </button>
        }
    });
    let status_button = if c.status == ConversationStatus::Resolved {
        let ctx = ctx.clone();
        html! {
            <button class="button" data-action="reopen" onclick={Callback::from(move |_| set_status(&ctx, id, ConversationStatus::Open))}>
                { icon("reopen") }{ "Reopen" }
            </button>
        }
    } else {
        let ctx = ctx.clone();
        html! {
            <button class="button" data-action="resolve" title="Resolve (e)" onclick={Callback::from(move |_| set_status(&ctx, id, ConversationStatus::Resolved))}>
                { icon("resolved") }{ "Resolve" }
            </button>
        }
    };
    let on_priority = {
        let ctx = ctx.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            let priority = match value.as_str() {
                "low" => Priority::Low,
                "high" => Priority::High,
                "urgent" => Priority::Urgent,
                _ => Priority::Normal,
            };
            update(
                &ctx,
                id,
                ConversationUpdate { priority: Some(priority), ..ConversationUpdate::default() },
                "Priority changed.",
            );
        })
    };
    let priority = match c.priority {
        Priority::Low => "low",
        Priority::Normal => "normal",
        Priority::High => "high",
        Priority::Urgent => "urgent",
    };
    let toggle_snooze = {
        let snooze_open = snooze_open.clone();
        Callback::from(move |_| snooze_open.set(!*snooze_open))
    };
    // Escape closes an open menu (and returns focus to the page's shortcuts).
    let close_menus = {
        let (snooze_open, transfer_open) = (snooze_open.clone(), transfer_open.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                snooze_open.set(false);
                transfer_open.set(false);
            }
        })
    };
    let toggle_transfer = {
        let transfer_open = transfer_open.clone();
        Callback::from(move |_| transfer_open.set(!*transfer_open))
    };
    let details = {
        let ctx = ctx.clone();
        let open = ui.details_open;
        Callback::from(move |_| ctx.send(Action::Details(!open)))
    };
    let assignee = match c.assignee_id {
        Some(a) if Some(a) == inbox.my_id => "Assigned to you".to_owned(),
        Some(a) => format!("Assigned to {}", directory.agent_name(a)),
        None => "Unassigned".to_owned(),
    };
    let status_text = match c.status {
        ConversationStatus::Open => "Open",
        ConversationStatus::Pending => "Pending",
        ConversationStatus::Snoozed => "Snoozed",
        ConversationStatus::Resolved => "Resolved",
    };
    let team = c.team_id.map(|t| directory.team_name(t));
    let rating = c.rating.clone();

    html! {
        <header class="conv-header">
            <div class="conv-head-row">
                <div class="conv-title">
                    <h2>{ visitor }</h2>
                    <div class="conv-sub">
                        <span class={classes!("status-chip", format!("status-{}", status_text.to_lowercase()))} data-status={status_text.to_lowercase()}>{ status_text }</span>
                        <span class="muted" data-assignee="">{ assignee }</span>
                        if let Some(team) = team { <span class="muted">{ format!("· {team}") }</span> }
                        if let (ConversationStatus::Snoozed, Some(until)) = (c.status, c.snoozed_until) {
                            <span class="muted">{ format!("· until {} {}", day(millis(&until)), clock_time(millis(&until))) }</span>
                        }
                        if let Some(r) = &rating {
                            <span class="rating-chip" data-conversation-rating={r.score.to_string()}
                                title={format!("Rated {} of 5", r.score)}>
                                <span aria-hidden="true">{ rating_face(r.score) }</span>{ format!(" Rated {}/5", r.score) }
                            </span>
                        }
                    </div>
                </div>
                <div class="conv-primary">
                    <span class="slot">{ for claim_button }</span>
                    { status_button }
                    <button class="icon-button details-toggle" aria-label="Visitor details" title="Visitor details" onclick={details}>{ icon("details") }</button>
                </div>
            </div>
            <div class="conv-toolbar" role="toolbar" aria-label="Conversation actions" onkeydown={close_menus}>
                <label class="toolbar-label" for="priority">{ "Priority" }</label>
                <select id="priority" class={classes!("select", "compact", format!("prio-select-{priority}"))} onchange={on_priority} title="Priority">
                    { for ["low", "normal", "high", "urgent"].iter().map(|p| html! {
                        <option value={*p} selected={*p == priority}>{ capital(p) }</option>
                    }) }
                </select>
                <div class="menu-anchor">
                    <button class="button compact" data-action="snooze" aria-expanded={(*snooze_open).to_string()} onclick={toggle_snooze}>{ icon("snoozed") }{ "Snooze" }</button>
                    if *snooze_open { <SnoozeMenu id={id} on_done={let s = snooze_open.clone(); Callback::from(move |_| s.set(false))} /> }
                </div>
                <div class="menu-anchor">
                    <button class="button compact" data-action="transfer" aria-expanded={(*transfer_open).to_string()} onclick={toggle_transfer}>{ icon("transfer") }{ "Transfer" }</button>
                    if *transfer_open { <TransferMenu id={id} on_done={let t = transfer_open.clone(); Callback::from(move |_| t.set(false))} /> }
                </div>
                <LabelPicker id={id} labels={props.view.labels.clone()} />
            </div>
            if let Some(comment) = rating.as_ref().and_then(|r| r.comment.clone()) {
                <blockquote class="rating-comment" data-rating-comment="">{ format!("“{comment}”") }</blockquote>
            }
        </header>
    }
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
