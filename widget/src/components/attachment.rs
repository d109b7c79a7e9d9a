//! Files in the widget: the composer's paper clip, and images or file links in bubbles.
//!
//! Kept small on purpose (the widget has a size budget): no upload progress, one file at
//! a time, sent at once as a message of its own. The file goes as the raw request body
//! (a `File` is a `Blob`, which `fetch` sends as is), and the signed `url` the server
//! puts in each message shows it without the visitor token ever entering a URL.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::services::client::Client;

/// What a bubble shows of an attachment (`openapi::attachments::MessageAttachment`;
/// the other fields are ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub filename: String,
    pub url: String,
    pub is_image: bool,
}

/// Images inline, other files as download links.
pub fn files(files: &[File]) -> Html {
    // A loaded image makes its bubble taller: keep the newest message in view.
    let onload = Callback::from(|event: Event| {
        if let Some(Ok(Some(list))) = event.target_dyn_into::<web_sys::Element>().map(|img| img.closest(".rp-messages"))
        {
            list.set_scroll_top(list.scroll_height());
        }
    });
    files
        .iter()
        .map(|f| {
            if f.is_image {
                html! { <a class="rp-img" href={f.url.clone()} target="_blank"><img src={f.url.clone()} alt={f.filename.clone()} onload={onload.clone()} /></a> }
            } else {
                html! { <a class="rp-file" href={f.url.clone()} download={f.filename.clone()}>{ &f.filename }</a> }
            }
        })
        .collect()
}

/// The paper clip: picks a file, which the client uploads and sends. Shown once a
/// conversation exists (a file belongs to one; the composer knows). `error` is why the
/// last file was refused, if it was. A plain function rather than a component (less wasm).
pub fn paper_clip(client: &Client, label: &'static str, error: Option<&str>) -> Html {
    let onchange = {
        let client = client.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            client.send_file(file);
        })
    };
    html! {
        <>
            <label class="rp-clip" title={error.unwrap_or(label).to_owned()} data-error={error.map(str::to_owned)}>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M16.5 6.5l-8 8a2 2 0 002.8 2.8l8.2-8.2a4 4 0 00-5.6-5.6L5.6 11.8a6 6 0 008.5 8.5l6.4-6.4"
                        fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>
                </svg>
                <input type="file" class="rp-sr-only" aria-label={label}
                    accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain" {onchange} />
            </label>
            if let Some(why) = error { <p class="rp-banner rp-banner-error rp-file-error" role="alert">{ why }</p> }
        </>
    }
}
