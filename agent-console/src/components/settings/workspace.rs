//! The workspace: its name and the time zone that reports (days, hours) and business
//! hours are counted in.

use openapi::auth::WorkspaceUpdate;
use yew::prelude::*;

use super::{head, value};
use crate::{
    app::{use_ctx, use_session},
    services::api,
    state::Action,
};

/// The IANA zones the browser knows (`Intl.supportedValuesOf`), or none.
fn known_zones() -> Vec<String> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let supported = intl.as_ref().and_then(|intl| js_sys::Reflect::get(intl, &"supportedValuesOf".into()).ok());
    let Some(function) = supported.and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok()) else {
        return Vec::new();
    };
    let Ok(list) = function.call1(&wasm_bindgen::JsValue::NULL, &"timeZone".into()) else { return Vec::new() };
    js_sys::Array::from(&list).iter().filter_map(|z| z.as_string()).collect()
}

/// The browser's own zone, as a suggestion.
fn browser_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

#[function_component]
pub fn WorkspaceSettings() -> Html {
    let ctx = use_ctx();
    let session = use_session();
    let zone = use_node_ref();
    let zones = use_memo((), |_| {
        let mut zones = known_zones();
        if !zones.iter().any(|z| z == "UTC") {
            zones.insert(0, "UTC".to_owned());
        }
        zones
    });
    let Some(me) = session.me().cloned() else { return html! {} };
    let current = me.workspace.time_zone.clone();
    let onsubmit = {
        let (ctx, zone) = (ctx.clone(), zone.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let changes = WorkspaceUpdate { time_zone: Some(value(&zone)), retention_days: None };
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_workspace(&changes).await {
                    Ok(workspace) => {
                        if let Ok(me) = api::me().await {
                            ctx.send(Action::Me(Some(me)));
                        }
                        ctx.toast(&format!("Time zone set to {}.", workspace.time_zone));
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let suggestion = browser_zone().filter(|z| *z != current);
    html! {
        <>
            { head("Workspace", "Settings that hold for the whole workspace.") }
            <form class="card stack" {onsubmit} aria-labelledby="zone-title" data-workspace-settings="">
                <h2 id="zone-title">{ "Time zone" }</h2>
                <p class="muted small">{ format!("{}: reports count days and hours, and business hours run, in this zone.", me.workspace.name) }</p>
                <label for="workspace-zone">{ "Time zone" }</label>
                if zones.is_empty() {
                    <input id="workspace-zone" ref={zone} value={current.clone()} placeholder="Europe/Paris" required=true />
                } else {
                    <select id="workspace-zone" class="select" ref={zone}>
                        { for zones.iter().map(|z| html! { <option value={z.clone()} selected={*z == current}>{ z.replace('_', " ") }</option> }) }
                    </select>
                }
                if let Some(suggestion) = suggestion {
                    <p class="muted small">{ format!("Your browser is in {suggestion}.") }</p>
                }
                <div class="form-actions"><button class="button primary" type="submit" data-action="save-zone">{ "Save time zone" }</button></div>
            </form>
        </>
    }
}
