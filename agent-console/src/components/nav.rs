//! The left navigation: search, the views with live counts, admin screens, and the
//! agent's own status and menu.

use openapi::realtime::AgentStatus;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::avatar::{Avatar, icon};
use crate::{
    app::{Ctx, load_visitors},
    notify,
    services::api,
    state::{Action, AdminSection, Screen, View},
};

#[function_component]
pub fn Nav() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let state = &ctx.state;
    let Some(me) = state.me().cloned() else { return html! {} };

    let views = View::NAV.iter().map(|&view| {
        let active = state.screen == Screen::Inbox(view);
        let count = if view == View::Resolved { None } else { Some(state.count(view)) };
        let onclick = {
            let ctx = ctx.clone();
            Callback::from(move |_| {
                ctx.dispatch(Action::Screen(Screen::Inbox(view)));
                if view == View::Resolved {
                    load_resolved(&ctx);
                }
            })
        };
        let urgent = view == View::Queue && count.unwrap_or(0) > 0;
        html! {
            <li>
                <button class={classes!("nav-item", active.then_some("active"))} data-view={view.key()} {onclick}
                    aria-current={active.then_some("page")} title={view.title()}>
                    { icon(view.key()) }
                    <span class="nav-label">{ view.title() }</span>
                    if let Some(count) = count {
                        <span class={classes!("count", urgent.then_some("count-urgent"))} data-count={view.key()}
                            data-zero={(count == 0).then_some("")}
                            aria-label={format!("{count} conversations")}>{ count }</span>
                    }
                </button>
            </li>
        }
    });

    let admin = state.is_admin().then(|| {
        let items = AdminSection::ALL.iter().map(|&section| {
            let active = state.screen == Screen::Admin(section);
            let onclick = {
                let ctx = ctx.clone();
                Callback::from(move |_| ctx.dispatch(Action::Screen(Screen::Admin(section))))
            };
            let key = match section {
                AdminSection::Sites => "sites",
                AdminSection::Agents => "agents",
                AdminSection::CannedResponses => "canned",
                AdminSection::ApiKeys => "keys",
                AdminSection::Teams => "teams",
                AdminSection::Webhooks => "webhooks",
            };
            html! {
                <li>
                    <button class={classes!("nav-item", active.then_some("active"))} data-admin={key} {onclick}
                        aria-current={active.then_some("page")} title={section.title()}>
                        { icon(key) }<span class="nav-label">{ section.title() }</span>
                    </button>
                </li>
            }
        });
        let reports_active = state.screen == Screen::Reports;
        let on_reports = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.dispatch(Action::Screen(Screen::Reports)))
        };
        html! {
            <>
                <h2 class="nav-heading">{ "Insights" }</h2>
                <ul class="nav-list">
                    <li>
                        <button class={classes!("nav-item", reports_active.then_some("active"))} data-view="reports"
                            onclick={on_reports} aria-current={reports_active.then_some("page")} title="Reports">
                            { icon("reports") }<span class="nav-label">{ "Reports" }</span>
                        </button>
                    </li>
                </ul>
                <h2 class="nav-heading">{ "Settings" }</h2>
                <ul class="nav-list">{ for items }</ul>
            </>
        }
    });

    let on_status = {
        let ctx = ctx.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(status) = AgentStatus::parse(&value) {
                ctx.client.set_status(status, false);
            }
        })
    };
    let on_signout = {
        let ctx = ctx.clone();
        Callback::from(move |_| {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = api::signout().await;
                ctx.client.stop();
                ctx.dispatch(Action::Me(None));
            });
        })
    };
    let on_notify = Callback::from(|_| notify::request_permission());
    let on_help = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.dispatch(Action::Help(true)))
    };
    let status = state.my_status.as_str();
    let can_notify = notify::permission() == web_sys::NotificationPermission::Default;

    html! {
        <nav class="nav" aria-label="Inbox">
            <div class="brand"><span class="brand-mark" aria-hidden="true">{ "R" }</span>
                <span class="nav-label">{ me.workspace.name.clone() }</span></div>
            <ul class="nav-list">{ for views }</ul>
            { for admin }
            <div class="nav-spacer"></div>
            <div class="me">
                <Avatar name={me.agent.name.clone()} seed={me.agent.id.to_string()} {status} />
                <div class="me-text nav-label">
                    <span class="me-name">{ me.agent.name.clone() }</span>
                    <label class="sr-only" for="my-status">{ "Your status" }</label>
                    <select id="my-status" class={classes!("status-select", status)} onchange={on_status}>
                        { for [AgentStatus::Online, AgentStatus::Away, AgentStatus::Offline].iter().map(|s| html! {
                            <option value={s.as_str()} selected={s.as_str() == status}>{ capitalise(s.as_str()) }</option>
                        }) }
                    </select>
                </div>
            </div>
            <div class="me-actions">
                <super::picture::PictureButton agent_id={me.agent.id} name={me.agent.name.clone()} />
                if can_notify {
                    <button class="icon-button" title="Enable desktop notifications" aria-label="Enable desktop notifications" onclick={on_notify}>{ icon("bell") }</button>
                }
                <button class="icon-button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" onclick={on_help}>{ icon("keyboard") }</button>
                <button class="icon-button" title="Sign out" aria-label="Sign out" data-action="signout" onclick={on_signout}>{ icon("signout") }</button>
            </div>
        </nav>
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Resolved conversations are not kept live from the start: fetched on demand.
fn load_resolved(ctx: &Ctx) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::conversations("status=resolved&limit=50").await {
            Ok(page) => {
                load_visitors(&ctx, page.items.iter().map(|c| c.visitor_id).collect());
                ctx.dispatch(Action::Conversations(page.items));
            }
            Err(failure) => ctx.fail(failure),
        }
    });
}

/// Which search is the latest: answers can arrive out of order (a short query scans more
/// rows than a longer one typed after it), and only the latest one may fill the list.
static LATEST_SEARCH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

pub fn search(ctx: &Ctx, text: String) {
    use std::sync::atomic::Ordering::Relaxed;
    let this_search = LATEST_SEARCH.fetch_add(1, Relaxed) + 1;
    let text = text.trim().to_owned();
    if text.is_empty() {
        ctx.dispatch(Action::Screen(Screen::Inbox(View::Open)));
        return;
    }
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let answer = api::conversations(&format!("q={}&limit=50", api::encode(&text))).await;
        if LATEST_SEARCH.load(Relaxed) != this_search {
            return;
        }
        match answer {
            Ok(page) => {
                load_visitors(&ctx, page.items.iter().map(|c| c.visitor_id).collect());
                let ids = page.items.iter().map(|c| c.id).collect();
                ctx.dispatch(Action::Conversations(page.items));
                ctx.dispatch(Action::Search(text, ids));
            }
            Err(failure) => ctx.fail(failure),
        }
    });
}
