//! Agents: invite (with a link to share), role, capacity, deactivate.

use openapi::agents::{Agent, AgentUpdate, NewAgent, Role};
use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::value;
use crate::{
    app::{use_ctx, use_directory, use_live},
    components::{
        avatar::{Avatar, icon},
        nav::capitalise as capital,
    },
    notify,
    services::api,
    state::Action,
};

#[function_component]
pub fn Agents() -> Html {
    let ctx = use_ctx();
    let invitation = use_state(|| None::<(String, String)>);
    let (name, email, role, capacity) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let refresh = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::agents().await {
                    ctx.send(Action::Agents(page.items));
                }
            });
        }
    };
    let on_create = {
        let (ctx, invitation, refresh) = (ctx.clone(), invitation.clone(), refresh.clone());
        let (name, email, role, capacity) = (name.clone(), email.clone(), role.clone(), capacity.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let agent = NewAgent {
                name: value(&name),
                email: value(&email),
                role: Some(if value(&role) == "admin" { Role::Admin } else { Role::Agent }),
                capacity: value(&capacity).parse().ok(),
                password: None,
            };
            let (ctx, invitation, refresh) = (ctx.clone(), invitation.clone(), refresh.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_agent(&agent).await {
                    Ok(created) => {
                        invitation.set(created.invitation_token.map(|t| (created.agent.email.clone(), t)));
                        ctx.toast("Agent invited.");
                        refresh();
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let change = {
        let (ctx, refresh) = (ctx.clone(), refresh.clone());
        move |id: Uuid, update: AgentUpdate| {
            let (ctx, refresh) = (ctx.clone(), refresh.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_agent(id, &update).await {
                    Ok(_) => {
                        ctx.toast("Saved.");
                        refresh();
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        }
    };
    let directory = use_directory();
    let live = use_live();
    let me = ctx.stores.session.my_id();
    let rows = directory.agents.iter().map(|a: &Agent| {
        let id = a.id;
        let on_role = {
            let change = change.clone();
            Callback::from(move |event: Event| {
                let role = match event.target_unchecked_into::<HtmlSelectElement>().value().as_str() {
                    "owner" => Role::Owner,
                    "admin" => Role::Admin,
                    _ => Role::Agent,
                };
                change(id, AgentUpdate { role: Some(role), ..AgentUpdate::default() });
            })
        };
        let on_capacity = {
            let change = change.clone();
            Callback::from(move |event: Event| {
                if let Ok(capacity) = event.target_unchecked_into::<HtmlInputElement>().value().parse() {
                    change(id, AgentUpdate { capacity: Some(capacity), ..AgentUpdate::default() });
                }
            })
        };
        let on_active = {
            let (change, active) = (change.clone(), a.active);
            Callback::from(move |_| change(id, AgentUpdate { active: Some(!active), ..AgentUpdate::default() }))
        };
        let role = match a.role {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
        };
        let presence = live.presence.get(&id).map_or("offline", |s| s.as_str());
        html! {
            <tr key={id.to_string()} class={(!a.active).then_some("inactive")}>
                <td><div class="person"><Avatar name={a.name.clone()} seed={id.to_string()} status={presence} />
                    <div><strong>{ &a.name }</strong><span class="muted small">{ &a.email }</span></div></div></td>
                <td>
                    <select class="select" aria-label={format!("Role of {}", a.name)} onchange={on_role} disabled={Some(id) == me}>
                        { for ["owner", "admin", "agent"].iter().map(|r| html! { <option value={*r} selected={*r == role}>{ capital(r) }</option> }) }
                    </select>
                </td>
                <td><input class="narrow" type="number" min="1" max="100" value={a.capacity.to_string()}
                    aria-label={format!("Capacity of {}", a.name)} onchange={on_capacity} /></td>
                <td>{ if !a.has_password { html!{ <span class="tag">{ "Invited" }</span> } }
                      else if a.active { html!{ <span class="tag tag-ok">{ "Active" }</span> } }
                      else { html!{ <span class="tag">{ "Deactivated" }</span> } } }</td>
                <td class="right">
                    if Some(id) != me {
                        <button class="button small" onclick={on_active}>{ if a.active { "Deactivate" } else { "Reactivate" } }</button>
                    }
                </td>
            </tr>
        }
    });
    html! {
        <>
            <header class="admin-head">
                <div>
                    <h1 id="admin-title">{ "Agents" }</h1>
                    <p class="muted">{ "The people who answer conversations. Capacity is how many chats routing gives them at once." }</p>
                </div>
            </header>
            <div class="card">
                <table class="table">
                    <thead><tr><th>{ "Agent" }</th><th>{ "Role" }</th><th>{ "Capacity" }</th><th>{ "State" }</th><th><span class="sr-only">{ "Actions" }</span></th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            { for invitation.as_ref().map(|(email, token)| {
                let link = invitation_link(token);
                let on_copy = {
                    let (ctx, link) = (ctx.clone(), link.clone());
                    Callback::from(move |_| {
                        notify::copy(&link);
                        ctx.toast("Invitation link copied.");
                    })
                };
                html! {
                    <div class="card notice" role="status" data-invitation="">
                        <div class="row-between">
                            <strong>{ format!("Invitation for {email}") }</strong>
                            <button class="button small" data-action="copy-invitation" onclick={on_copy}>{ icon("copy") }{ "Copy link" }</button>
                        </div>
                        <p class="muted small">{ "We mailed them this link; you may also send it yourself. It opens the console, where they choose a password; it works once, within 7 days, and is not shown here again." }</p>
                        <pre class="snippet"><a href={link.clone()} data-invitation-link="">{ link.clone() }</a></pre>
                    </div>
                }
            }) }
            <form class="card inline-form" onsubmit={on_create} aria-label="Invite an agent">
                <h2 class="form-title">{ "Invite an agent" }</h2>
                <label class="sr-only" for="agent-name">{ "Name" }</label>
                <input id="agent-name" ref={name} placeholder="Name" required=true />
                <label class="sr-only" for="agent-email">{ "Email" }</label>
                <input id="agent-email" ref={email} type="email" placeholder="Email" required=true />
                <label class="sr-only" for="agent-role">{ "Role" }</label>
                <select id="agent-role" class="select" ref={role}><option value="agent" selected=true>{ "Agent" }</option><option value="admin">{ "Admin" }</option></select>
                <label class="sr-only" for="agent-capacity">{ "Capacity" }</label>
                <input id="agent-capacity" class="narrow" ref={capacity} type="number" min="1" max="100" value="5" />
                <button class="button primary" type="submit">{ "Invite" }</button>
            </form>
        </>
    }
}

/// The console's address with the invitation in it.
fn invitation_link(token: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}/console/?invitation={}", api::encode(token))
}
