//! The conversation list of the current view: visitor, preview of the newest message (or,
//! for search results, the matching text highlighted), relative time, rating, labels in
//! their colours, and for the queue a waiting time that ticks. Above it, the filters.

use openapi::{
    conversations::{ConversationStatus, MatchField, Priority},
    messages::{AuthorKind, MessageKind},
};
use wasm_bindgen::{JsCast, closure::Closure};
use yew::prelude::*;

use super::{
    avatar::{Avatar, icon},
    filters::FilterBar,
    labels::label_chip,
    nav::search,
};
use crate::{
    app::{use_ctx, use_directory, use_inbox, use_timeline},
    clock::{millis, relative, waited},
    loading,
    state::{Action, View, inbox::Said},
    text::highlight,
};

/// Re-renders the calling component every `period_ms`.
#[hook]
pub fn use_ticker(period_ms: i32) {
    let tick = use_state(|| 0u32);
    use_effect_with((), move |_| {
        let window = web_sys::window().expect("a window");
        let callback = Closure::<dyn FnMut()>::new(move || tick.set(tick.wrapping_add(1)));
        let handle = window
            .set_interval_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), period_ms)
            .unwrap_or(0);
        move || {
            window.clear_interval_with_handle(handle);
            drop(callback);
        }
    });
}

/// Five faces for scores 1 to 5, as the widget shows them.
pub fn rating_face(score: u8) -> &'static str {
    match score {
        1 => "😞",
        2 => "🙁",
        3 => "😐",
        4 => "🙂",
        _ => "😄",
    }
}

#[function_component]
pub fn ListPane() -> Html {
    use_ticker(1000);
    let ctx = use_ctx();
    let inbox = use_inbox();
    let timeline = use_timeline();
    let directory = use_directory();
    let view = inbox.current_view();

    // Resolved conversations are not held live: fetched with the filters on screen.
    {
        let ctx = ctx.clone();
        let filters = (*inbox.filters).clone();
        let wants_resolved = view == View::Resolved || filters.status == Some(ConversationStatus::Resolved);
        use_effect_with((view, filters, wants_resolved), move |(view, filters, wants_resolved)| {
            if *wants_resolved {
                let mut all = view.as_filters(ctx.stores.inbox.my_id);
                merge(&mut all, filters);
                all.status = Some(ConversationStatus::Resolved);
                loading::load_filtered(&ctx, format!("{}&limit=50", super::filters::query(&all)));
            }
        });
    }

    let list = inbox.list(view);
    let title = match view {
        View::Search => format!("Results for “{}”", inbox.search),
        View::Team(team) => format!("Team: {}", directory.team_name(team)),
        View::Saved(id) => inbox.saved_view(id).map_or_else(|| "View".to_owned(), |v| v.name.clone()),
        _ => view.title().to_owned(),
    };
    let empty = if !inbox.filters.is_empty() {
        "No conversation matches these filters."
    } else {
        match view {
            View::Queue => "Nobody is waiting. New conversations appear here as soon as visitors write.",
            View::Mine => "No conversations assigned to you. Claim one from the queue.",
            View::Search => "No conversation matches. Try a name, an email or words from a message.",
            _ => "Nothing here right now.",
        }
    };
    let on_search = {
        let ctx = ctx.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let input = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|f| f.query_selector("input").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                search(&ctx, input.value());
            }
        })
    };
    let me = inbox.my_id;
    let items = list.iter().map(|c| {
        let conversation = *c;
        let id = conversation.id;
        let selected = inbox.selected == Some(id);
        let unread = inbox.unread.contains(&id);
        let visitor = inbox.visitor_name(conversation.visitor_id);
        // The newest of the message held in full (the open conversation's) and the
        // preview the list and the feed carry.
        let last = match (timeline.last_message(id), &conversation.last_message) {
            (Some(m), Some(p)) if p.seq > m.seq => Some(Said::previewed(id, p)),
            (Some(m), _) => Some(Said::from(m)),
            (None, Some(p)) => Some(Said::previewed(id, p)),
            (None, None) => None,
        };
        let hit = (view == View::Search).then(|| inbox.search_hits.iter().find(|h| h.conversation_id == id)).flatten();
        let preview = match hit {
            Some(hit) if !hit.snippet.is_empty() => {
                let place = match hit.field {
                    MatchField::Name => "Name: ",
                    MatchField::Email => "Email: ",
                    MatchField::Message => "",
                };
                let runs = highlight(&hit.snippet, &inbox.search).into_iter().map(|(text, hit)| {
                    if hit { html! { <mark>{ text }</mark> } } else { html! { { text } } }
                });
                html! { <span class="conv-preview" data-snippet="">{ place }{ for runs }</span> }
            }
            _ => {
                let text = match &last {
                    Some(m) if m.kind == MessageKind::Note => format!("Note: {}", m.summary),
                    Some(m) if m.author_kind == AuthorKind::Agent && m.author_id == me => format!("You: {}", m.summary),
                    Some(m) => m.summary.clone(),
                    None => "…".to_owned(),
                };
                html! { <span class="conv-preview">{ text }</span> }
            }
        };
        let time = if view == View::Queue {
            html! { <span class="waiting" title="Waiting time" data-waiting="">{ waited(inbox.waiting_since(c)) }</span> }
        } else {
            let at = last.as_ref().map_or(millis(&conversation.updated_at), |m| millis(&m.created_at));
            html! { <time class="when">{ relative(at) }</time> }
        };
        let assignee =
            conversation.assignee_id.map(|a| if Some(a) == me { "You".to_owned() } else { directory.agent_name(a) });
        let onclick = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.send(Action::Select(Some(id))))
        };
        let priority = match conversation.priority {
            Priority::Urgent => Some(("Urgent", "prio-urgent")),
            Priority::High => Some(("High", "prio-high")),
            _ => None,
        };
        let status = (matches!(view, View::Search | View::Open | View::Team(_) | View::Saved(_))).then(|| {
            match conversation.status {
                ConversationStatus::Open if conversation.assignee_id.is_none() => Some("Waiting"),
                ConversationStatus::Pending => Some("Pending"),
                ConversationStatus::Snoozed => Some("Snoozed"),
                ConversationStatus::Resolved => Some("Resolved"),
                _ => None,
            }
        });
        let rating = conversation.rating.as_ref().map(|r| {
            html! {
                <span class="tag tag-rating" data-rating={r.score.to_string()}
                    title={format!("Rated {} of 5{}", r.score, r.comment.as_deref().map(|c| format!(": “{c}”")).unwrap_or_default())}>
                    <span aria-hidden="true">{ rating_face(r.score) }</span>{ format!(" {}/5", r.score) }
                </span>
            }
        });
        html! {
            <li key={id.to_string()}>
                <button class={classes!("conv-item", selected.then_some("selected"), unread.then_some("unread"))}
                    data-conversation={id.to_string()} aria-current={selected.then_some("true")} {onclick}>
                    <Avatar name={visitor.clone()} seed={conversation.visitor_id.to_string()} />
                    <span class="conv-main">
                        <span class="conv-top">
                            <span class="conv-name">{ visitor }</span>
                            if unread { <span class="dot" role="img" aria-label="Unread"></span> }
                            { time }
                        </span>
                        { preview }
                        <span class="conv-meta">
                            if let Some((label, class)) = priority { <span class={classes!("tag", class)}>{ label }</span> }
                            if let Some(Some(status)) = status { <span class="tag">{ status }</span> }
                            { for rating }
                            { for c.labels.iter().take(2).map(|l| label_chip(l, &directory.label_color(l))) }
                            if let Some(assignee) = assignee { <span class="conv-assignee">{ assignee }</span> }
                        </span>
                    </span>
                </button>
            </li>
        }
    });
    html! {
        <section class="list-pane" aria-labelledby="list-title" data-list={view.key()}>
            <form class="search" role="search" onsubmit={on_search}>
                <label for="search" class="sr-only">{ "Search conversations" }</label>
                { icon("search") }
                <input id="search" type="search" placeholder="Search visitors and messages  /" value={(*inbox.search).clone()} />
            </form>
            <header class="pane-header">
                <h1 id="list-title">{ title }</h1>
                if view != View::Search && view != View::Resolved {
                    <span class="muted small" data-list-count="">{ format!("{}", list.len()) }</span>
                }
            </header>
            <FilterBar />
            if list.is_empty() {
                <div class="empty"><p>{ empty }</p></div>
            } else {
                <ul class="conv-list" role="list">{ for items }</ul>
            }
        </section>
    }
}

/// `extra` over `base`: each filter `extra` sets wins.
pub fn merge(base: &mut crate::state::Filters, extra: &crate::state::Filters) {
    if extra.status.is_some() {
        base.status = extra.status;
    }
    if extra.assignee_id.is_some() {
        base.assignee_id = extra.assignee_id;
    }
    if extra.unassigned.is_some() {
        base.unassigned = extra.unassigned;
    }
    if extra.team_id.is_some() {
        base.team_id = extra.team_id;
    }
    if extra.site_id.is_some() {
        base.site_id = extra.site_id;
    }
    if extra.label.is_some() {
        base.label = extra.label.clone();
    }
    if extra.priority.is_some() {
        base.priority = extra.priority;
    }
}
