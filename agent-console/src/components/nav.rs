//! The left navigation: the views with live counts, team inboxes, the agent's saved views,
//! reports and settings, and the agent's own status and menu.

use openapi::realtime::AgentStatus;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::avatar::{Avatar, icon};
use crate::{
    app::{Ctx, use_ctx, use_directory, use_inbox, use_session},
    loading, notify,
    services::api,
    state::{Action, AdminSection, Screen, SearchHit, View},
};

#[function_component]
pub fn Nav() -> Html {
    let ctx = use_ctx();
    let session = use_session();
    let inbox = use_inbox();
    let directory = use_directory();
    let Some(me) = session.me().cloned() else { return html! {} };

    let item = |view: View, title: String, key: String, icon_key: &'static str, count: Option<usize>| {
        let active = inbox.screen == Screen::Inbox(view);
        let onclick = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.send(Action::Screen(Screen::Inbox(view))))
        };
        let urgent = view == View::Queue && count.unwrap_or(0) > 0;
        html! {
            <li>
                <button class={classes!("nav-item", active.then_some("active"))} data-view={key.clone()} {onclick}
                    aria-current={active.then_some("page")} title={title.clone()}>
                    { icon(icon_key) }
                    <span class="nav-label">{ title }</span>
                    if let Some(count) = count {
                        <span class={classes!("count", urgent.then_some("count-urgent"))} data-count={key}
                            data-zero={(count == 0).then_some("")}
                            aria-label={format!("{count} conversations")}>{ count }</span>
                    }
                </button>
            </li>
        }
    };
    let views = View::NAV.iter().map(|&view| {
        let count = if view == View::Resolved { None } else { Some(inbox.count(view)) };
        item(view, view.title().to_owned(), view.key().to_owned(), view.key(), count)
    });
    // Team inboxes: the agent's teams first, then the others.
    let mut teams: Vec<_> = directory.teams.iter().collect();
    teams.sort_by_key(|t| (!t.member_ids.contains(&me.agent.id), t.name.to_lowercase()));
    let teams = teams.into_iter().map(|t| {
        let view = View::Team(t.id);
        item(view, t.name.clone(), format!("team-{}", t.id), "teams", Some(inbox.count(view)))
    });
    let saved = directory.views.iter().map(|v| {
        let view = View::Saved(v.id);
        let count = inbox.count(view);
        let remove = {
            let (ctx, id, name) = (ctx.clone(), v.id, v.name.clone());
            Callback::from(move |event: MouseEvent| {
                event.stop_propagation();
                delete_view(&ctx, id, name.clone());
            })
        };
        let active = inbox.screen == Screen::Inbox(view);
        let onclick = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.send(Action::Screen(Screen::Inbox(view))))
        };
        html! {
            <li class="nav-row">
                <button class={classes!("nav-item", active.then_some("active"))} data-view={format!("saved-{}", v.id)}
                    data-saved-view={v.name.clone()} {onclick} aria-current={active.then_some("page")} title={v.name.clone()}>
                    { icon("filter") }
                    <span class="nav-label">{ v.name.clone() }</span>
                    <span class="count" data-zero={(count == 0).then_some("")} aria-label={format!("{count} conversations")}>{ count }</span>
                </button>
                <button class="icon-button nav-remove" aria-label={format!("Delete the view {}", v.name)}
                    title="Delete this view" onclick={remove}>{ "×" }</button>
            </li>
        }
    });
    let saved: Vec<Html> = saved.collect();

    let admin = session.is_admin().then(|| {
        let items = AdminSection::ALL.iter().map(|&section| {
            let active = inbox.screen == Screen::Admin(section);
            let onclick = {
                let ctx = ctx.clone();
                Callback::from(move |_| ctx.send(Action::Screen(Screen::Admin(section))))
            };
            html! {
                <li>
                    <button class={classes!("nav-item", active.then_some("active"))} data-admin={section.key()} {onclick}
                        aria-current={active.then_some("page")} title={section.title()}>
                        { icon(section.key()) }<span class="nav-label">{ section.title() }</span>
                    </button>
                </li>
            }
        });
        let reports_active = inbox.screen == Screen::Reports;
        let on_reports = {
            let ctx = ctx.clone();
            Callback::from(move |_| ctx.send(Action::Screen(Screen::Reports)))
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
                ctx.send(Action::Me(None));
            });
        })
    };
    let on_preferences = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.send(Action::Screen(Screen::Preferences)))
    };
    let on_help = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.send(Action::Help(true)))
    };
    let status = session.my_status.as_str();
    let can_notify = notify::permission() == web_sys::NotificationPermission::Default;
    let on_notify = Callback::from(|_| notify::request_permission());

    html! {
        <nav class="nav" aria-label="Inbox">
            <div class="brand"><span class="brand-mark" aria-hidden="true">{ "R" }</span>
                <span class="nav-label">{ me.workspace.name.clone() }</span></div>
            <div class="nav-scroll">
                <ul class="nav-list">{ for views }</ul>
                if !directory.teams.is_empty() {
                    <h2 class="nav-heading">{ "Teams" }</h2>
                    <ul class="nav-list" data-team-inboxes="">{ for teams }</ul>
                }
                if !saved.is_empty() {
                    <h2 class="nav-heading">{ "My views" }</h2>
                    <ul class="nav-list" data-saved-views="">{ for saved }</ul>
                }
                { for admin }
            </div>
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
                <button class="icon-button" title="Notification preferences" aria-label="Notification preferences" data-action="preferences" onclick={on_preferences}>{ icon("preferences") }</button>
                <button class="icon-button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" onclick={on_help}>{ icon("keyboard") }</button>
                <button class="icon-button" title="Sign out" aria-label="Sign out" data-action="signout" onclick={on_signout}>{ icon("signout") }</button>
            </div>
        </nav>
    }
}

pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn delete_view(ctx: &Ctx, id: uuid::Uuid, name: String) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::delete_view(id).await {
            Ok(()) => {
                if ctx.stores.inbox.screen == Screen::Inbox(View::Saved(id)) {
                    ctx.send(Action::Screen(Screen::Inbox(View::Open)));
                }
                loading::reload_views(&ctx).await;
                ctx.toast(&format!("View “{name}” deleted."));
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
        ctx.send(Action::Screen(Screen::Inbox(View::Open)));
        return;
    }
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let answer = api::search(&text).await;
        if LATEST_SEARCH.load(Relaxed) != this_search {
            return;
        }
        match answer {
            Ok(page) => {
                ctx.want_visitors(page.items.iter().map(|m| m.conversation.visitor_id));
                let hits = page
                    .items
                    .iter()
                    .map(|m| SearchHit {
                        conversation_id: m.conversation.id,
                        field: m.field,
                        snippet: m.snippet.clone(),
                    })
                    .collect();
                ctx.send(Action::Conversations(page.items.into_iter().map(|m| m.conversation).collect()));
                ctx.send(Action::Search(text, hits));
            }
            Err(failure) => ctx.fail(failure),
        }
    });
}
