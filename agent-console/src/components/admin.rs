//! Settings for owners and admins: sites (appearance, greeting, allowed origins, the
//! embed snippet with a copy button), agents, canned responses, API keys, teams; webhooks
//! have their own file.

use openapi::{
    agents::{Agent, AgentUpdate, NewAgent, Role},
    api_keys::{ApiKey, ApiKeyScope, NewApiKey},
    routing::RoutingPolicy,
    sites::{NewSite, PrechatField, Site, SiteUpdate},
    teams::TeamInput,
};
use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::avatar::{Avatar, icon};
use crate::{
    app::Ctx,
    clock::{millis, relative},
    notify,
    services::api,
    state::{Action, AdminSection},
};

#[derive(Properties, PartialEq)]
pub struct AdminProps {
    pub section: AdminSection,
}

#[function_component]
pub fn Admin(props: &AdminProps) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    if !ctx.state.is_admin() {
        return html! { <section class="admin"><p>{ "Only owners and admins can change settings." }</p></section> };
    }
    let body = match props.section {
        AdminSection::Sites => html! { <Sites /> },
        AdminSection::Agents => html! { <Agents /> },
        AdminSection::CannedResponses => html! { <Canned /> },
        AdminSection::ApiKeys => html! { <ApiKeys /> },
        AdminSection::Teams => html! { <Teams /> },
        AdminSection::Webhooks => html! { <super::webhooks::Webhooks /> },
    };
    html! { <section class="admin" aria-labelledby="admin-title">{ body }</section> }
}

fn value(node: &NodeRef) -> String {
    if let Some(input) = node.cast::<HtmlInputElement>() {
        return input.value();
    }
    if let Some(area) = node.cast::<HtmlTextAreaElement>() {
        return area.value();
    }
    node.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

fn origins(text: &str) -> Vec<String> {
    text.split([',', '\n', ' ']).map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect()
}

// Sites.

#[function_component]
fn Sites() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let sites = use_state(Vec::<Site>::new);
    let selected = use_state(|| None::<Uuid>);
    let reload = use_state(|| 0u32);
    {
        let (sites, selected, ctx) = (sites.clone(), selected.clone(), ctx.clone());
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::sites().await {
                    Ok(page) => {
                        if selected.is_none() {
                            selected.set(page.items.first().map(|s| s.id));
                        }
                        sites.set(page.items);
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        });
    }
    let new_name = use_node_ref();
    let new_origin = use_node_ref();
    let on_create = {
        let (ctx, new_name, new_origin, reload, selected) =
            (ctx.clone(), new_name.clone(), new_origin.clone(), reload.clone(), selected.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let site = NewSite {
                name: value(&new_name),
                allowed_origins: origins(&value(&new_origin)),
                color: None,
                greeting: None,
                require_identity: None,
                routing_policy: None,
                prechat_name: None,
                prechat_email: None,
                offline_form: None,
            };
            let (ctx, reload, selected) = (ctx.clone(), reload.clone(), selected.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_site(&site).await {
                    Ok(site) => {
                        selected.set(Some(site.id));
                        reload.set(*reload + 1);
                        ctx.toast("Site created.");
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let tabs = sites.iter().map(|site| {
        let id = site.id;
        let active = *selected == Some(id);
        let onclick = {
            let selected = selected.clone();
            Callback::from(move |_| selected.set(Some(id)))
        };
        html! {
            <li><button class={classes!("site-tab", active.then_some("active"))} aria-current={active.then_some("true")} {onclick}>
                <span class="swatch-dot" data-color={site.color.clone()}></span>{ &site.name }
            </button></li>
        }
    });
    let current = sites.iter().find(|s| Some(s.id) == *selected).cloned();
    let on_saved = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    html! {
        <>
            <header class="admin-head">
                <div>
                    <h1 id="admin-title">{ "Sites" }</h1>
                    <p class="muted">{ "Each site is one website with the chat widget. Set how it looks and where it may appear." }</p>
                </div>
            </header>
            <div class="admin-split">
                <div class="admin-aside">
                    <ul class="site-tabs">{ for tabs }</ul>
                    <form class="card stack" onsubmit={on_create}>
                        <h3>{ "Add a site" }</h3>
                        <label for="new-site-name">{ "Name" }</label>
                        <input id="new-site-name" ref={new_name} required=true placeholder="Acme Store" />
                        <label for="new-site-origin">{ "Website address" }</label>
                        <input id="new-site-origin" ref={new_origin} required=true placeholder="https://www.acme.com" />
                        <button class="button primary" type="submit">{ "Add site" }</button>
                    </form>
                </div>
                if let Some(site) = current {
                    <SiteEditor key={site.id.to_string()} site={site.clone()} {on_saved} />
                } else {
                    <div class="card empty"><p>{ "No site yet: add your website to get the embed snippet." }</p></div>
                }
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SiteEditorProps {
    site: Site,
    on_saved: Callback<()>,
}

#[function_component]
fn SiteEditor(props: &SiteEditorProps) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let site = &props.site;
    let (name, color, greeting, allowed, identity, routing) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let (prechat_name, prechat_email, offline_form) = (use_node_ref(), use_node_ref(), use_node_ref());
    let snippet = use_state(String::new);
    let policy = match site.routing_policy {
        RoutingPolicy::Manual => "manual",
        RoutingPolicy::RoundRobin => "round_robin",
        RoutingPolicy::LeastBusy => "least_busy",
    };
    let preview_color = use_state(|| site.color.clone());
    {
        let (snippet, id) = (snippet.clone(), site.id);
        use_effect_with(id, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(embed) = api::embed(id).await {
                    snippet.set(embed.html);
                }
            });
        });
    }
    let onsubmit = {
        let (ctx, id, saved) = (ctx.clone(), site.id, props.on_saved.clone());
        let (name, color, greeting, allowed, identity, routing) =
            (name.clone(), color.clone(), greeting.clone(), allowed.clone(), identity.clone(), routing.clone());
        let (prechat_name, prechat_email, offline_form) =
            (prechat_name.clone(), prechat_email.clone(), offline_form.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let changes = SiteUpdate {
                name: Some(value(&name)),
                allowed_origins: Some(origins(&value(&allowed))),
                color: Some(value(&color)),
                greeting: Some(value(&greeting)),
                require_identity: identity.cast::<HtmlInputElement>().map(|i| i.checked()),
                rotate_identity_secret: None,
                routing_policy: Some(match value(&routing).as_str() {
                    "round_robin" => RoutingPolicy::RoundRobin,
                    "least_busy" => RoutingPolicy::LeastBusy,
                    _ => RoutingPolicy::Manual,
                }),
                prechat_name: Some(prechat_setting(&value(&prechat_name))),
                prechat_email: Some(prechat_setting(&value(&prechat_email))),
                offline_form: offline_form.cast::<HtmlInputElement>().map(|i| i.checked()),
            };
            let (ctx, saved) = (ctx.clone(), saved.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_site(id, &changes).await {
                    Ok(_) => {
                        ctx.toast("Site saved.");
                        saved.emit(());
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let on_copy = {
        let (ctx, snippet) = (ctx.clone(), snippet.clone());
        Callback::from(move |_| {
            notify::copy(&snippet);
            ctx.toast("Embed snippet copied.");
        })
    };
    let on_color = {
        let preview_color = preview_color.clone();
        Callback::from(move |event: InputEvent| {
            preview_color.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    html! {
        <div class="admin-main">
            <form class="card stack" {onsubmit} aria-label={format!("Settings of {}", site.name)}>
                <h2>{ "Appearance and behaviour" }</h2>
                <div class="grid-2">
                    <div class="stack">
                        <label for="site-name">{ "Name" }</label>
                        <input id="site-name" ref={name} value={site.name.clone()} required=true />
                    </div>
                    <div class="stack">
                        <label for="site-color">{ "Accent colour" }</label>
                        <div class="color-row">
                            <input id="site-color" type="color" ref={color} value={site.color.clone()} oninput={on_color} />
                            <code>{ (*preview_color).clone() }</code>
                        </div>
                    </div>
                </div>
                <label for="site-greeting">{ "Greeting" }</label>
                <textarea id="site-greeting" rows="2" ref={greeting} defaultvalue={site.greeting.clone()} />
                <label for="site-origins">{ "Allowed origins" }</label>
                <textarea id="site-origins" rows="2" ref={allowed} defaultvalue={site.allowed_origins.join("\n")}
                    aria-describedby="origins-help" />
                <p id="origins-help" class="muted small">{ "One per line, like https://www.example.com. The widget only loads on these." }</p>
                <label for="site-routing">{ "Routing" }</label>
                <select id="site-routing" class="select" ref={routing} aria-describedby="routing-help">
                    { for [("manual", "Manual: agents claim from the queue"), ("round_robin", "Round robin among available agents"),
                           ("least_busy", "Least busy available agent")].iter().map(|(value, label)| html! {
                        <option value={*value} selected={*value == policy}>{ *label }</option>
                    }) }
                </select>
                <p id="routing-help" class="muted small">{ "Automatic routing only picks agents who are online and below their capacity." }</p>
                <div class="grid-2">
                    { prechat_select("site-prechat-name", "Ask for the visitor's name", prechat_name, site.prechat_name) }
                    { prechat_select("site-prechat-email", "Ask for the visitor's email", prechat_email, site.prechat_email) }
                </div>
                <label class="check"><input type="checkbox" ref={offline_form} checked={site.offline_form} />
                    { "When nobody is online, ask for an email and a message (offline form)" }</label>
                <label class="check"><input type="checkbox" ref={identity} checked={site.require_identity} />
                    { "Require verified identity (user_hash) for identified visitors" }</label>
                <div class="form-actions"><button class="button primary" type="submit">{ "Save changes" }</button></div>
            </form>
            <section class="card stack" aria-labelledby="embed-title">
                <div class="row-between">
                    <h2 id="embed-title">{ "Embed snippet" }</h2>
                    <button class="button" data-action="copy-snippet" onclick={on_copy}>{ icon("copy") }{ "Copy" }</button>
                </div>
                <p class="muted small">{ "Paste this before </body> on every page of the site." }</p>
                <pre class="snippet" data-snippet=""><code>{ (*snippet).clone() }</code></pre>
                <p class="muted small">{ format!("Site key: {}", site.site_key) }</p>
            </section>
        </div>
    }
}

/// One field of the widget's pre-chat form: off, optional or required.
fn prechat_select(id: &'static str, label: &'static str, node: NodeRef, current: PrechatField) -> Html {
    let options = [
        (PrechatField::Off, "off", "Don't ask"),
        (PrechatField::Optional, "optional", "Optional"),
        (PrechatField::Required, "required", "Required before chatting"),
    ];
    html! {
        <div class="stack">
            <label for={id}>{ label }</label>
            <select {id} class="select" ref={node}>
                { for options.iter().map(|(field, value, text)| html! {
                    <option value={*value} selected={*field == current}>{ *text }</option>
                }) }
            </select>
        </div>
    }
}

fn prechat_setting(value: &str) -> PrechatField {
    match value {
        "optional" => PrechatField::Optional,
        "required" => PrechatField::Required,
        _ => PrechatField::Off,
    }
}

// Agents.

#[function_component]
fn Agents() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let invitation = use_state(|| None::<(String, String)>);
    let (name, email, role, capacity) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let refresh = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::agents().await {
                    ctx.dispatch(Action::Agents(page.items));
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
    let me = ctx.state.my_id();
    let rows = ctx.state.agents.iter().map(|a: &Agent| {
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
        let presence = ctx.state.presence.get(&id).map_or("offline", |s| s.as_str());
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
                    <thead><tr><th>{ "Agent" }</th><th>{ "Role" }</th><th>{ "Capacity" }</th><th>{ "State" }</th><th></th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            { for invitation.as_ref().map(|(email, token)| html! {
                <div class="card notice" role="status" data-invitation="">
                    <strong>{ format!("Invitation for {email}") }</strong>
                    <p class="muted small">{ "Share this one-time token; it is not shown again." }</p>
                    <pre class="snippet"><code>{ token.clone() }</code></pre>
                </div>
            }) }
            <form class="card inline-form" onsubmit={on_create} aria-label="Invite an agent">
                <h3>{ "Invite an agent" }</h3>
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

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

// Canned responses.

#[function_component]
fn Canned() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let (shortcut, body) = (use_node_ref(), use_node_ref());
    let refresh = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::canned_responses().await {
                    Ok(page) => ctx.dispatch(Action::Canned(page.items)),
                    Err(failure) => ctx.fail(failure),
                }
            });
        }
    };
    let on_create = {
        let (ctx, shortcut, body, refresh) = (ctx.clone(), shortcut.clone(), body.clone(), refresh.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (s, b) = (value(&shortcut).trim_start_matches('/').to_owned(), value(&body));
            let (ctx, refresh) = (ctx.clone(), refresh.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_canned_response(&s, &b).await {
                    Ok(_) => {
                        ctx.toast("Canned response saved.");
                        refresh();
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let editing = use_state(|| None::<Uuid>);
    let (edit_shortcut, edit_body) = (use_node_ref(), use_node_ref());
    let rows = ctx.state.canned.iter().map(|c| {
        let id = c.id;
        let on_delete = {
            let (ctx, refresh) = (ctx.clone(), refresh.clone());
            Callback::from(move |_| {
                let (ctx, refresh) = (ctx.clone(), refresh.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match api::delete_canned_response(id).await {
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
            let on_save = {
                let (ctx, refresh, editing) = (ctx.clone(), refresh.clone(), editing.clone());
                let (shortcut, body) = (edit_shortcut.clone(), edit_body.clone());
                Callback::from(move |event: SubmitEvent| {
                    event.prevent_default();
                    let (s, b) = (value(&shortcut).trim_start_matches('/').to_owned(), value(&body));
                    let (ctx, refresh, editing) = (ctx.clone(), refresh.clone(), editing.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::update_canned_response(id, &s, &b).await {
                            Ok(_) => {
                                editing.set(None);
                                ctx.toast("Canned response updated.");
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
            return html! {
                <tr key={id.to_string()} class="editing">
                    <td colspan="3">
                        <form class="stack" onsubmit={on_save} aria-label="Edit canned response">
                            <label for="canned-edit-shortcut">{ "Shortcut" }</label>
                            <input id="canned-edit-shortcut" ref={edit_shortcut.clone()} value={c.shortcut.clone()} required=true />
                            <label for="canned-edit-body">{ "Text" }</label>
                            <textarea id="canned-edit-body" ref={edit_body.clone()} rows="3" defaultvalue={c.body.clone()} required=true />
                            <div class="form-actions">
                                <button class="button" type="button" onclick={on_cancel}>{ "Cancel" }</button>
                                <button class="button primary" type="submit">{ "Save" }</button>
                            </div>
                        </form>
                    </td>
                </tr>
            };
        }
        html! {
            <tr key={id.to_string()}>
                <td><code>{ format!("/{}", c.shortcut) }</code></td>
                <td class="wrap">{ &c.body }</td>
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
                <h1 id="admin-title">{ "Canned responses" }</h1>
                <p class="muted">{ "Saved answers: type / and the shortcut in the composer to insert one." }</p>
            </div></header>
            <div class="card">
                if ctx.state.canned.is_empty() {
                    <p class="muted">{ "No canned responses yet." }</p>
                } else {
                    <table class="table"><thead><tr><th>{ "Shortcut" }</th><th>{ "Text" }</th><th></th></tr></thead>
                    <tbody>{ for rows }</tbody></table>
                }
            </div>
            <form class="card stack" onsubmit={on_create} aria-label="New canned response">
                <h3>{ "New canned response" }</h3>
                <label for="canned-shortcut">{ "Shortcut" }</label>
                <input id="canned-shortcut" ref={shortcut} placeholder="refund" required=true />
                <label for="canned-body">{ "Text" }</label>
                <textarea id="canned-body" ref={body} rows="3" required=true />
                <div class="form-actions"><button class="button primary" type="submit">{ "Save" }</button></div>
            </form>
        </>
    }
}

// API keys.

#[function_component]
fn ApiKeys() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let keys = use_state(Vec::<ApiKey>::new);
    let secret = use_state(|| None::<String>);
    let reload = use_state(|| 0u32);
    let (name, scope) = (use_node_ref(), use_node_ref());
    {
        let (keys, ctx) = (keys.clone(), ctx.clone());
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::api_keys().await {
                    Ok(page) => keys.set(page.items),
                    Err(failure) => ctx.fail(failure),
                }
            });
        });
    }
    let on_create = {
        let (ctx, name, scope, secret, reload) =
            (ctx.clone(), name.clone(), scope.clone(), secret.clone(), reload.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let key = NewApiKey {
                name: value(&name),
                scope: if value(&scope) == "write" { ApiKeyScope::Write } else { ApiKeyScope::Read },
            };
            let (ctx, secret, reload) = (ctx.clone(), secret.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_api_key(&key).await {
                    Ok(created) => {
                        secret.set(Some(created.secret));
                        reload.set(*reload + 1);
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let rows = keys.iter().map(|k| {
        let id = k.id;
        let on_revoke = {
            let (ctx, reload) = (ctx.clone(), reload.clone());
            Callback::from(move |_| {
                let (ctx, reload) = (ctx.clone(), reload.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match api::revoke_api_key(id).await {
                        Ok(_) => reload.set(*reload + 1),
                        Err(failure) => ctx.fail(failure),
                    }
                });
            })
        };
        let scope = match k.scope {
            ApiKeyScope::Read => "Read",
            ApiKeyScope::Write => "Read & write",
        };
        html! {
            <tr key={id.to_string()} class={k.revoked_at.is_some().then_some("inactive")}>
                <td><strong>{ &k.name }</strong></td>
                <td><code>{ format!("{}…", k.prefix) }</code></td>
                <td>{ scope }</td>
                <td class="muted">{ k.last_used_at.map_or_else(|| "Never used".to_owned(), |t| format!("Used {}", relative(millis(&t)))) }</td>
                <td class="right">
                    if k.revoked_at.is_some() { <span class="tag">{ "Revoked" }</span> }
                    else { <button class="button small" onclick={on_revoke}>{ "Revoke" }</button> }
                </td>
            </tr>
        }
    });
    html! {
        <>
            <header class="admin-head"><div>
                <h1 id="admin-title">{ "API keys" }</h1>
                <p class="muted">{ "Let your own systems read and write conversations through the REST API." }</p>
            </div></header>
            if let Some(secret) = &*secret {
                <div class="card notice" role="status">
                    <strong>{ "Copy your new key now: it is shown only once." }</strong>
                    <pre class="snippet"><code>{ secret }</code></pre>
                </div>
            }
            <div class="card">
                <table class="table"><thead><tr><th>{ "Name" }</th><th>{ "Key" }</th><th>{ "Scope" }</th><th>{ "Last used" }</th><th></th></tr></thead>
                <tbody>{ for rows }</tbody></table>
            </div>
            <form class="card inline-form" onsubmit={on_create} aria-label="New API key">
                <h3>{ "New key" }</h3>
                <label class="sr-only" for="key-name">{ "Name" }</label>
                <input id="key-name" ref={name} placeholder="CRM sync" required=true />
                <label class="sr-only" for="key-scope">{ "Scope" }</label>
                <select id="key-scope" class="select" ref={scope}><option value="read" selected=true>{ "Read" }</option><option value="write">{ "Read & write" }</option></select>
                <button class="button primary" type="submit">{ "Create key" }</button>
            </form>
        </>
    }
}

// Teams.

#[function_component]
fn Teams() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let name = use_node_ref();
    let refresh = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::teams().await {
                    ctx.dispatch(Action::Teams(page.items));
                }
            });
        }
    };
    let on_create = {
        let (ctx, name, refresh) = (ctx.clone(), name.clone(), refresh.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let members: Vec<Uuid> = ctx.state.my_id().into_iter().collect();
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
    let rows = ctx.state.teams.iter().map(|t| {
        let id = t.id;
        let members = t.member_ids.iter().map(|m| ctx.state.agent_name(*m)).collect::<Vec<_>>().join(", ");
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
            let agent_ids: Vec<Uuid> = ctx.state.agents.iter().filter(|a| a.active).map(|a| a.id).collect();
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
            let choices = ctx.state.agents.iter().filter(|a| a.active).map(|a| {
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
                <table class="table"><thead><tr><th>{ "Team" }</th><th>{ "Members" }</th><th></th></tr></thead>
                <tbody>{ for rows }</tbody></table>
            </div>
            <form class="card inline-form" onsubmit={on_create} aria-label="New team">
                <h3>{ "New team" }</h3>
                <label class="sr-only" for="team-name">{ "Name" }</label>
                <input id="team-name" ref={name} placeholder="Billing" required=true />
                <button class="button primary" type="submit">{ "Create team" }</button>
            </form>
        </>
    }
}

/// Whether the checkbox with this id is ticked (for lists of checkboxes built per item).
pub(super) fn checked(id: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(e).ok())
        .is_some_and(|input| input.checked())
}
