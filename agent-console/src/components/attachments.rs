//! Attachments in the console: images as thumbnails and other files as chips in the
//! history, and the composer's uploads (button, paste, drop) with their progress.
//!
//! Uploads go through `XMLHttpRequest` rather than `fetch` because only it reports upload
//! progress. Like every console call it runs at Rapport's origin with the session cookie.
//! Images and downloads use the signed `url` each attachment carries, so `<img>` tags and
//! links need no credentials of their own.

use std::rc::Rc;

use openapi::{
    attachments::{Attachment, MessageAttachment},
    error::ErrorBody,
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{File, FileList, ProgressEvent, XmlHttpRequest};
use yew::prelude::*;

/// "12 KB", "3.4 MB".
pub fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", (b + 512) / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A message's attachments: images first as thumbnails, then files as chips.
pub fn attachment_list(attachments: &[MessageAttachment]) -> Html {
    if attachments.is_empty() {
        return html! {};
    }
    // An image grows its row when it arrives: a reader who was at the newest message
    // stays there (scroll-back, further up, is left alone).
    let onload = Callback::from(|event: Event| {
        let Some(img) = event.target_dyn_into::<web_sys::Element>() else { return };
        if let Ok(Some(timeline)) = img.closest(".timeline") {
            let gap = timeline.scroll_height() - timeline.scroll_top() - timeline.client_height();
            if gap <= img.client_height() + 120 {
                timeline.set_scroll_top(timeline.scroll_height());
            }
        }
    });
    let images = attachments.iter().filter(|a| a.is_image).map(|a| {
        html! {
            <a class="att-thumb" href={a.url.clone()} target="_blank" rel="noopener noreferrer" title={a.filename.clone()}
                data-attachment={a.id.to_string()}>
                <img src={a.url.clone()} alt={a.filename.clone()} loading="lazy" onload={onload.clone()} />
            </a>
        }
    });
    let files = attachments.iter().filter(|a| !a.is_image).map(|a| {
        html! {
            <a class="att-chip" href={a.url.clone()} download={a.filename.clone()} data-attachment={a.id.to_string()}>
                <span class="att-icon" aria-hidden="true">{ extension(&a.filename) }</span>
                <span class="att-name">{ &a.filename }</span>
                <span class="att-size">{ human_size(a.size) }</span>
            </a>
        }
    });
    html! { <div class="attachments">{ for images }{ for files }</div> }
}

/// "PDF", "DOCX"… for the file chip's badge.
fn extension(filename: &str) -> String {
    match filename.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() && ext.len() <= 4 => ext.to_uppercase(),
        _ => "FILE".into(),
    }
}

/// One file the composer is uploading or has uploaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// Local key (files have no id until the server stores them).
    pub key: u32,
    pub filename: String,
    pub size: i64,
    pub state: UploadState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UploadState {
    /// Percent sent.
    Sending(u8),
    Ready(Uuid),
    Failed(String),
}

/// The composer's uploads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uploads {
    pub items: Vec<Upload>,
    next_key: u32,
}

pub enum UploadAction {
    Start { key: u32, filename: String, size: i64 },
    Progress(u32, u8),
    Done(u32, Result<Attachment, String>),
    Remove(u32),
    Clear,
}

impl Reducible for Uploads {
    type Action = UploadAction;

    fn reduce(self: Rc<Self>, action: UploadAction) -> Rc<Self> {
        let mut s = (*self).clone();
        let set = |s: &mut Uploads, key: u32, state: UploadState| {
            if let Some(u) = s.items.iter_mut().find(|u| u.key == key) {
                u.state = state;
            }
        };
        match action {
            UploadAction::Start { key, filename, size } => {
                s.items.push(Upload { key, filename, size, state: UploadState::Sending(0) });
                s.next_key = s.next_key.max(key + 1);
            }
            UploadAction::Progress(key, percent) => set(&mut s, key, UploadState::Sending(percent)),
            UploadAction::Done(key, Ok(attachment)) => set(&mut s, key, UploadState::Ready(attachment.id)),
            UploadAction::Done(key, Err(why)) => set(&mut s, key, UploadState::Failed(why)),
            UploadAction::Remove(key) => s.items.retain(|u| u.key != key),
            UploadAction::Clear => s.items.clear(),
        }
        Rc::new(s)
    }
}

impl Uploads {
    /// The ids to send, once every upload has finished.
    pub fn ready_ids(&self) -> Vec<Uuid> {
        self.items
            .iter()
            .filter_map(|u| match u.state {
                UploadState::Ready(id) => Some(id),
                _ => None,
            })
            .collect()
    }

    pub fn busy(&self) -> bool {
        self.items.iter().any(|u| matches!(u.state, UploadState::Sending(_)))
    }

    /// Starts uploading every file of `files` into the conversation.
    pub fn start(uploads: &UseReducerHandle<Uploads>, conversation_id: Uuid, files: Option<FileList>) {
        let Some(files) = files else { return };
        let mut key = uploads.next_key + uploads.items.len() as u32;
        for i in 0..files.length() {
            let Some(file) = files.get(i) else { continue };
            uploads.dispatch(UploadAction::Start { key, filename: file.name(), size: file.size() as i64 });
            send_file(uploads.clone(), key, conversation_id, file);
            key += 1;
        }
    }
}

/// `POST /conversations/{id}/attachments?filename=…` with the file as the body.
fn send_file(uploads: UseReducerHandle<Uploads>, key: u32, conversation_id: Uuid, file: File) {
    let fail =
        |uploads: &UseReducerHandle<Uploads>, why: &str| uploads.dispatch(UploadAction::Done(key, Err(why.into())));
    let Ok(xhr) = XmlHttpRequest::new() else { return fail(&uploads, "This browser cannot upload files.") };
    let name: String = js_sys::encode_uri_component(&file.name()).into();
    let url = format!("/api/v1/conversations/{conversation_id}/attachments?filename={name}");
    if xhr.open("POST", &url).is_err() {
        return fail(&uploads, "The upload could not start.");
    }
    // The server checks the type against the content; an unknown one is refused there
    // with a message saying what is accepted.
    let content_type = if file.type_().is_empty() { "application/octet-stream".to_owned() } else { file.type_() };
    let _ = xhr.set_request_header("Content-Type", &content_type);

    let progress = {
        let uploads = uploads.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                uploads.dispatch(UploadAction::Progress(key, (event.loaded() / event.total() * 100.0).min(99.0) as u8));
            }
        })
    };
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = {
        let (xhr, uploads) = (xhr.clone(), uploads.clone());
        // `loadend` fires exactly once (success, error or abort); the progress closure
        // lives until then and is dropped with this one.
        Closure::once_into_js(move || {
            drop(progress);
            let status = xhr.status().unwrap_or(0);
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            let result = match status {
                0 => Err("Rapport cannot be reached. Check your connection.".to_owned()),
                201 => serde_json::from_str::<Attachment>(&text).map_err(|err| err.to_string()),
                _ => Err(serde_json::from_str::<ErrorBody>(&text)
                    .map_or_else(|_| format!("The server answered {status}."), |e| e.message)),
            };
            uploads.dispatch(UploadAction::Done(key, result));
        })
    };
    xhr.set_onloadend(Some(done.unchecked_ref()));
    if xhr.send_with_opt_blob(Some(&*file)).is_err() {
        fail(&uploads, "The upload could not start.");
    }
}

#[derive(Properties, PartialEq)]
pub struct TrayProps {
    pub uploads: Uploads,
    pub on_remove: Callback<u32>,
}

/// The composer's files: name, progress or error, and a remove button.
#[function_component]
pub fn UploadTray(props: &TrayProps) -> Html {
    if props.uploads.items.is_empty() {
        return html! {};
    }
    let items = props.uploads.items.iter().map(|u| {
        let key = u.key;
        let on_remove = props.on_remove.reform(move |_: MouseEvent| key);
        let (class, status) = match &u.state {
            UploadState::Sending(p) => ("uploading", html! {
                <span class="att-progress" role="progressbar" aria-valuenow={p.to_string()} aria-valuemin="0" aria-valuemax="100">
                    <span style={format!("width:{p}%")}></span>
                </span>
            }),
            UploadState::Ready(_) => ("ready", html! { <span class="att-size">{ human_size(u.size) }</span> }),
            UploadState::Failed(why) => ("failed", html! { <span class="att-error" role="alert">{ why }</span> }),
        };
        html! {
            <li class={classes!("upload", class)} key={u.key} data-upload={class}>
                <span class="att-icon" aria-hidden="true">{ extension(&u.filename) }</span>
                <span class="att-name">{ &u.filename }</span>
                { status }
                <button type="button" class="att-remove" aria-label={format!("Remove {}", u.filename)} onclick={on_remove}>{ "×" }</button>
            </li>
        }
    });
    html! { <ul class="upload-tray" aria-label="Files to send">{ for items }</ul> }
}
