//! The snooze menu (an hour, four, tomorrow, next week, a chosen time, or pending) and
//! the transfer menu (to an agent, with their presence, or a team, with a note).

use chrono::{DateTime, Duration, Utc};
use openapi::conversations::{ConversationStatus, ConversationUpdate};
use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::{set_status, update};
use crate::{
    app::{Ctx, use_ctx, use_directory, use_live},
    clock::now_ms,
    services::api,
    state::Action,
};

fn snooze(ctx: &Ctx, id: Uuid, until: DateTime<Utc>) {
    let changes = ConversationUpdate {
        status: Some(ConversationStatus::Snoozed),
        snoozed_until: Some(until),
        ..ConversationUpdate::default()
    };
    update(ctx, id, changes, "Snoozed.");
}

#[derive(Properties, PartialEq)]
pub struct MenuProps {
    pub id: Uuid,
    pub on_done: Callback<()>,
}

#[function_component]
pub fn SnoozeMenu(props: &MenuProps) -> Html {
    let ctx = use_ctx();
    let custom = use_node_ref();
    let pick = |hours: i64| {
        let (ctx, id, done) = (ctx.clone(), props.id, props.on_done.clone());
        Callback::from(move |_| {
            snooze(&ctx, id, utc_now() + Duration::hours(hours));
            done.emit(());
        })
    };
    let on_custom = {
        let (ctx, id, done, custom) = (ctx.clone(), props.id, props.on_done.clone(), custom.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(input) = custom.cast::<HtmlInputElement>() else { return };
            // `datetime-local` is in the agent's zone; the browser converts it.
            let millis = js_sys::Date::new(&input.value().into()).get_time();
            if millis.is_nan() || millis <= now_ms() {
                ctx.send(Action::Toast(Some(("Pick a time in the future.".into(), true))));
                return;
            }
            if let Some(until) = DateTime::<Utc>::from_timestamp_millis(millis as i64) {
                snooze(&ctx, id, until);
                done.emit(());
            }
        })
    };
    let pending = {
        let (ctx, id, done) = (ctx.clone(), props.id, props.on_done.clone());
        Callback::from(move |_| {
            set_status(&ctx, id, ConversationStatus::Pending);
            done.emit(());
        })
    };
    html! {
        <div class="menu" role="dialog" aria-label="Snooze until">
            <button class="menu-item" onclick={pick(1)}>{ "In 1 hour" }</button>
            <button class="menu-item" onclick={pick(4)}>{ "In 4 hours" }</button>
            <button class="menu-item" onclick={pick(24)}>{ "Tomorrow" }</button>
            <button class="menu-item" onclick={pick(24 * 7)}>{ "Next week" }</button>
            <button class="menu-item" onclick={pending}>{ "No snooze: mark as pending (waiting for the visitor)" }</button>
            <form class="menu-form" onsubmit={on_custom}>
                <label for="snooze-until">{ "Until" }</label>
                <input id="snooze-until" type="datetime-local" ref={custom} required=true />
                <button class="button small" type="submit">{ "Snooze" }</button>
            </form>
        </div>
    }
}

/// The browser's clock (chrono's own clock is not wired to it in wasm).
fn utc_now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(now_ms() as i64).unwrap_or_default()
}

#[function_component]
pub fn TransferMenu(props: &MenuProps) -> Html {
    let ctx = use_ctx();
    let target = use_node_ref();
    let note = use_node_ref();
    let directory = use_directory();
    let live = use_live();
    let me = ctx.stores.inbox.my_id;
    let onsubmit = {
        let (ctx, id, done, target, note) =
            (ctx.clone(), props.id, props.on_done.clone(), target.clone(), note.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let choice = target.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            let note = note.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default();
            let (agent, team) = match choice.split_once(':') {
                Some(("agent", id)) => (id.parse().ok(), None),
                Some(("team", id)) => (None, id.parse().ok()),
                _ => return,
            };
            let (ctx, done) = (ctx.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::transfer(id, agent, team, &note).await {
                    Ok(view) => {
                        ctx.send(Action::Conversations(vec![view]));
                        ctx.toast("Transferred.");
                        done.emit(());
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let agents = directory.agents.iter().filter(|a| a.active && Some(a.id) != me).map(|a| {
        let presence = live.presence.get(&a.id).map_or("offline", |s| s.as_str());
        html! { <option value={format!("agent:{}", a.id)}>{ format!("{} ({presence})", a.name) }</option> }
    });
    let teams = directory.teams.iter().map(|t| html! { <option value={format!("team:{}", t.id)}>{ &t.name }</option> });
    html! {
        <form class="menu menu-wide" role="dialog" aria-label="Transfer conversation" {onsubmit}>
            <label for="transfer-to">{ "Transfer to" }</label>
            <select id="transfer-to" class="select" ref={target} required=true>
                <option value="" disabled=true selected=true>{ "Choose an agent or team" }</option>
                <optgroup label="Agents">{ for agents }</optgroup>
                <optgroup label="Teams">{ for teams }</optgroup>
            </select>
            <label for="transfer-note">{ "Note for the next agent (internal)" }</label>
            <textarea id="transfer-note" rows="3" ref={note} placeholder="Context that helps them pick it up…" />
            <div class="menu-buttons">
                <button type="button" class="button" onclick={let d = props.on_done.clone(); Callback::from(move |_| d.emit(()))}>{ "Cancel" }</button>
                <button type="submit" class="button primary" data-action="confirm-transfer">{ "Transfer" }</button>
            </div>
        </form>
    }
}
