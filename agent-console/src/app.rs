//! The console's root: sign-in when there is no session, otherwise the workspace with
//! its live socket, its initial data, the idle timer and the keyboard shortcuts.

use openapi::{messages::MessageKind, realtime::AgentStatus};
use wasm_bindgen::{JsCast, closure::Closure};
use yew::prelude::*;

use crate::{
    components::{
        admin::Admin, conversation::ConversationPane, help::Help, list::ListPane, nav::Nav, reports::Reports,
        sidebar::Sidebar, signin::SignIn,
    },
    notify,
    services::{api, client::Client},
    state::{Action, Console, Link, Screen, View},
};

/// What every component of the signed-in console reads: the state and the socket.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    pub state: UseReducerHandle<Console>,
    pub client: Client,
}

impl Ctx {
    pub fn dispatch(&self, action: Action) {
        self.state.dispatch(action);
    }

    /// Shows an API failure in the toast.
    pub fn fail(&self, failure: api::Failure) {
        self.state.dispatch(Action::Toast(Some((failure.message, true))));
    }

    pub fn toast(&self, text: &str) {
        self.state.dispatch(Action::Toast(Some((text.to_owned(), false))));
    }
}

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(Console::default);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                // A remembered session: the cookie is still valid.
                state.dispatch(Action::Me(api::me().await.ok()));
            });
        });
    }
    match &state.me {
        None => {
            html! { <div class="boot" aria-busy="true"><div class="spinner" role="status" aria-label="Loading"></div></div> }
        }
        Some(None) => {
            let state = state.clone();
            html! { <SignIn on_signed_in={Callback::from(move |me| state.dispatch(Action::Me(Some(me))))} /> }
        }
        Some(Some(_)) => html! { <Workspace state={state.clone()} /> },
    }
}

#[derive(Properties, PartialEq)]
struct WorkspaceProps {
    state: UseReducerHandle<Console>,
}

/// Idle this long (no key, pointer or focus) and the agent goes away.
const IDLE_MS: f64 = 5.0 * 60_000.0;

#[function_component]
fn Workspace(props: &WorkspaceProps) -> Html {
    let state = props.state.clone();
    let client = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |_| Client::start(Callback::from(move |a| dispatcher.dispatch(a))))).clone()
    };
    let ctx = Ctx { state: state.clone(), client: client.clone() };
    // Listeners and tasks installed once read the newest state through this cell.
    let latest = use_mut_ref(|| ctx.clone());
    *latest.borrow_mut() = ctx.clone();

    // Initial data; the socket keeps it current from then on.
    {
        let latest = latest.clone();
        use_effect_with((), move |_| {
            load_everything(latest.clone());
            let stop = latest.borrow().client.clone();
            move || stop.stop()
        });
    }
    // Back from a lost connection: catch up on what the socket could not tell us.
    {
        let latest = latest.clone();
        let previous = use_mut_ref(|| Link::Connecting);
        use_effect_with(state.link, move |link| {
            if *link == Link::Live && *previous.borrow() == Link::Reconnecting {
                load_conversations(latest, false);
            }
            *previous.borrow_mut() = *link;
        });
    }
    use_timers(latest.clone());
    use_shortcuts(latest);
    // Conversations announced by the socket name visitors we may not know yet.
    {
        let ctx = ctx.clone();
        let mut missing: Vec<uuid::Uuid> =
            state.conversations.values().map(|c| c.visitor_id).filter(|v| !state.visitors.contains_key(v)).collect();
        missing.sort();
        missing.dedup();
        use_effect_with(missing, move |missing| {
            if !missing.is_empty() {
                load_visitors(&ctx, missing.clone());
            }
        });
    }
    {
        let unread = state.unread.len();
        use_effect_with(unread, move |unread| notify::set_title(*unread));
    }

    let body = match state.screen {
        Screen::Inbox(_) => html! {
            <>
                <ListPane />
                <ConversationPane />
                <Sidebar />
            </>
        },
        Screen::Admin(section) => html! { <Admin {section} /> },
        Screen::Reports => html! { <Reports /> },
    };
    let toast = state.toast.clone().map(|(text, error)| {
        let ctx = ctx.clone();
        let close = Callback::from(move |_| ctx.dispatch(Action::Toast(None)));
        html! {
            <div class={classes!("toast", error.then_some("toast-error"))} role={if error { "alert" } else { "status" }}>
                <span>{ text }</span>
                <button class="icon-button" aria-label="Dismiss" onclick={close}>{ "×" }</button>
            </div>
        }
    });
    let details = state.details_open.then_some("details-open");
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            // `data-loaded` / `data-link` say when the console is ready (and tests wait for it).
            <div class={classes!("app", details)} data-loaded={state.loaded.then_some("")}
                data-link={if state.link == Link::Live { "live" } else { "down" }}>
                <Nav />
                <main class="workspace" id="main">{ body }</main>
                // Optional parts sit in fixed slots: a part appearing must never make
                // the list of siblings shift (Yew would rebuild the workspace).
                <div class="slot" role="status">
                    if state.link == Link::Reconnecting {
                        <div class="link-banner">{ "Reconnecting… messages you send will go out as soon as the connection is back." }</div>
                    }
                </div>
                <div class="slot">{ for toast }</div>
                <div class="slot">if state.help_open { <Help /> }</div>
            </div>
        </ContextProvider<Ctx>>
    }
}

type Latest = std::rc::Rc<std::cell::RefCell<Ctx>>;

fn load_everything(latest: Latest) {
    let ctx = latest.borrow().clone();
    wasm_bindgen_futures::spawn_local(async move {
        // Small lists; the conversations load meanwhile in their own task.
        if let Ok(page) = api::agents().await {
            ctx.dispatch(Action::Agents(page.items));
        }
        if let Ok(page) = api::teams().await {
            ctx.dispatch(Action::Teams(page.items));
        }
        if let Ok(p) = api::presence().await {
            ctx.dispatch(Action::Presence(p.agents.into_iter().map(|a| (a.agent_id, a.status)).collect()));
        }
        if let Ok(page) = api::canned_responses().await {
            ctx.dispatch(Action::Canned(page.items));
        }
    });
    load_conversations(latest, true);
}

/// Everything still in progress, so the views' counts are right; after a reconnect it
/// also catches what happened while the socket was down.
fn load_conversations(latest: Latest, first: bool) {
    wasm_bindgen_futures::spawn_local(async move {
        let ctx = latest.borrow().clone();
        let mut seen = std::collections::HashSet::new();
        for status in ["open", "pending", "snoozed"] {
            let mut cursor: Option<String> = None;
            for _ in 0..5 {
                let query = match &cursor {
                    Some(c) => format!("status={status}&limit=100&cursor={}", api::encode(c)),
                    None => format!("status={status}&limit=100"),
                };
                let Ok(page) = api::conversations(&query).await else { break };
                for c in &page.items {
                    seen.insert(c.id);
                    ctx.client.follow(c.id, (c.last_seq - 1).max(0));
                }
                load_visitors(&latest.borrow(), page.items.iter().map(|c| c.visitor_id).collect());
                ctx.dispatch(Action::Conversations(page.items));
                cursor = page.next_cursor;
                if cursor.is_none() {
                    break;
                }
            }
        }
        refresh_queue(&ctx).await;
        let state = latest.borrow().state.clone();
        if first {
            ctx.dispatch(Action::Loaded);
            if let Some(id) = linked_conversation() {
                open_linked(&ctx, &latest, id).await;
                return;
            }
            if state.selected.is_none()
                && let Some(first) = state.list(View::Queue).first().or(state.list(View::Mine).first())
            {
                ctx.dispatch(Action::Select(Some(first.id)));
            }
            return;
        }
        // Held as in progress but no longer listed: resolved (or moved) meanwhile.
        let stale: Vec<uuid::Uuid> = state
            .conversations
            .values()
            .filter(|c| c.status != openapi::conversations::ConversationStatus::Resolved)
            .map(|c| c.id)
            .filter(|id| !seen.contains(id))
            .collect();
        for id in stale {
            if let Ok(view) = api::conversation(id).await {
                ctx.dispatch(Action::Conversations(vec![view]));
            }
        }
    });
}

/// The conversation a link names (`/console/?conversation=<id>`, as in mail to agents).
fn linked_conversation() -> Option<uuid::Uuid> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("conversation")?.parse().ok()
}

/// Opens a linked conversation in the first view that lists it (resolved ones included).
async fn open_linked(ctx: &Ctx, latest: &Latest, id: uuid::Uuid) {
    let conversation = match api::conversation(id).await {
        Ok(conversation) => conversation,
        Err(failure) => return ctx.fail(failure),
    };
    load_visitors(ctx, vec![conversation.visitor_id]);
    ctx.dispatch(Action::Conversations(vec![conversation.clone()]));
    let state = latest.borrow().state.clone();
    let view = [View::Mine, View::Queue, View::Open, View::Pending, View::Snoozed, View::Resolved]
        .into_iter()
        .find(|view| state.in_view(*view, &conversation))
        .unwrap_or(View::Open);
    ctx.dispatch(Action::Screen(Screen::Inbox(view)));
    ctx.dispatch(Action::Select(Some(id)));
}

/// Waiting positions and times from the routing queue (when the server has it).
pub async fn refresh_queue(ctx: &Ctx) {
    if let Ok(queue) = api::queue().await {
        load_visitors(ctx, queue.items.iter().map(|i| i.conversation.visitor_id).collect());
        ctx.dispatch(Action::Queue(queue.items));
    }
}

/// Fetches a visitor again (the sidebar shows the latest name and attributes).
pub fn refresh_visitor(ctx: &Ctx, id: uuid::Uuid) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(visitor) = api::visitor(id).await {
            ctx.dispatch(Action::Visitor(visitor));
        }
    });
}

/// Fetches the visitors not held yet (names for the list, details for the sidebar).
pub fn load_visitors(ctx: &Ctx, ids: Vec<uuid::Uuid>) {
    let mut wanted: Vec<uuid::Uuid> = ids.into_iter().filter(|id| !ctx.state.visitors.contains_key(id)).collect();
    wanted.sort();
    wanted.dedup();
    for id in wanted {
        let ctx = ctx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(visitor) = api::visitor(id).await {
                ctx.dispatch(Action::Visitor(visitor));
            }
        });
    }
}

/// Typing indicators expire; an idle agent goes away and comes back on input.
#[hook]
fn use_timers(latest: Latest) {
    use_effect_with((), move |_| {
        let window = web_sys::window().expect("a window");
        let last_input = std::rc::Rc::new(std::cell::Cell::new(crate::clock::now_ms()));
        let tick = {
            let latest = latest.clone();
            let last_input = last_input.clone();
            Closure::<dyn FnMut()>::new(move || {
                let ctx = latest.borrow().clone();
                ctx.dispatch(Action::Tick);
                let idle = crate::clock::now_ms() - last_input.get() > IDLE_MS;
                if idle && ctx.state.my_status == AgentStatus::Online {
                    ctx.client.set_status(AgentStatus::Away, true);
                }
            })
        };
        let interval = window
            .set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 1000)
            .unwrap_or(0);
        let activity = {
            let latest = latest.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                let ctx = latest.borrow().clone();
                last_input.set(crate::clock::now_ms());
                if ctx.state.auto_away && ctx.state.my_status == AgentStatus::Away {
                    ctx.client.set_status(AgentStatus::Online, false);
                }
            })
        };
        let visibility = {
            let latest = latest.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                let ctx = latest.borrow().clone();
                if notify::tab_visible() {
                    ctx.dispatch(Action::Seen);
                }
            })
        };
        for event in ["keydown", "pointerdown", "pointermove", "focus"] {
            let _ = window.add_event_listener_with_callback(event, activity.as_ref().unchecked_ref());
        }
        let document = window.document().expect("a document");
        let _ = document.add_event_listener_with_callback("visibilitychange", visibility.as_ref().unchecked_ref());
        move || {
            window.clear_interval_with_handle(interval);
            for event in ["keydown", "pointerdown", "pointermove", "focus"] {
                let _ = window.remove_event_listener_with_callback(event, activity.as_ref().unchecked_ref());
            }
            let _ =
                document.remove_event_listener_with_callback("visibilitychange", visibility.as_ref().unchecked_ref());
            drop((tick, activity, visibility));
        }
    });
}

/// Single-key shortcuts outside text fields (the help overlay lists them).
#[hook]
fn use_shortcuts(latest: Latest) {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document()).expect("a document");
        let listener = Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| {
            let ctx = latest.borrow().clone();
            on_shortcut(&ctx, &event);
        });
        let _ = document.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        move || {
            let _ = document.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            drop(listener);
        }
    });
}

fn on_shortcut(ctx: &Ctx, event: &KeyboardEvent) {
    if event.key() == "Escape" {
        ctx.dispatch(Action::Help(false));
        ctx.dispatch(Action::Details(false));
        return;
    }
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let typing_in_field = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable")
    });
    if typing_in_field {
        return;
    }
    let state = &ctx.state;
    let selected = state.selected.and_then(|id| state.conversations.get(&id)).cloned();
    let handled = match event.key().as_str() {
        "j" | "ArrowDown" => {
            ctx.dispatch(Action::Step(1));
            true
        }
        "k" | "ArrowUp" => {
            ctx.dispatch(Action::Step(-1));
            true
        }
        "r" => {
            ctx.dispatch(Action::FocusComposer(Some(MessageKind::Text)));
            true
        }
        "n" => {
            ctx.dispatch(Action::FocusComposer(Some(MessageKind::Note)));
            true
        }
        "/" => {
            if let Some(input) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("search"))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = input.focus();
            }
            true
        }
        "?" => {
            ctx.dispatch(Action::Help(!state.help_open));
            true
        }
        "e" => match selected {
            Some(c) => {
                crate::components::conversation::set_status(
                    ctx,
                    c.id,
                    openapi::conversations::ConversationStatus::Resolved,
                );
                true
            }
            None => false,
        },
        "c" => match selected {
            Some(c) if c.assignee_id.is_none() => {
                crate::components::conversation::claim(ctx, c.id);
                true
            }
            _ => false,
        },
        "g" => {
            ctx.dispatch(Action::Screen(Screen::Inbox(View::Queue)));
            true
        }
        _ => false,
    };
    if handled {
        event.prevent_default();
    }
}
