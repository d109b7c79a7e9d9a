//! Identity verification for a site: the secret the business's server signs visitors'
//! ids with (shown on demand, copied, rotated), whether unsigned identities are refused,
//! and how to compute `user_hash`.

use openapi::sites::{Site, SiteUpdate};
use yew::prelude::*;

use crate::{app::use_ctx, components::avatar::icon, notify, services::api};

#[derive(Properties, PartialEq)]
pub struct SiteIdentityProps {
    pub site: Site,
    pub on_saved: Callback<()>,
}

#[function_component]
pub fn SiteIdentity(props: &SiteIdentityProps) -> Html {
    let ctx = use_ctx();
    let shown = use_state(|| false);
    let confirming = use_state(|| false);
    let site = &props.site;
    let secret = site.identity_secret.clone().unwrap_or_default();
    let toggle = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(!*shown))
    };
    let copy = {
        let (ctx, secret) = (ctx.clone(), secret.clone());
        Callback::from(move |_| {
            notify::copy(&secret);
            ctx.toast("Identity secret copied.");
        })
    };
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    let cancel = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(false))
    };
    let rotate = {
        let (ctx, id, saved, confirming, shown) =
            (ctx.clone(), site.id, props.on_saved.clone(), confirming.clone(), shown.clone());
        Callback::from(move |_| {
            let changes = SiteUpdate { rotate_identity_secret: Some(true), ..SiteUpdate::default() };
            let (ctx, saved, confirming, shown) = (ctx.clone(), saved.clone(), confirming.clone(), shown.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_site(id, &changes).await {
                    Ok(_) => {
                        confirming.set(false);
                        shown.set(true);
                        ctx.toast("New identity secret: update your server before visitors identify again.");
                        saved.emit(());
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let masked = "•".repeat(secret.chars().count().clamp(8, 32));
    html! {
        <section class="card stack" aria-labelledby="identity-title" data-identity="">
            <h2 id="identity-title">{ "Identity verification" }</h2>
            <p class="muted small">
                { "When your site tells the widget who a signed-in user is (" }<code>{ "Rapport('identify', {user_id, user_hash})" }</code>
                { "), your server proves it with " }<code>{ "user_hash = hex(HMAC-SHA256(secret, user_id))" }</code>
                { ". Keep the secret on your server; never put it in a web page." }
            </p>
            <label for="identity-secret">{ "Identity secret" }</label>
            <div class="secret-row">
                <code id="identity-secret" class="secret" data-secret={(*shown).then(|| secret.clone())}>
                    { if *shown { secret.clone() } else { masked } }
                </code>
                <button class="button small" data-action="show-secret" onclick={toggle} aria-pressed={shown.to_string()}>
                    { if *shown { "Hide" } else { "Show" } }</button>
                <button class="button small" data-action="copy-secret" onclick={copy}>{ icon("copy") }{ "Copy" }</button>
            </div>
            <p class="muted small">{ if site.require_identity {
                "Identities without a valid user_hash are refused on this site."
            } else {
                "Identities without a user_hash are accepted as unverified (Appearance and behaviour: require verified identity)."
            } }</p>
            if *confirming {
                <div class="notice warn" role="alertdialog" aria-labelledby="rotate-warning">
                    <p id="rotate-warning"><strong>{ "Rotate the secret?" }</strong>{ " Every user_hash your server computed with the current secret stops working at once." }</p>
                    <div class="form-actions">
                        <button class="button" onclick={cancel}>{ "Keep the current secret" }</button>
                        <button class="button danger" data-action="confirm-rotate" onclick={rotate}>{ "Rotate now" }</button>
                    </div>
                </div>
            } else {
                <div><button class="button" data-action="rotate-secret" onclick={ask}>{ "Rotate secret…" }</button></div>
            }
        </section>
    }
}
