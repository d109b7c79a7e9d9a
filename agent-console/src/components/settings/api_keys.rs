//! API keys: create (the secret is shown once), list, revoke.

use openapi::api_keys::{ApiKey, ApiKeyScope, NewApiKey};
use yew::prelude::*;

use super::value;
use crate::{
    app::use_ctx,
    clock::{millis, relative},
    services::api,
};

#[function_component]
pub fn ApiKeys() -> Html {
    let ctx = use_ctx();
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
                <table class="table"><thead><tr><th>{ "Name" }</th><th>{ "Key" }</th><th>{ "Scope" }</th><th>{ "Last used" }</th><th><span class="sr-only">{ "Actions" }</span></th></tr></thead>
                <tbody>{ for rows }</tbody></table>
            </div>
            <form class="card inline-form" onsubmit={on_create} aria-label="New API key">
                <h2 class="form-title">{ "New key" }</h2>
                <label class="sr-only" for="key-name">{ "Name" }</label>
                <input id="key-name" ref={name} placeholder="CRM sync" required=true />
                <label class="sr-only" for="key-scope">{ "Scope" }</label>
                <select id="key-scope" class="select" ref={scope}><option value="read" selected=true>{ "Read" }</option><option value="write">{ "Read & write" }</option></select>
                <button class="button primary" type="submit">{ "Create key" }</button>
            </form>
        </>
    }
}
