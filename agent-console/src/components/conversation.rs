//! The open conversation: its header and actions (claim, resolve / reopen, snooze,
//! priority, labels, transfer), a warning when a colleague is in it too, the history
//! with scroll-back, live messages, the visitor's typing, and the composer.

use chrono::{DateTime, Duration, Utc};
use openapi::{
    conversations::{Conversation, ConversationStatus, ConversationUpdate, Priority},
    messages::{AuthorKind, Message, MessageKind},
    realtime::Participant,
};
use uuid::Uuid;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::{
    attachments::attachment_list,
    avatar::{Avatar, icon},
    composer::Composer,
};
use crate::{
    app::{Ctx, refresh_queue, refresh_visitor},
    clock::{clock_time, day, full_time, millis, now_ms},
    notify,
    services::api,
    state::{Action, Pending},
};

/// Messages fetched per page of history.
const PAGE: i64 = 50;

pub fn claim(ctx: &Ctx, id: Uuid) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::claim(id).await {
            Ok(view) => {
                ctx.dispatch(Action::Conversations(vec![view]));
                ctx.toast("Claimed: the conversation is yours.");
            }
            Err(failure) if failure.code == "already_assigned" => {
                ctx.dispatch(Action::Toast(Some(("Someone else claimed this conversation first.".into(), true))));
                if let Ok(view) = api::conversation(id).await {
                    ctx.dispatch(Action::Conversations(vec![view]));
                }
            }
            Err(failure) => ctx.fail(failure),
        }
        refresh_queue(&ctx).await;
    });
}

pub fn update(ctx: &Ctx, id: Uuid, changes: ConversationUpdate, done: &'static str) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::update_conversation(id, &changes).await {
            Ok(view) => {
                ctx.dispatch(Action::Conversations(vec![view]));
                if !done.is_empty() {
                    ctx.toast(done);
                }
            }
            Err(failure) => ctx.fail(failure),
        }
    });
}

pub fn set_status(ctx: &Ctx, id: Uuid, status: ConversationStatus) {
    let done = match status {
        ConversationStatus::Resolved => "Resolved.",
        ConversationStatus::Open => "Reopened.",
        ConversationStatus::Pending => "Marked as pending.",
        ConversationStatus::Snoozed => "Snoozed.",
    };
    update(ctx, id, ConversationUpdate { status: Some(status), ..ConversationUpdate::default() }, done);
}

fn snooze(ctx: &Ctx, id: Uuid, until: DateTime<Utc>) {
    let changes = ConversationUpdate {
        status: Some(ConversationStatus::Snoozed),
        snoozed_until: Some(until),
        ..ConversationUpdate::default()
    };
    update(ctx, id, changes, "Snoozed.");
}

/// Loads the history before what is held (or the newest page when nothing is).
fn load_history(ctx: &Ctx, id: Uuid, last_seq: i64) {
    let oldest = ctx.state.messages.get(&id).and_then(|m| m.keys().next().copied());
    let end = match oldest {
        // Held from the newest down to `oldest`: fetch the page before it.
        Some(oldest) if ctx.state.messages.get(&id).is_some_and(|m| m.len() as i64 > last_seq - oldest) => oldest - 1,
        _ => last_seq,
    };
    if end <= 0 {
        ctx.dispatch(Action::History(id, Vec::new(), true));
        return;
    }
    let after = (end - PAGE).max(0);
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::messages(id, after, end - after).await {
            Ok(range) => ctx.dispatch(Action::History(id, range.items, after == 0)),
            Err(failure) => ctx.fail(failure),
        }
    });
}

#[function_component]
pub fn ConversationPane() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let state = &ctx.state;
    let selected = state.selected.and_then(|id| state.conversations.get(&id)).cloned();
    let timeline = use_node_ref();
    let id = selected.as_ref().map(|c| c.id);

    // Opening a conversation: history, live messages, the visitor.
    {
        let ctx = ctx.clone();
        let selected = selected.clone();
        use_effect_with(id, move |_| {
            if let Some(c) = selected {
                load_history(&ctx, c.id, c.last_seq);
                ctx.client.follow(c.id, c.last_seq);
                refresh_visitor(&ctx, c.visitor_id);
            }
        });
    }
    let last_seq = id.and_then(|id| state.last_message(id)).map_or(0, |m| m.seq);
    let pending_here = state.pending.iter().filter(|p| Some(p.conversation_id) == id).count();
    // Newest message visible: scroll to it, and tell the others it was read.
    {
        let ctx = ctx.clone();
        let timeline = timeline.clone();
        use_effect_with((id, last_seq, pending_here), move |(id, last_seq, _)| {
            if let Some(el) = timeline.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
            if let Some(id) = id
                && notify::tab_visible()
            {
                ctx.client.read(*id, *last_seq);
            }
        });
    }

    let Some(view) = selected else {
        return html! {
            <section class="conversation-pane empty-pane" aria-label="Conversation">
                <div class="empty">
                    <div class="empty-art" aria-hidden="true">{ icon("open") }</div>
                    <h2>{ "No conversation selected" }</h2>
                    <p class="muted">{ "Pick one from the list, or press " }<kbd>{ "j" }</kbd>{ " / " }<kbd>{ "k" }</kbd>{ "." }</p>
                </div>
            </section>
        };
    };
    let c = view.clone();
    let visitor = state.visitor_name(c.visitor_id);
    let me = state.my_id();

    // Colleagues in this conversation right now.
    let others: Vec<(String, bool)> = state
        .viewers
        .keys()
        .filter(|(conv, _)| *conv == c.id)
        .map(|(_, agent)| (state.agent_name(*agent), state.typing.contains_key(&(c.id, Participant::Agent(*agent)))))
        .collect();
    let warning = (!others.is_empty()).then(|| {
        let text = others
            .iter()
            .map(|(name, typing)| if *typing { format!("{name} is typing a reply") } else { format!("{name} is viewing") })
            .collect::<Vec<_>>()
            .join(" · ");
        html! { <div class="collision" role="status" data-collision="">{ "⚠ " }{ text }{ " in this conversation." }</div> }
    });

    let visitor_typing =
        state.typing.iter().find(|((conv, who), _)| *conv == c.id && matches!(who, Participant::Visitor(_)));
    let messages: Vec<Message> = state.messages.get(&c.id).map(|m| m.values().cloned().collect()).unwrap_or_default();
    let complete = state.complete.contains(&c.id) || messages.first().is_some_and(|m| m.seq <= 1);
    let visitor_read = state.read_cursors.get(&(c.id, Participant::Visitor(c.visitor_id))).copied().unwrap_or(0);
    let last_seen_mine = messages
        .iter()
        .filter(|m| m.author_kind == AuthorKind::Agent && m.kind == MessageKind::Text && m.seq <= visitor_read)
        .map(|m| m.seq)
        .max();

    let mut rows = Vec::new();
    let mut last_day = String::new();
    for m in &messages {
        let at = millis(&m.created_at);
        let this_day = day(at);
        if this_day != last_day {
            rows.push(html! { <li key={format!("day-{this_day}")} class="day" role="separator"><span>{ this_day.clone() }</span></li> });
            last_day = this_day;
        }
        rows.push(message_row(&ctx, m, &visitor, me, last_seen_mine == Some(m.seq)));
    }
    for p in state.pending.iter().filter(|p| p.conversation_id == c.id) {
        rows.push(pending_row(p));
    }
    let newest_other = messages.iter().rev().find(|m| m.author_kind == AuthorKind::Visitor);
    let announce = newest_other.map(|m| format!("{visitor}: {}", super::attachments::summary(m))).unwrap_or_default();

    let on_scroll = {
        let ctx = ctx.clone();
        let timeline = timeline.clone();
        let last = c.last_seq;
        Callback::from(move |_: Event| {
            if let Some(el) = timeline.cast::<HtmlElement>()
                && el.scroll_top() < 40
                && !complete
            {
                load_history(&ctx, c.id, last);
            }
        })
    };
    let load_earlier = {
        let ctx = ctx.clone();
        let last = c.last_seq;
        Callback::from(move |_| load_history(&ctx, c.id, last))
    };

    html! {
        <section class="conversation-pane" aria-label={format!("Conversation with {visitor}")} data-open-conversation={c.id.to_string()}>
            <Header view={view.clone()} />
            <div class="slot">{ for warning }</div>
            <ol class="timeline" ref={timeline} onscroll={on_scroll} aria-label="Messages">
                { for (!complete).then(|| html! {
                    <li key="load-earlier" class="load-earlier"><button class="link-button" onclick={load_earlier}>{ "Load earlier messages" }</button></li>
                }) }
                { for rows }
            </ol>
            <div class="typing-line" aria-hidden="true">
                if let Some((_, typing)) = visitor_typing {
                    <span class="typing" data-visitor-typing="">
                        <span class="dots"><i></i><i></i><i></i></span>
                        { format!("{visitor} is typing") }
                        if let Some(preview) = &typing.preview { <span class="preview">{ format!(": “{preview}”") }</span> }
                    </span>
                }
            </div>
            <p class="sr-only" aria-live="polite">{ announce }</p>
            <Composer conversation={c.clone()} />
        </section>
    }
}

fn message_row(ctx: &Ctx, m: &Message, visitor: &str, me: Option<Uuid>, seen: bool) -> Html {
    let state = &ctx.state;
    let time = html! { <time title={full_time(millis(&m.created_at))}>{ clock_time(millis(&m.created_at)) }</time> };
    match (m.author_kind, m.kind) {
        (AuthorKind::System, _) => html! {
            <li key={m.seq} class="msg-system" data-seq={m.seq.to_string()}><span>{ &m.body }</span>{ time }</li>
        },
        (_, MessageKind::Note) => {
            let author = m.author_id.map_or_else(
                || "Someone".to_owned(),
                |a| if Some(a) == me { "You".into() } else { state.agent_name(a) },
            );
            html! {
                <li key={m.seq} class="msg msg-note" data-seq={m.seq.to_string()} data-kind="note">
                    <div class="note-head"><strong>{ author }</strong>{ " · internal note" }{ time }</div>
                    if !m.body.is_empty() { <div class="bubble">{ &m.body }</div> }
                    { attachment_list(&m.attachments) }
                </li>
            }
        }
        (AuthorKind::Visitor, _) => html! {
            <li key={m.seq} class="msg msg-visitor" data-seq={m.seq.to_string()}>
                <Avatar name={visitor.to_owned()} seed={m.author_id.map(|a| a.to_string()).unwrap_or_default()} size="small" />
                <div>
                    if !m.body.is_empty() { <div class="bubble">{ &m.body }</div> }
                    { attachment_list(&m.attachments) }
                    <div class="msg-meta">{ time }</div>
                </div>
            </li>
        },
        _ => {
            let name = match (m.author_kind, m.author_id) {
                (AuthorKind::Integration, _) => "Integration".to_owned(),
                (_, Some(a)) if Some(a) == me => "You".to_owned(),
                (_, Some(a)) => state.agent_name(a),
                _ => "Agent".to_owned(),
            };
            html! {
                <li key={m.seq} class="msg msg-agent" data-seq={m.seq.to_string()} data-kind="text">
                    <div>
                        if !m.body.is_empty() { <div class="bubble">{ &m.body }</div> }
                    { attachment_list(&m.attachments) }
                        <div class="msg-meta">{ name }{ " · " }{ time }
                            if seen { <span class="seen" data-seen="">{ " · Seen" }</span> }
                        </div>
                    </div>
                </li>
            }
        }
    }
}

fn pending_row(p: &Pending) -> Html {
    let note = p.kind == MessageKind::Note;
    html! {
        <li key={p.client_msg_id.clone()} class={classes!("msg", if note { "msg-note" } else { "msg-agent" }, "msg-pending")} data-pending="">
            <div>
                <div class="bubble">{ if p.body.is_empty() { "Sending files…" } else { &p.body } }</div>
                <div class="msg-meta">
                    if let Some(why) = &p.failed { <span class="form-error">{ format!("Not sent: {why}") }</span> }
                    else { { "Sending…" } }
                </div>
            </div>
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct HeaderProps {
    view: Conversation,
}

#[function_component]
fn Header(props: &HeaderProps) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let state = &ctx.state;
    let c: Conversation = props.view.clone();
    let visitor = state.visitor_name(c.visitor_id);
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
        let open = state.details_open;
        Callback::from(move |_| ctx.dispatch(Action::Details(!open)))
    };
    let assignee = match c.assignee_id {
        Some(a) if Some(a) == state.my_id() => "Assigned to you".to_owned(),
        Some(a) => format!("Assigned to {}", state.agent_name(a)),
        None => "Unassigned".to_owned(),
    };
    let status_text = match c.status {
        ConversationStatus::Open => "Open",
        ConversationStatus::Pending => "Pending",
        ConversationStatus::Snoozed => "Snoozed",
        ConversationStatus::Resolved => "Resolved",
    };
    let team = c.team_id.map(|t| state.team_name(t));

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
                <Labels id={id} labels={props.view.labels.clone()} />
            </div>
        </header>
    }
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[derive(Properties, PartialEq)]
struct MenuProps {
    id: Uuid,
    on_done: Callback<()>,
}

#[function_component]
fn SnoozeMenu(props: &MenuProps) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
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
                ctx.dispatch(Action::Toast(Some(("Pick a time in the future.".into(), true))));
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
fn TransferMenu(props: &MenuProps) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let target = use_node_ref();
    let note = use_node_ref();
    let state = &ctx.state;
    let me = state.my_id();
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
                        ctx.dispatch(Action::Conversations(vec![view]));
                        ctx.toast("Transferred.");
                        done.emit(());
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let agents = state.agents.iter().filter(|a| a.active && Some(a.id) != me).map(|a| {
        let presence = state.presence.get(&a.id).map_or("offline", |s| s.as_str());
        html! { <option value={format!("agent:{}", a.id)}>{ format!("{} ({presence})", a.name) }</option> }
    });
    let teams = state.teams.iter().map(|t| html! { <option value={format!("team:{}", t.id)}>{ &t.name }</option> });
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

#[derive(Properties, PartialEq)]
struct LabelsProps {
    id: Uuid,
    labels: Vec<String>,
}

#[function_component]
fn Labels(props: &LabelsProps) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let input = use_node_ref();
    let save = {
        let ctx = ctx.clone();
        let id = props.id;
        move |labels: Vec<String>| {
            update(&ctx, id, ConversationUpdate { labels: Some(labels), ..ConversationUpdate::default() }, "")
        }
    };
    let chips = props.labels.iter().map(|label| {
        let remove = {
            let save = save.clone();
            let others: Vec<String> = props.labels.iter().filter(|l| *l != label).cloned().collect();
            Callback::from(move |_| save(others.clone()))
        };
        html! {
            <span class="tag tag-label">{ label }
                <button class="chip-x" aria-label={format!("Remove label {label}")} onclick={remove}>{ "×" }</button>
            </span>
        }
    });
    let onkeydown = {
        let (save, input, labels) = (save.clone(), input.clone(), props.labels.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() != "Enter" {
                return;
            }
            event.prevent_default();
            let Some(el) = input.cast::<HtmlInputElement>() else { return };
            let label = el.value().trim().to_lowercase();
            if !label.is_empty() && !labels.contains(&label) {
                let mut next = labels.clone();
                next.push(label);
                save(next);
            }
            el.set_value("");
        })
    };
    html! {
        <div class="labels" aria-label="Labels">
            { for chips }
            <label class="sr-only" for="add-label">{ "Add a label" }</label>
            <input id="add-label" class="label-input" placeholder="+ Label" ref={input} {onkeydown} />
        </div>
    }
}
