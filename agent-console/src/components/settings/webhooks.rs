//! The Webhooks admin screen: subscriptions (URL, events, site), their secret shown once
//! (on creation and rotation), a test event, and each subscription's delivery log with
//! replay, so an integrator can see why their endpoint is not getting events.

use openapi::{
    sites::Site,
    webhooks::{NewWebhook, Webhook, WebhookDelivery, WebhookDeliveryStatus, WebhookEventType, WebhookUpdate},
};
use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::checked;
use crate::{
    app::use_ctx,
    clock::{millis, relative},
    services::api,
};

/// What each event means, in the words the screen shows.
fn describe(event: WebhookEventType) -> &'static str {
    match event {
        WebhookEventType::ConversationCreated => "A visitor starts a conversation",
        WebhookEventType::ConversationAssigned => "A conversation is assigned or unassigned",
        WebhookEventType::ConversationStatusChanged => "A conversation is resolved, reopened, snoozed…",
        WebhookEventType::MessageCreated => "A message or internal note is stored",
        WebhookEventType::VisitorIdentified => "The host page identifies a visitor",
        WebhookEventType::RatingSubmitted => "A visitor rates a conversation",
        WebhookEventType::WebhookTest => "A test you asked for",
    }
}

#[function_component]
pub fn Webhooks() -> Html {
    let ctx = use_ctx();
    let webhooks = use_state(Vec::<Webhook>::new);
    let sites = use_state(Vec::<Site>::new);
    let secret = use_state(|| None::<(String, String)>);
    let open_log = use_state(|| None::<Uuid>);
    let reload = use_state(|| 0u32);
    let (url, description, site) = (use_node_ref(), use_node_ref(), use_node_ref());
    {
        let (webhooks, sites, ctx) = (webhooks.clone(), sites.clone(), ctx.clone());
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::webhooks().await {
                    Ok(page) => webhooks.set(page.items),
                    Err(failure) => ctx.fail(failure),
                }
                if let Ok(page) = api::sites().await {
                    sites.set(page.items);
                }
            });
        });
    }
    let bump = {
        let reload = reload.clone();
        move || reload.set(*reload + 1)
    };

    let on_create = {
        let (ctx, secret, bump) = (ctx.clone(), secret.clone(), bump.clone());
        let (url, description, site) = (url.clone(), description.clone(), site.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let events: Vec<WebhookEventType> = WebhookEventType::ALL
                .into_iter()
                .filter(|event| checked(&format!("webhook-event-{}", event.as_str())))
                .collect();
            let new = NewWebhook {
                url: input_value(&url),
                description: Some(input_value(&description)).filter(|d| !d.trim().is_empty()),
                events,
                site_id: site.cast::<HtmlSelectElement>().and_then(|s| s.value().parse().ok()),
            };
            let (ctx, secret, bump) = (ctx.clone(), secret.clone(), bump.clone());
            let (url, description) = (url.clone(), description.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_webhook(&new).await {
                    Ok(created) => {
                        secret.set(Some((created.webhook.url, created.secret)));
                        for input in [&url, &description] {
                            if let Some(input) = input.cast::<HtmlInputElement>() {
                                input.set_value("");
                            }
                        }
                        bump();
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };

    let site_name = |id: Option<Uuid>| match id {
        None => "All sites".to_owned(),
        Some(id) => sites.iter().find(|s| s.id == id).map_or_else(|| "A deleted site".to_owned(), |s| s.name.clone()),
    };
    let rows = webhooks.iter().map(|hook| {
        let id = hook.id;
        let act = |what: Action| {
            let (ctx, secret, bump, hook_url) = (ctx.clone(), secret.clone(), bump.clone(), hook.url.clone());
            let enabled = hook.enabled;
            Callback::from(move |_: MouseEvent| {
                let (ctx, secret, bump, hook_url) = (ctx.clone(), secret.clone(), bump.clone(), hook_url.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let done = match what {
                        Action::Test => api::test_webhook(id).await.map(|_| ctx.toast("Test event queued: watch the delivery log.")),
                        Action::Rotate => api::rotate_webhook_secret(id).await.map(|rotated| {
                            secret.set(Some((hook_url, rotated.secret)));
                        }),
                        Action::Toggle => {
                            let changes = WebhookUpdate { enabled: Some(!enabled), ..Default::default() };
                            api::update_webhook(id, &changes).await.map(|_| ())
                        }
                        Action::Delete => api::delete_webhook(id).await.map(|_| ()),
                    };
                    match done {
                        Ok(()) => bump(),
                        Err(failure) => ctx.fail(failure),
                    }
                });
            })
        };
        let on_log = {
            let open_log = open_log.clone();
            Callback::from(move |_| open_log.set(if *open_log == Some(id) { None } else { Some(id) }))
        };
        let state = if hook.enabled {
            html! { <span class="tag tag-ok">{ "Enabled" }</span> }
        } else if hook.disabled_at.is_some() {
            html! { <span class="tag tag-failed" title={hook.disabled_reason.clone().unwrap_or_default()}>{ "Disabled after failures" }</span> }
        } else {
            html! { <span class="tag">{ "Off" }</span> }
        };
        let events = hook.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
        html! {
            <>
                <tr key={id.to_string()} class={(!hook.enabled).then_some("inactive")} data-webhook={id.to_string()}>
                    <td>
                        <strong class="url">{ &hook.url }</strong>
                        if !hook.description.is_empty() { <div class="muted small">{ &hook.description }</div> }
                        if let Some(reason) = &hook.disabled_reason { <div class="form-error small">{ reason }</div> }
                    </td>
                    <td class="muted small wrap">{ events }</td>
                    <td class="muted small">{ site_name(hook.site_id) }</td>
                    <td>{ state }</td>
                    <td class="right actions">
                        <button class="button small" data-action="log" onclick={on_log}
                            aria-expanded={(*open_log == Some(id)).to_string()}>{ "Deliveries" }</button>
                        <button class="button small" data-action="test" onclick={act(Action::Test)}>{ "Send test" }</button>
                        <button class="button small" data-action="rotate" onclick={act(Action::Rotate)}>{ "Rotate secret" }</button>
                        <button class="button small" data-action="toggle" onclick={act(Action::Toggle)}>
                            { if hook.enabled { "Turn off" } else { "Turn on" } }</button>
                        <button class="button small" data-action="delete" onclick={act(Action::Delete)}>{ "Delete" }</button>
                    </td>
                </tr>
                if *open_log == Some(id) {
                    <tr key={format!("{id}-log")} class="log-row"><td colspan="5"><DeliveryLog webhook_id={id} reload={*reload} /></td></tr>
                }
            </>
        }
    });

    let event_choices = WebhookEventType::ALL.into_iter().map(|event| {
        let id = format!("webhook-event-{}", event.as_str());
        html! {
            <label class="check" for={id.clone()}>
                <input type="checkbox" id={id} checked=true />
                <code>{ event.as_str() }</code><span class="muted small">{ describe(event) }</span>
            </label>
        }
    });
    let site_options = sites.iter().map(|s| html! { <option value={s.id.to_string()}>{ &s.name }</option> });
    html! {
        <>
            <header class="admin-head"><div>
                <h1 id="admin-title">{ "Webhooks" }</h1>
                <p class="muted">{ "Rapport POSTs signed events (Standard Webhooks) to your systems, retrying until they answer 2xx." }</p>
            </div></header>
            if let Some((url, secret)) = &*secret {
                <div class="card notice" role="status">
                    <strong>{ format!("Signing secret for {url}: copy it now, it is shown only once.") }</strong>
                    <pre class="snippet"><code>{ secret }</code></pre>
                    <p class="muted small">{ "Verify each request's webhook-signature header with it: HMAC-SHA256 over id.timestamp.body." }</p>
                </div>
            }
            <div class="card">
                if webhooks.is_empty() {
                    <p class="muted">{ "No webhooks yet." }</p>
                } else {
                    <table class="table"><thead><tr><th>{ "Endpoint" }</th><th>{ "Events" }</th><th>{ "Site" }</th><th>{ "State" }</th><th><span class="sr-only">{ "Actions" }</span></th></tr></thead>
                    <tbody>{ for rows }</tbody></table>
                }
            </div>
            <form class="card stack" onsubmit={on_create} aria-label="New webhook">
                <h2 class="form-title">{ "New webhook" }</h2>
                <label for="webhook-url">{ "Endpoint URL" }</label>
                <input id="webhook-url" ref={url} type="url" placeholder="https://crm.example.com/rapport" required=true />
                <label for="webhook-description">{ "Description" }</label>
                <input id="webhook-description" ref={description} placeholder="CRM sync" />
                <fieldset class="stack"><legend>{ "Events" }</legend>{ for event_choices }</fieldset>
                <label for="webhook-site">{ "Site" }</label>
                <select id="webhook-site" class="select" ref={site}>
                    <option value="" selected=true>{ "All sites" }</option>
                    { for site_options }
                </select>
                <div class="form-actions"><button class="button primary" type="submit">{ "Create webhook" }</button></div>
            </form>
        </>
    }
}

#[derive(Clone, Copy)]
enum Action {
    Test,
    Rotate,
    Toggle,
    Delete,
}

#[derive(Properties, PartialEq)]
struct DeliveryLogProps {
    webhook_id: Uuid,
    /// Changes after every action on the screen, so a test or replay shows up at once.
    reload: u32,
}

/// The last 20 deliveries of one subscription, each with its last attempt.
#[function_component]
fn DeliveryLog(props: &DeliveryLogProps) -> Html {
    let ctx = use_ctx();
    let deliveries = use_state(|| None::<Vec<WebhookDelivery>>);
    let refresh = use_state(|| 0u32);
    {
        let (deliveries, ctx, id) = (deliveries.clone(), ctx.clone(), props.webhook_id);
        use_effect_with((id, props.reload, *refresh), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::webhook_deliveries(id).await {
                    Ok(page) => deliveries.set(Some(page.items)),
                    Err(failure) => ctx.fail(failure),
                }
            });
        });
    }
    let on_refresh = {
        let refresh = refresh.clone();
        Callback::from(move |_| refresh.set(*refresh + 1))
    };
    let Some(list) = &*deliveries else {
        return html! { <p class="muted small">{ "Loading deliveries…" }</p> };
    };
    let rows = list.iter().map(|delivery| {
        let (webhook_id, delivery_id) = (props.webhook_id, delivery.id);
        let on_replay = {
            let (ctx, refresh) = (ctx.clone(), refresh.clone());
            Callback::from(move |_| {
                let (ctx, refresh) = (ctx.clone(), refresh.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match api::replay_delivery(webhook_id, delivery_id).await {
                        Ok(_) => refresh.set(*refresh + 1),
                        Err(failure) => ctx.fail(failure),
                    }
                });
            })
        };
        let (status, class) = match delivery.status {
            WebhookDeliveryStatus::Pending => ("Pending", "tag"),
            WebhookDeliveryStatus::Delivered => ("Delivered", "tag tag-ok"),
            WebhookDeliveryStatus::Failed => ("Failed", "tag tag-failed"),
        };
        let last = delivery.attempts.last().map(|attempt| {
            let answer = attempt.status_code.map_or_else(|| "no answer".to_owned(), |code| format!("HTTP {code}"));
            let why = attempt.error.as_deref().map(|e| format!(" · {e}")).unwrap_or_default();
            format!("{answer} in {} ms{why}", attempt.duration_ms)
        });
        html! {
            <tr key={delivery.id.to_string()} data-delivery={delivery.id.to_string()}>
                <td><code>{ delivery.event_type.as_str() }</code></td>
                <td><span class={class}>{ status }</span></td>
                <td class="muted small">{ format!("{} attempt{}", delivery.attempts.len(), if delivery.attempts.len() == 1 { "" } else { "s" }) }
                    if let Some(last) = last { <div>{ last }</div> }</td>
                <td class="muted small">{ relative(millis(&delivery.created_at)) }</td>
                <td class="right">
                    if delivery.status != WebhookDeliveryStatus::Pending {
                        <button class="button small" data-action="replay" onclick={on_replay}>{ "Replay" }</button>
                    }
                </td>
            </tr>
        }
    });
    html! {
        <div class="delivery-log">
            <div class="row-between"><h2 class="form-title">{ "Recent deliveries" }</h2>
                <button class="button small" onclick={on_refresh}>{ "Refresh" }</button></div>
            if list.is_empty() {
                <p class="muted small">{ "Nothing sent yet. Send a test event to try your endpoint." }</p>
            } else {
                <table class="table"><tbody>{ for rows }</tbody></table>
            }
        </div>
    }
}

fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}
