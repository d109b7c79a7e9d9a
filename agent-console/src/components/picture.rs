//! The signed-in agent's picture, which visitors see beside their replies and in the
//! widget's header (initials until one is uploaded). A camera button beside the agent's
//! name opens a small panel: the picture, a file picker (PNG, JPEG, GIF or WebP, up to
//! 256 KiB) and Remove. Talks to `PUT`/`DELETE /api/v1/agents/{id}/picture`.

use gloo_net::http::Request;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::avatar::initials;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub agent_id: Uuid,
    pub name: AttrValue,
}

/// Where the panel stands.
#[derive(Clone, PartialEq)]
enum Shown {
    /// The picture at this version (`None`: there is none, initials).
    Picture(Option<u64>),
    Busy,
    Failed(String),
}

fn picture_url(agent_id: Uuid, version: u64) -> String {
    // Any changing version defeats the browser's cache after an upload.
    format!("/api/v1/agents/{agent_id}/picture?v={version}")
}

#[function_component]
pub fn PictureButton(props: &Props) -> Html {
    let open = use_state(|| false);
    // Until told otherwise, try the picture: an error shows initials instead.
    let shown = use_state(|| Shown::Picture(Some(0)));
    let agent_id = props.agent_id;
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let onchange = {
        let shown = shown.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            let shown = shown.clone();
            shown.set(Shown::Busy);
            wasm_bindgen_futures::spawn_local(async move {
                let url = format!("/api/v1/agents/{agent_id}/picture");
                let request = Request::put(&url).header("Content-Type", &file.type_()).body(JsValue::from(file));
                shown.set(match request {
                    Ok(request) => match request.send().await {
                        Ok(response) if response.ok() => Shown::Picture(Some(js_sys::Date::now() as u64)),
                        Ok(response) => {
                            let body: Option<serde_json::Value> = response.json().await.ok();
                            let message = body.and_then(|b| b["message"].as_str().map(str::to_owned));
                            Shown::Failed(message.unwrap_or_else(|| format!("HTTP {}", response.status())))
                        }
                        Err(_) => Shown::Failed("Rapport cannot be reached. Check your connection.".into()),
                    },
                    Err(_) => Shown::Failed("This file cannot be sent.".into()),
                });
            });
        })
    };
    let on_remove = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            let shown = shown.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let url = format!("/api/v1/agents/{agent_id}/picture");
                let removed = Request::delete(&url).send().await.is_ok_and(|r| r.ok());
                shown.set(if removed { Shown::Picture(None) } else { Shown::Failed("Could not remove it.".into()) });
            });
        })
    };
    let on_error = {
        let shown = shown.clone();
        Callback::from(move |_: Event| shown.set(Shown::Picture(None)))
    };
    let face = match &*shown {
        Shown::Picture(Some(version)) => html! {
            <img class="picture-preview" src={picture_url(agent_id, *version)} alt="Your picture" onerror={on_error} />
        },
        _ => {
            html! { <span class="picture-preview picture-initials" aria-hidden="true">{ initials(&props.name) }</span> }
        }
    };
    html! {
        <div class="picture">
            <button class="icon-button" title="Your picture" aria-label="Your picture" aria-expanded={(*open).to_string()}
                data-action="picture" onclick={toggle}>
                <svg class="icon" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor"
                    stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
                    <path d="M4 8h3l2-3h6l2 3h3v11H4zM12 16.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z" />
                </svg>
            </button>
            if *open {
                <div class="picture-panel" role="group" aria-label="Your picture">
                    { face }
                    <p class="muted small">{ "Visitors see it beside your replies." }</p>
                    <label class="button">
                        { "Upload a picture" }
                        <input type="file" class="sr-only" accept="image/png,image/jpeg,image/gif,image/webp" {onchange}
                            data-picture-input="" />
                    </label>
                    if matches!(*shown, Shown::Picture(Some(_))) {
                        <button class="link-button" onclick={on_remove}>{ "Remove" }</button>
                    }
                    if let Shown::Failed(why) = &*shown { <p class="form-error" role="alert">{ why }</p> }
                    if *shown == Shown::Busy { <p class="muted small" role="status">{ "Uploading…" }</p> }
                </div>
            }
        </div>
    }
}
