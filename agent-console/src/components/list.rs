//! The conversation list of the current view: visitor, preview of the newest message,
//! relative time, and for the queue a waiting time that ticks.

use openapi::{
    conversations::{ConversationStatus, Priority},
    messages::{AuthorKind, MessageKind},
};
use wasm_bindgen::{JsCast, closure::Closure};
use yew::prelude::*;

use super::{
    avatar::{Avatar, icon},
    nav::search,
};
use crate::{
    app::Ctx,
    clock::{millis, relative, waited},
    state::{Action, View},
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

#[function_component]
pub fn ListPane() -> Html {
    use_ticker(1000);
    let ctx = use_context::<Ctx>().expect("context");
    let state = &ctx.state;
    let view = state.current_view();
    let list = state.list(view);
    let title =
        if view == View::Search { format!("Results for “{}”", state.search) } else { view.title().to_owned() };
    let empty = match view {
        View::Queue => "Nobody is waiting. New conversations appear here as soon as visitors write.",
        View::Mine => "No conversations assigned to you. Claim one from the queue.",
        View::Search => "No conversation matches. Try a name, an email or words from a message.",
        _ => "Nothing here right now.",
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
    let me = state.my_id();
    let items = list.iter().map(|c| {
        let conversation = *c;
        let id = conversation.id;
        let selected = state.selected == Some(id);
        let unread = state.unread.contains(&id);
        let visitor = state.visitor_name(conversation.visitor_id);
        let last = state.last_message(id);
        let preview = match last {
            Some(m) if m.kind == MessageKind::Note => format!("Note: {}", super::attachments::summary(m)),
            Some(m) if m.author_kind == AuthorKind::Agent && m.author_id == me => format!("You: {}", super::attachments::summary(m)),
            Some(m) => super::attachments::summary(m),
            None => "…".to_owned(),
        };
        let time = if view == View::Queue {
            html! { <span class="waiting" title="Waiting time" data-waiting="">{ waited(state.waiting_since(c)) }</span> }
        } else {
            let at = last.map_or(millis(&conversation.updated_at), |m| millis(&m.created_at));
            html! { <time class="when">{ relative(at) }</time> }
        };
        let assignee = conversation.assignee_id.map(|a| if Some(a) == me { "You".to_owned() } else { state.agent_name(a) });
        let onclick = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.dispatch(Action::Select(Some(id))))
        };
        let priority = match conversation.priority {
            Priority::Urgent => Some(("Urgent", "prio-urgent")),
            Priority::High => Some(("High", "prio-high")),
            _ => None,
        };
        let status = (view == View::Search || view == View::Open).then(|| match conversation.status {
            ConversationStatus::Open if conversation.assignee_id.is_none() => Some("Waiting"),
            ConversationStatus::Pending => Some("Pending"),
            ConversationStatus::Snoozed => Some("Snoozed"),
            ConversationStatus::Resolved => Some("Resolved"),
            _ => None,
        });
        html! {
            <li key={id.to_string()}>
                <button class={classes!("conv-item", selected.then_some("selected"), unread.then_some("unread"))}
                    data-conversation={id.to_string()} aria-current={selected.then_some("true")} {onclick}>
                    <Avatar name={visitor.clone()} seed={conversation.visitor_id.to_string()} />
                    <span class="conv-main">
                        <span class="conv-top">
                            <span class="conv-name">{ visitor }</span>
                            { time }
                        </span>
                        <span class="conv-preview">{ preview }</span>
                        <span class="conv-meta">
                            if let Some((label, class)) = priority { <span class={classes!("tag", class)}>{ label }</span> }
                            if let Some(Some(status)) = status { <span class="tag">{ status }</span> }
                            { for c.labels.iter().take(2).map(|l| html! { <span class="tag tag-label">{ l }</span> }) }
                            if let Some(assignee) = assignee { <span class="conv-assignee">{ assignee }</span> }
                        </span>
                    </span>
                    if unread { <span class="dot" aria-label="Unread"></span> }
                </button>
            </li>
        }
    });
    html! {
        <section class="list-pane" aria-labelledby="list-title" data-list={view.key()}>
            <form class="search" role="search" onsubmit={on_search}>
                <label for="search" class="sr-only">{ "Search conversations" }</label>
                { icon("search") }
                <input id="search" type="search" placeholder="Search visitors and messages  /" value={state.search.clone()} />
            </form>
            <header class="pane-header">
                <h1 id="list-title">{ title }</h1>
                if view != View::Search && view != View::Resolved {
                    <span class="muted small">{ format!("{}", list.len()) }</span>
                }
            </header>
            if list.is_empty() {
                <div class="empty"><p>{ empty }</p></div>
            } else {
                <ul class="conv-list" role="list">{ for items }</ul>
            }
        </section>
    }
}
