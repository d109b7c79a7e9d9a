//! Teams: name, members and the team's routing policy (each team also has an inbox in
//! the navigation).

use openapi::{routing::RoutingPolicy, teams::TeamInput};
use uuid::Uuid;
use yew::prelude::*;

use super::{checked, value};
use crate::{
    app::{use_ctx, use_directory},
    services::api,
    state::Action,
};

#[function_component]
pub fn Teams() -> Html {
    let ctx = use_ctx();
    let directory = use_directory();
    let name = use_node_ref();
    let refresh = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::teams().await {
                    ctx.send(Action::Teams(page.items));
                }
            });
        }
    };
    let on_create = {
        let (ctx, name, refresh) = (ctx.clone(), name.clone(), refresh.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let members: Vec<Uuid> = ctx.stores.session.my_id().into_iter().collect();
            let team = TeamInput { name: value(&name), member_ids: members, routing_policy: None };
            let (ctx, refresh) = (ctx.clone(), refresh.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_team(&team).await {
                    Ok(_) => {
                        ctx.toast("Team created.");
                        refresh();
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let editing = use_state(|| None::<Uuid>);
    let (edit_name, edit_policy) = (use_node_ref(), use_node_ref());
    let rows = directory.teams.iter().map(|t| {
        let id = t.id;
        let members = t.member_ids.iter().map(|m| directory.agent_name(*m)).collect::<Vec<_>>().join(", ");
        let on_delete = {
            let (ctx, refresh) = (ctx.clone(), refresh.clone());
            Callback::from(move |_| {
                let (ctx, refresh) = (ctx.clone(), refresh.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match api::delete_team(id).await {
                        Ok(_) => refresh(),
                        Err(failure) => ctx.fail(failure),
                    }
                });
            })
        };
        let on_edit = {
            let editing = editing.clone();
            Callback::from(move |_| editing.set(Some(id)))
        };
        if *editing == Some(id) {
            let agent_ids: Vec<Uuid> = directory.agents.iter().filter(|a| a.active).map(|a| a.id).collect();
            let on_save = {
                let (ctx, refresh, editing) = (ctx.clone(), refresh.clone(), editing.clone());
                let (name, policy, agent_ids) = (edit_name.clone(), edit_policy.clone(), agent_ids.clone());
                Callback::from(move |event: SubmitEvent| {
                    event.prevent_default();
                    let member_ids = agent_ids.iter().copied().filter(|agent| checked(&format!("team-member-{agent}"))).collect();
                    let routing_policy = match value(&policy).as_str() {
                        "manual" => Some(RoutingPolicy::Manual),
                        "round_robin" => Some(RoutingPolicy::RoundRobin),
                        "least_busy" => Some(RoutingPolicy::LeastBusy),
                        _ => None,
                    };
                    let team = TeamInput { name: value(&name), member_ids, routing_policy };
                    let (ctx, refresh, editing) = (ctx.clone(), refresh.clone(), editing.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::update_team(id, &team).await {
                            Ok(_) => {
                                editing.set(None);
                                ctx.toast("Team saved.");
                                refresh();
                            }
                            Err(failure) => ctx.fail(failure),
                        }
                    });
                })
            };
            let on_cancel = {
                let editing = editing.clone();
                Callback::from(move |_| editing.set(None))
            };
            let current = match t.routing_policy {
                None => "",
                Some(RoutingPolicy::Manual) => "manual",
                Some(RoutingPolicy::RoundRobin) => "round_robin",
                Some(RoutingPolicy::LeastBusy) => "least_busy",
            };
            let choices = directory.agents.iter().filter(|a| a.active).map(|a| {
                let input_id = format!("team-member-{}", a.id);
                html! {
                    <label class="check" for={input_id.clone()}>
                        <input type="checkbox" id={input_id} checked={t.member_ids.contains(&a.id)} />{ &a.name }
                    </label>
                }
            });
            return html! {
                <tr key={id.to_string()} class="editing">
                    <td colspan="3">
                        <form class="stack" onsubmit={on_save} aria-label="Edit team">
                            <label for="team-edit-name">{ "Name" }</label>
                            <input id="team-edit-name" ref={edit_name.clone()} value={t.name.clone()} required=true />
                            <fieldset class="stack"><legend>{ "Members" }</legend>{ for choices }</fieldset>
                            <label for="team-edit-routing">{ "Routing" }</label>
                            <select id="team-edit-routing" class="select" ref={edit_policy.clone()}>
                                { for [("", "Same as the site"), ("manual", "Manual: agents claim from the queue"),
                                       ("round_robin", "Round robin among the team's available agents"),
                                       ("least_busy", "Least busy available agent of the team")].iter().map(|(v, label)| html! {
                                    <option value={*v} selected={*v == current}>{ *label }</option>
                                }) }
                            </select>
                            <div class="form-actions">
                                <button class="button" type="button" onclick={on_cancel}>{ "Cancel" }</button>
                                <button class="button primary" type="submit">{ "Save team" }</button>
                            </div>
                        </form>
                    </td>
                </tr>
            };
        }
        let policy = match t.routing_policy {
            None => "Site's routing",
            Some(RoutingPolicy::Manual) => "Manual",
            Some(RoutingPolicy::RoundRobin) => "Round robin",
            Some(RoutingPolicy::LeastBusy) => "Least busy",
        };
        html! {
            <tr key={id.to_string()}>
                <td><strong>{ &t.name }</strong><div class="muted small">{ policy }</div></td>
                <td class="muted wrap">{ if members.is_empty() { "No members".to_owned() } else { members } }</td>
                <td class="right actions">
                    <button class="button small" data-action="edit" onclick={on_edit}>{ "Edit" }</button>
                    <button class="button small" onclick={on_delete}>{ "Delete" }</button>
                </td>
            </tr>
        }
    });
    html! {
        <>
            <header class="admin-head"><div>
                <h1 id="admin-title">{ "Teams" }</h1>
                <p class="muted">{ "Group agents so conversations can be routed and transferred to a team." }</p>
            </div></header>
            <div class="card">
                <table class="table"><thead><tr><th>{ "Team" }</th><th>{ "Members" }</th><th><span class="sr-only">{ "Actions" }</span></th></tr></thead>
                <tbody>{ for rows }</tbody></table>
            </div>
            <form class="card inline-form" onsubmit={on_create} aria-label="New team">
                <h2 class="form-title">{ "New team" }</h2>
                <label class="sr-only" for="team-name">{ "Name" }</label>
                <input id="team-name" ref={name} placeholder="Billing" required=true />
                <button class="button primary" type="submit">{ "Create team" }</button>
            </form>
        </>
    }
}
