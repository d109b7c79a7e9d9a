//! The open conversation:
//!
//! - this file: the pane (history with scroll-back, live messages, the composer) and the
//!   actions every part uses (claim, update, status);
//! - [`header`]: who, status, assignee, rating, and the toolbar (priority, snooze,
//!   transfer, labels);
//! - [`menus`]: the snooze and transfer menus;
//! - [`rows`]: how each message looks (bubbles, notes, quiet activity lines);
//! - [`presence`]: the visitor typing (with the preview when the site sends it) and
//!   colleagues viewing or typing in the same conversation.

mod header;
mod menus;
mod presence;
mod rows;

use openapi::{
    conversations::{ConversationStatus, ConversationUpdate},
    messages::{AuthorKind, MessageKind},
    realtime::Participant,
};
use uuid::Uuid;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::{avatar::icon, composer::Composer};
use crate::{
    app::{Ctx, use_ctx, use_inbox, use_timeline},
    clock::{day, millis},
    loading::refresh_queue,
    notify,
    services::api,
    state::{Action, summary},
};

/// Messages fetched per page of history.
const PAGE: i64 = 50;

pub fn claim(ctx: &Ctx, id: Uuid) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::claim(id).await {
            Ok(view) => {
                ctx.send(Action::Conversations(vec![view]));
                ctx.toast("Claimed: the conversation is yours.");
            }
            Err(failure) if failure.code == "already_assigned" => {
                ctx.send(Action::Toast(Some(("Someone else claimed this conversation first.".into(), true))));
                if let Ok(view) = api::conversation(id).await {
                    ctx.send(Action::Conversations(vec![view]));
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
                ctx.send(Action::Conversations(vec![view]));
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

/// Loads the history before what is held (or the newest page when nothing is).
fn load_history(ctx: &Ctx, id: Uuid, last_seq: i64) {
    let held = ctx.stores.timeline.of(id).map(|m| (m.len() as i64, m.keys().next().copied()));
    let end = match held {
        // Held from the newest down to `oldest`: fetch the page before it.
        Some((count, Some(oldest))) if count > last_seq - oldest => oldest - 1,
        _ => last_seq,
    };
    if end <= 0 {
        ctx.send(Action::History(id, Vec::new(), true));
        return;
    }
    let after = (end - PAGE).max(0);
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::messages(id, after, end - after).await {
            Ok(range) => ctx.send(Action::History(id, range.items, after == 0)),
            Err(failure) => ctx.fail(failure),
        }
    });
}

#[function_component]
pub fn ConversationPane() -> Html {
    let ctx = use_ctx();
    let inbox = use_inbox();
    let timeline = use_timeline();
    let selected = inbox.selected_conversation().cloned();
    let timeline_ref = use_node_ref();
    let id = selected.as_ref().map(|c| c.id);

    // Opening a conversation: history, live messages, the visitor and their trail.
    {
        let ctx = ctx.clone();
        let selected = selected.clone();
        use_effect_with(id, move |_| {
            if let Some(c) = selected {
                let last_seq = ctx.stores.inbox.last_seq(c.id);
                load_history(&ctx, c.id, last_seq);
                ctx.client.follow(c.id, last_seq);
                ctx.visitors.refresh(&ctx.dispatch, c.visitor_id);
            }
        });
    }
    let last_seq = id.and_then(|id| timeline.last_message(id)).map_or(0, |m| m.seq);
    let pending_here = timeline.pending.iter().filter(|p| Some(p.conversation_id) == id).count();
    // Newest message visible: scroll to it, and tell the others it was read.
    {
        let ctx = ctx.clone();
        let timeline_ref = timeline_ref.clone();
        use_effect_with((id, last_seq, pending_here), move |(id, last_seq, _)| {
            if let Some(el) = timeline_ref.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
            if let Some(id) = id
                && notify::tab_visible()
            {
                ctx.client.read(*id, *last_seq);
            }
        });
    }

    let Some(c) = selected else {
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
    let visitor = inbox.visitor_name(c.visitor_id);
    let me = inbox.my_id;
    let messages: Vec<_> = timeline.of(c.id).map(|m| m.values().cloned().collect()).unwrap_or_default();
    let complete = timeline.complete.contains(&c.id) || messages.first().is_some_and(|m| m.seq <= 1);
    let visitor_read = timeline.read_cursor(c.id, Participant::Visitor(c.visitor_id));
    let last_seen_mine = messages
        .iter()
        .filter(|m| m.author_kind == AuthorKind::Agent && m.kind == MessageKind::Text && m.seq <= visitor_read)
        .map(|m| m.seq)
        .max();

    let mut items = Vec::new();
    let mut last_day = String::new();
    for m in &messages {
        let this_day = day(millis(&m.created_at));
        if this_day != last_day {
            items
                .push(html! { <li key={format!("day-{this_day}")} class="day"><span>{ this_day.clone() }</span></li> });
            last_day = this_day;
        }
        items.push(html! {
            <rows::MessageRow key={m.seq} message={m.clone()} visitor={visitor.clone()} {me} seen={last_seen_mine == Some(m.seq)} />
        });
    }
    for p in timeline.pending.iter().filter(|p| p.conversation_id == c.id) {
        items.push(rows::pending_row(p));
    }
    let newest_other = messages.iter().rev().find(|m| m.author_kind == AuthorKind::Visitor);
    let announce = newest_other.map(|m| format!("{visitor}: {}", summary(m))).unwrap_or_default();

    let on_scroll = {
        let ctx = ctx.clone();
        let timeline_ref = timeline_ref.clone();
        let id = c.id;
        Callback::from(move |_: Event| {
            if let Some(el) = timeline_ref.cast::<HtmlElement>()
                && el.scroll_top() < 40
                && !complete
            {
                load_history(&ctx, id, ctx.stores.inbox.last_seq(id));
            }
        })
    };
    let load_earlier = {
        let ctx = ctx.clone();
        let id = c.id;
        Callback::from(move |_| load_history(&ctx, id, ctx.stores.inbox.last_seq(id)))
    };

    html! {
        <section class="conversation-pane" aria-label={format!("Conversation with {visitor}")} data-open-conversation={c.id.to_string()}>
            <header::Header view={c.clone()} />
            <presence::Colleagues conversation_id={c.id} />
            <ol class="timeline" ref={timeline_ref} onscroll={on_scroll} aria-label="Messages">
                { for (!complete).then(|| html! {
                    <li key="load-earlier" class="load-earlier"><button class="link-button" onclick={load_earlier}>{ "Load earlier messages" }</button></li>
                }) }
                { for items }
            </ol>
            <presence::TypingLine conversation_id={c.id} visitor={visitor.clone()} />
            <p class="sr-only" aria-live="polite">{ announce }</p>
            <Composer conversation={c.clone()} />
        </section>
    }
}
