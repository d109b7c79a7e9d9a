//! A site's appearance and behaviour: name, colour, greeting, allowed origins, routing,
//! pre-chat and offline forms, typing preview; and the embed snippet with Copy.

use openapi::{
    routing::RoutingPolicy,
    sites::{PrechatField, Site, SiteUpdate},
};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{sites::origins, value};
use crate::{app::use_ctx, components::avatar::icon, notify, services::api};

#[derive(Properties, PartialEq)]
pub struct SiteEditorProps {
    pub site: Site,
    pub on_saved: Callback<()>,
}

#[function_component]
pub fn SiteEditor(props: &SiteEditorProps) -> Html {
    let ctx = use_ctx();
    let site = &props.site;
    let (name, color, greeting, allowed, identity, routing) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let (prechat_name, prechat_email, offline_form) = (use_node_ref(), use_node_ref(), use_node_ref());
    let typing_preview = use_node_ref();
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
        let (prechat_name, prechat_email, offline_form, typing_preview) =
            (prechat_name.clone(), prechat_email.clone(), offline_form.clone(), typing_preview.clone());
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
                typing_preview: typing_preview.cast::<HtmlInputElement>().map(|i| i.checked()),
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
        <div class="stack-cards">
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
                <label class="check"><input type="checkbox" ref={typing_preview} checked={site.typing_preview} data-setting="typing-preview" />
                    { "Typing preview: agents see what visitors type before they send it" }</label>
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
