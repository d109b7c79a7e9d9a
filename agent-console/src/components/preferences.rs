//! The agent's own notification settings: desktop notifications while the console is open
//! in a hidden tab, and Web Push alerts while it is closed (this browser on or off, what
//! to be alerted of, the other browsers registered).

use openapi::push::{NotificationPreferences, PushSubscription};
use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::{
    app::{Ctx, use_ctx},
    clock::{millis, relative},
    components::settings::head,
    notify,
    services::{api, push},
};

/// What the push card knows.
#[derive(Clone, PartialEq, Default)]
struct PushState {
    loaded: bool,
    preferences: Option<NotificationPreferences>,
    browsers: Vec<PushSubscription>,
    /// This browser's endpoint, when it is subscribed.
    here: Option<String>,
    busy: bool,
}

async fn load(ctx: &Ctx, state: &UseStateHandle<PushState>) {
    let preferences = api::notification_preferences().await;
    let browsers = api::push_subscriptions().await;
    let here = if push::supported() { push::current_endpoint().await } else { None };
    match (preferences, browsers) {
        (Ok(preferences), Ok(browsers)) => state.set(PushState {
            loaded: true,
            preferences: Some(preferences),
            browsers: browsers.items,
            here,
            busy: false,
        }),
        (Err(failure), _) | (_, Err(failure)) => ctx.fail(failure),
    }
}

async fn turn_on(ctx: &Ctx) -> Result<(), String> {
    notify::request_permission();
    let key = api::vapid_key().await.map_err(|f| f.message)?;
    let subscription = push::subscribe(&key.public_key).await?;
    api::create_push_subscription(&subscription).await.map_err(|f| f.message)?;
    ctx.toast("This browser now alerts you while the console is closed.");
    Ok(())
}

async fn turn_off(ctx: &Ctx, browsers: &[PushSubscription], here: &str) -> Result<(), String> {
    if let Some(mine) = browsers.iter().find(|b| b.endpoint == here) {
        api::delete_push_subscription(mine.id).await.map_err(|f| f.message)?;
    }
    push::unsubscribe().await?;
    ctx.toast("Alerts turned off in this browser.");
    Ok(())
}

#[function_component]
pub fn Preferences() -> Html {
    let ctx = use_ctx();
    let permission = use_state(notify::permission);
    let state = use_state(PushState::default);
    {
        let (ctx, state) = (ctx.clone(), state.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { load(&ctx, &state).await });
        });
    }
    let ask = {
        let permission = permission.clone();
        Callback::from(move |_| {
            notify::request_permission();
            permission.set(notify::permission());
        })
    };
    let desktop = match *permission {
        web_sys::NotificationPermission::Granted => "Allowed in this browser.",
        web_sys::NotificationPermission::Denied => "Blocked in this browser: allow them in its site settings.",
        _ => "Not asked yet.",
    };
    let toggle_here = {
        let (ctx, state) = (ctx.clone(), state.clone());
        Callback::from(move |_| {
            let (ctx, state) = (ctx.clone(), state.clone());
            let current = (*state).clone();
            state.set(PushState { busy: true, ..current.clone() });
            wasm_bindgen_futures::spawn_local(async move {
                let result = match &current.here {
                    Some(here) => turn_off(&ctx, &current.browsers, here).await,
                    None => turn_on(&ctx).await,
                };
                if let Err(why) = result {
                    ctx.send(crate::state::Action::Toast(Some((format!("Push alerts: {why}"), true))));
                }
                load(&ctx, &state).await;
            });
        })
    };
    let set_preference = |field: fn(&mut NotificationPreferences, bool)| {
        let (ctx, state) = (ctx.clone(), state.clone());
        Callback::from(move |event: Event| {
            let Some(mut preferences) = state.preferences.clone() else { return };
            field(&mut preferences, event.target_unchecked_into::<HtmlInputElement>().checked());
            let (ctx, state) = (ctx.clone(), state.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::set_notification_preferences(&preferences).await {
                    Ok(saved) => {
                        state.set(PushState { preferences: Some(saved), ..(*state).clone() });
                        ctx.toast("Saved.");
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let remove = |id: Uuid| {
        let (ctx, state) = (ctx.clone(), state.clone());
        Callback::from(move |_| {
            let (ctx, state) = (ctx.clone(), state.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete_push_subscription(id).await {
                    Ok(()) => load(&ctx, &state).await,
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let browsers = state.browsers.iter().map(|b| {
        let this = state.here.as_deref() == Some(b.endpoint.as_str());
        let host = b.endpoint.split('/').nth(2).unwrap_or(&b.endpoint).to_owned();
        html! {
            <li data-push-browser="">
                <span>{ if this { "This browser".to_owned() } else { format!("A browser via {host}") } }</span>
                <span class="muted small">{ format!(" · since {}", relative(millis(&b.created_at))) }</span>
                if !this {
                    <button class="button small" onclick={remove(b.id)} aria-label={format!("Stop alerts via {host}")}>{ "Remove" }</button>
                }
            </li>
        }
    });
    let preferences =
        state.preferences.clone().unwrap_or(NotificationPreferences { new_conversations: true, assigned: true });
    html! {
        <section class="admin" aria-labelledby="admin-title" data-preferences="">
            { head("Notifications", "How Rapport tells you about new conversations and assignments.") }
            <section class="card stack" aria-labelledby="desktop-title">
                <h2 id="desktop-title">{ "While the console is open" }</h2>
                <p class="muted small">{ "A chime, and in a hidden tab a notification saying who wrote and what." }</p>
                <p data-permission="">{ desktop }</p>
                if *permission == web_sys::NotificationPermission::Default {
                    <div><button class="button" onclick={ask}>{ "Allow desktop notifications" }</button></div>
                }
            </section>
            <section class="card stack" aria-labelledby="push-title" data-push="">
                <h2 id="push-title">{ "While the console is closed" }</h2>
                <p class="muted small">{ "Alerts on this computer or phone through its browser's push service, when no console of yours is open." }</p>
                if !push::supported() {
                    <p class="muted">{ "This browser cannot receive push alerts." }</p>
                } else if state.loaded {
                    <div class="row-between">
                        <span data-push-here={state.here.is_some().to_string()}>
                            { if state.here.is_some() { "On in this browser." } else { "Off in this browser." } }</span>
                        <button class="button" onclick={toggle_here} disabled={state.busy} data-action="toggle-push">
                            { if state.here.is_some() { "Turn off here" } else { "Turn on in this browser" } }</button>
                    </div>
                }
                <fieldset class="stack">
                    <legend>{ "Alert me when" }</legend>
                    <label class="check"><input type="checkbox" checked={preferences.new_conversations} disabled={!state.loaded}
                        onchange={set_preference(|p, on| p.new_conversations = on)} data-setting="push-new" />
                        { "a visitor starts a conversation" }</label>
                    <label class="check"><input type="checkbox" checked={preferences.assigned} disabled={!state.loaded}
                        onchange={set_preference(|p, on| p.assigned = on)} data-setting="push-assigned" />
                        { "a conversation is assigned to me" }</label>
                </fieldset>
                if !state.browsers.is_empty() {
                    <h3>{ "Browsers that alert you" }</h3>
                    <ul class="plain-list">{ for browsers }</ul>
                }
            </section>
        </section>
    }
}
