//! The console's root: sign-in when there is no session, otherwise the workspace with
//! its live socket, its initial data, the idle timer and the keyboard shortcuts.
//!
//! The six stores (see [`crate::state`]) are provided as separate contexts, so a
//! component re-renders only when a store it reads changes; [`Ctx`] is the stable part
//! (the socket, the dispatcher, the visitor loader) that never re-renders anyone.

use openapi::realtime::AgentStatus;
use uuid::Uuid;
use wasm_bindgen::{JsCast, closure::Closure};
use yew::prelude::*;

use crate::{
    address, bundle,
    components::{
        conversation::ConversationPane, help::Help, list::ListPane, nav::Nav, sidebar::Sidebar, signin::SignIn,
    },
    loading, notify,
    services::{api, client::Client, visitors::VisitorLoader},
    shortcuts,
    state::{Action, Directory, Dispatch, Inbox, Link, Live, Screen, Session, Timeline, Ui},
};

/// Every store's handle. A handle always reads the newest state, so listeners installed
/// once can hold one.
#[derive(Clone)]
pub struct Stores {
    pub session: UseReducerHandle<Session>,
    pub inbox: UseReducerHandle<Inbox>,
    pub timeline: UseReducerHandle<Timeline>,
    pub live: UseReducerHandle<Live>,
    pub directory: UseReducerHandle<Directory>,
    pub ui: UseReducerHandle<Ui>,
}

/// The stable part every component of the signed-in console may use. Reading `stores`
/// here does not subscribe to them: render from the `use_*` hooks, read `stores` in
/// callbacks and tasks.
#[derive(Clone)]
pub struct Ctx {
    pub dispatch: Dispatch,
    pub client: Client,
    pub visitors: VisitorLoader,
    pub stores: Stores,
}

impl PartialEq for Ctx {
    fn eq(&self, other: &Self) -> bool {
        self.client == other.client
    }
}

impl Ctx {
    pub fn send(&self, action: Action) {
        self.dispatch.send(action);
    }

    /// Shows an API failure in the toast.
    pub fn fail(&self, failure: api::Failure) {
        self.send(Action::Toast(Some((failure.message, true))));
    }

    pub fn toast(&self, text: &str) {
        self.send(Action::Toast(Some((text.to_owned(), false))));
    }

    /// Fetches the visitors among `ids` that are neither held nor on their way.
    pub fn want_visitors(&self, ids: impl IntoIterator<Item = Uuid>) {
        self.visitors.want(&self.stores.inbox, &self.dispatch, ids);
    }
}

#[hook]
pub fn use_ctx() -> Ctx {
    use_context::<Ctx>().expect("the console's context")
}

#[hook]
pub fn use_session() -> UseReducerHandle<Session> {
    use_context().expect("the session store")
}

#[hook]
pub fn use_inbox() -> UseReducerHandle<Inbox> {
    use_context().expect("the inbox store")
}

#[hook]
pub fn use_timeline() -> UseReducerHandle<Timeline> {
    use_context().expect("the timeline store")
}

#[hook]
pub fn use_live() -> UseReducerHandle<Live> {
    use_context().expect("the live store")
}

#[hook]
pub fn use_directory() -> UseReducerHandle<Directory> {
    use_context().expect("the directory store")
}

#[hook]
pub fn use_ui() -> UseReducerHandle<Ui> {
    use_context().expect("the ui store")
}

#[function_component]
pub fn App() -> Html {
    let stores = Stores {
        session: use_reducer(Session::default),
        inbox: use_reducer(Inbox::default),
        timeline: use_reducer(Timeline::default),
        live: use_reducer(Live::default),
        directory: use_reducer(Directory::default),
        ui: use_reducer(Ui::default),
    };
    let dispatch = Dispatch {
        session: stores.session.dispatcher(),
        inbox: stores.inbox.dispatcher(),
        timeline: stores.timeline.dispatcher(),
        live: stores.live.dispatcher(),
        directory: stores.directory.dispatcher(),
        ui: stores.ui.dispatcher(),
    };
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                // A remembered session: the cookie is still valid.
                dispatch.send(Action::Me(api::me().await.ok()));
            });
        });
    }
    let body = match &stores.session.me {
        None => {
            html! { <div class="boot" aria-busy="true"><div class="spinner" role="status" aria-label="Loading"></div></div> }
        }
        Some(None) => {
            let dispatch = dispatch.clone();
            html! { <SignIn on_signed_in={Callback::from(move |me| dispatch.send(Action::Me(Some(me))))} /> }
        }
        Some(Some(_)) => html! { <Workspace stores={StoresProp(stores.clone())} {dispatch} /> },
    };
    html! {
        <ContextProvider<UseReducerHandle<Session>> context={stores.session.clone()}>
        <ContextProvider<UseReducerHandle<Inbox>> context={stores.inbox.clone()}>
        <ContextProvider<UseReducerHandle<Timeline>> context={stores.timeline.clone()}>
        <ContextProvider<UseReducerHandle<Live>> context={stores.live.clone()}>
        <ContextProvider<UseReducerHandle<Directory>> context={stores.directory.clone()}>
        <ContextProvider<UseReducerHandle<Ui>> context={stores.ui.clone()}>
            { body }
        </ContextProvider<UseReducerHandle<Ui>>>
        </ContextProvider<UseReducerHandle<Directory>>>
        </ContextProvider<UseReducerHandle<Live>>>
        </ContextProvider<UseReducerHandle<Timeline>>>
        </ContextProvider<UseReducerHandle<Inbox>>>
        </ContextProvider<UseReducerHandle<Session>>>
    }
}

/// The handles as a property: equal always (they read the newest state by themselves),
/// so passing them never re-renders the workspace.
#[derive(Clone)]
struct StoresProp(Stores);

impl PartialEq for StoresProp {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[derive(Properties, PartialEq)]
struct WorkspaceProps {
    stores: StoresProp,
    dispatch: Dispatch,
}

#[function_component]
fn Workspace(props: &WorkspaceProps) -> Html {
    let session = use_session();
    let inbox = use_inbox();
    let ui = use_ui();
    let ctx = {
        let (stores, dispatch) = (props.stores.0.clone(), props.dispatch.clone());
        (*use_memo((), move |_| {
            let status = notify::remembered_status(stores.session.my_id()).unwrap_or(AgentStatus::Online);
            let client = Client::start(dispatch.clone(), status);
            Ctx { dispatch, client, visitors: VisitorLoader::new(), stores }
        }))
        .clone()
    };

    // Initial data; the socket keeps it current from then on.
    {
        let ctx = ctx.clone();
        use_effect_with((), move |_| {
            let status = notify::remembered_status(ctx.stores.session.my_id()).unwrap_or(AgentStatus::Online);
            ctx.send(Action::MyStatus(status, false));
            if let Some(screen) = address::requested_screen() {
                ctx.send(Action::Screen(screen));
            }
            loading::load_everything(&ctx);
            let stop = ctx.client.clone();
            move || stop.stop()
        });
    }
    // Back from a lost connection: the feed's replay brings every conversation changed
    // meanwhile; queue positions and waiting times are the queue's own.
    {
        let ctx = ctx.clone();
        let previous = use_mut_ref(|| Link::Connecting);
        use_effect_with(session.link, move |link| {
            if *link == Link::Live && *previous.borrow() == Link::Reconnecting {
                let ctx = ctx.clone();
                wasm_bindgen_futures::spawn_local(async move { loading::refresh_queue(&ctx).await });
            }
            *previous.borrow_mut() = *link;
        });
    }
    // The chosen status survives a reload.
    {
        let my_id = session.my_id();
        use_effect_with((session.my_status, session.auto_away), move |(status, auto)| {
            if !*auto {
                notify::remember_status(my_id, *status);
            }
        });
    }
    use_effect_with(inbox.screen, |screen| bundle::follow(*screen));
    use_timers(ctx.clone());
    shortcuts::use_shortcuts(ctx.clone());
    // Conversations announced by the socket name visitors we may not hold yet.
    {
        let ctx = ctx.clone();
        let missing = inbox.conversations.values().filter(|c| !inbox.visitors.contains_key(&c.visitor_id)).count();
        use_effect_with((missing, inbox.conversations.len()), move |_| {
            let inbox = &ctx.stores.inbox;
            let wanted: Vec<Uuid> = inbox.conversations.values().map(|c| c.visitor_id).collect();
            ctx.want_visitors(wanted);
        });
    }
    {
        let unread = inbox.unread.len();
        use_effect_with(unread, move |unread| notify::set_title(*unread));
    }
    // Alerts say who and what: "New conversation: Jane Doe" — "Where is my order?".
    {
        let ctx = ctx.clone();
        use_effect_with(inbox.alert.clone(), move |alert| {
            if let Some(alert) = alert.clone() {
                notify::raise(&ctx, alert);
            }
        });
    }
    // Toasts go away by themselves (errors stay a little longer).
    {
        let ctx = ctx.clone();
        use_effect_with(ui.toast.clone(), move |toast| {
            if let Some(toast) = toast {
                let serial = toast.serial;
                let delay = if toast.error { 8000 } else { 4000 };
                let ctx = ctx.clone();
                crate::clock::after(delay, move || {
                    if ctx.stores.ui.toast.as_ref().is_some_and(|t| t.serial == serial) {
                        ctx.send(Action::Toast(None));
                    }
                });
            }
        });
    }

    let body = match inbox.screen {
        Screen::Inbox(_) => html! {
            <>
                <ListPane />
                <ConversationPane />
                <Sidebar />
            </>
        },
        screen => bundle::render(screen),
    };
    let toast = ui.toast.clone().map(|toast| {
        let ctx = ctx.clone();
        let close = Callback::from(move |_| ctx.send(Action::Toast(None)));
        html! {
            <div class={classes!("toast", toast.error.then_some("toast-error"))} role={if toast.error { "alert" } else { "status" }}
                data-toast="">
                <span>{ toast.text }</span>
                <button class="icon-button" aria-label="Dismiss" onclick={close}>{ "×" }</button>
            </div>
        }
    });
    let details = ui.details_open.then_some("details-open");
    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            // `data-loaded` / `data-link` say when the console is ready (and tests wait for it).
            <div class={classes!("app", details)} data-loaded={inbox.loaded.then_some("")}
                data-link={if session.link == Link::Live { "live" } else { "down" }}>
                <Nav />
                <main class="workspace" id="main">{ body }</main>
                // Optional parts sit in fixed slots: a part appearing must never make
                // the list of siblings shift (Yew would rebuild the workspace).
                <div class="slot" role="status">
                    if session.link == Link::Reconnecting {
                        <div class="link-banner">{ "Reconnecting… messages you send will go out as soon as the connection is back." }</div>
                    }
                </div>
                <div class="slot">{ for toast }</div>
                <div class="slot">if ui.help_open { <Help /> }</div>
            </div>
        </ContextProvider<Ctx>>
    }
}

/// Idle this long (no key, pointer or focus) and the agent goes away.
const IDLE_MS: f64 = 5.0 * 60_000.0;

/// Typing indicators expire; an idle agent goes away and comes back on input.
#[hook]
fn use_timers(ctx: Ctx) {
    use_effect_with((), move |_| {
        let window = web_sys::window().expect("a window");
        let last_input = std::rc::Rc::new(std::cell::Cell::new(crate::clock::now_ms()));
        let tick = {
            let ctx = ctx.clone();
            let last_input = last_input.clone();
            Closure::<dyn FnMut()>::new(move || {
                ctx.send(Action::Tick(crate::clock::now_ms()));
                let idle = crate::clock::now_ms() - last_input.get() > IDLE_MS;
                if idle && ctx.stores.session.my_status == AgentStatus::Online {
                    ctx.client.set_status(AgentStatus::Away, true);
                }
            })
        };
        let interval = window
            .set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 1000)
            .unwrap_or(0);
        let activity = {
            let ctx = ctx.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                last_input.set(crate::clock::now_ms());
                let session = &ctx.stores.session;
                if session.auto_away && session.my_status == AgentStatus::Away {
                    ctx.client.set_status(AgentStatus::Online, false);
                }
            })
        };
        let visibility = {
            let ctx = ctx.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                ctx.send(Action::TabVisible(notify::tab_visible()));
            })
        };
        ctx.send(Action::TabVisible(notify::tab_visible()));
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
