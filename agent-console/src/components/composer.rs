//! The composer: Enter sends, Shift+Enter starts a new line; Reply or Internal note
//! (notes are yellow, like the notes in the history); `/shortcut` offers the canned
//! responses and expands the chosen one in the visitor's language with its variables
//! filled (`{{visitor.first_name}}`…); `#label` offers the workspace's labels and puts
//! the chosen one on the conversation; typing is announced to the others. Files come in
//! through the paper clip, by pasting or by dropping them on the composer; they upload at
//! once and go out with the next message.

use openapi::{conversations::Conversation, messages::MessageKind};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::{
    attachments::{UploadAction, UploadTray, Uploads},
    avatar::icon,
    labels::{add_label, suggestions, swatch},
};
use openapi::canned::CannedResponse;

use crate::{
    app::{Ctx, use_ctx, use_directory, use_ui},
    clock::now_ms,
    text::{Variables, pick_variant},
};

/// A `typing: true` is repeated this often while the agent keeps typing.
const TYPING_REPEAT_MS: f64 = 2_000.0;

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    pub conversation: Conversation,
}

/// The `/word` being typed at the end of the draft, if any.
fn shortcut_query(draft: &str) -> Option<&str> {
    let word = draft.rsplit(char::is_whitespace).next()?;
    word.strip_prefix('/')
}

/// The `#word` being typed at the end of the draft, if any.
fn label_query(draft: &str) -> Option<&str> {
    let word = draft.rsplit(char::is_whitespace).next()?;
    word.strip_prefix('#')
}

/// A saved reply as it goes to this visitor: their language's variant, variables filled.
fn expand_for(ctx: &Ctx, canned: &CannedResponse, conversation: &Conversation) -> String {
    let inbox = &ctx.stores.inbox;
    let visitor = inbox.visitors.get(&conversation.visitor_id);
    let language = visitor.and_then(|v| v.attributes.get("language")).and_then(|l| l.as_str());
    let variants: Vec<(String, String)> =
        canned.variants.iter().map(|v| (v.language.clone(), v.body.clone())).collect();
    let body = pick_variant(&canned.body, &variants, language);
    let me = ctx.stores.session.me().cloned();
    let variables = Variables {
        visitor_name: visitor.and_then(|v| v.name.clone()),
        visitor_email: visitor.and_then(|v| v.email.clone()),
        agent_name: me.as_ref().map(|m| m.agent.name.clone()),
        workspace_name: me.as_ref().map(|m| m.workspace.name.clone()),
        site_name: Some(ctx.stores.directory.site_name(conversation.site_id)),
    };
    variables.fill(body)
}

#[function_component]
pub fn Composer(props: &ComposerProps) -> Html {
    let ctx = use_ctx();
    let ui = use_ui();
    let directory = use_directory();
    let mode = use_state(|| MessageKind::Text);
    let draft = use_state(String::new);
    let highlighted = use_state(|| 0usize);
    let typing_sent_at = use_mut_ref(|| 0.0f64);
    let area = use_node_ref();
    let uploads = use_reducer(Uploads::default);
    let dragging = use_state(|| false);
    let id = props.conversation.id;

    // `r` / `n` shortcuts: focus, in the asked mode.
    {
        let (area, mode) = (area.clone(), mode.clone());
        use_effect_with(ui.focus_composer, move |(bump, kind)| {
            if *bump > 0 {
                if let Some(kind) = kind {
                    mode.set(*kind);
                }
                if let Some(el) = area.cast::<HtmlTextAreaElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    // A new conversation starts with an empty reply.
    {
        let (draft, mode, uploads) = (draft.clone(), mode.clone(), uploads.clone());
        use_effect_with(id, move |_| {
            draft.set(String::new());
            mode.set(MessageKind::Text);
            uploads.dispatch(UploadAction::Clear);
        });
    }

    let matches: Vec<CannedResponse> = match shortcut_query(&draft) {
        Some(query) => {
            let query = query.to_lowercase();
            directory.canned.iter().filter(|c| c.shortcut.to_lowercase().starts_with(&query)).take(6).cloned().collect()
        }
        None => Vec::new(),
    };
    let label_matches: Vec<String> = match label_query(&draft) {
        Some(query) if matches.is_empty() => {
            suggestions(directory.labels.iter().map(|l| l.name.as_str()), query, &props.conversation.labels)
                .into_iter()
                .take(6)
                .collect()
        }
        _ => Vec::new(),
    };

    let expand = {
        let (ctx, draft, highlighted, conversation) =
            (ctx.clone(), draft.clone(), highlighted.clone(), props.conversation.clone());
        move |canned: &CannedResponse| {
            let current = (*draft).clone();
            let cut = current.rfind('/').unwrap_or(current.len());
            draft.set(format!("{}{}", &current[..cut], expand_for(&ctx, canned, &conversation)));
            highlighted.set(0);
        }
    };
    let apply_label = {
        let (ctx, draft, highlighted, conversation) =
            (ctx.clone(), draft.clone(), highlighted.clone(), props.conversation.clone());
        move |label: &str| {
            let current = (*draft).clone();
            let cut = current.rfind('#').unwrap_or(current.len());
            draft.set(current[..cut].trim_end().to_owned());
            highlighted.set(0);
            add_label(&ctx, conversation.id, &conversation.labels, label.to_owned());
        }
    };

    let send = {
        let (ctx, draft, mode, typing_sent_at, uploads) =
            (ctx.clone(), draft.clone(), mode.clone(), typing_sent_at.clone(), uploads.clone());
        move || {
            let body = draft.trim().to_owned();
            let attachment_ids = uploads.ready_ids();
            if uploads.busy() || (body.is_empty() && attachment_ids.is_empty()) {
                return;
            }
            // Failed uploads are dropped with the rest: their errors were shown.
            uploads.dispatch(UploadAction::Clear);
            ctx.client.send(id, body, *mode, attachment_ids);
            if *mode == MessageKind::Text {
                ctx.client.typing(id, false);
            }
            *typing_sent_at.borrow_mut() = 0.0;
            draft.set(String::new());
        }
    };

    let oninput = {
        let (ctx, draft, mode, typing_sent_at, highlighted) =
            (ctx.clone(), draft.clone(), mode.clone(), typing_sent_at.clone(), highlighted.clone());
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlTextAreaElement>().value();
            // Notes are private: the visitor never sees the agent typing one.
            if *mode == MessageKind::Text {
                let now = now_ms();
                if value.trim().is_empty() {
                    ctx.client.typing(id, false);
                    *typing_sent_at.borrow_mut() = 0.0;
                } else if now - *typing_sent_at.borrow() > TYPING_REPEAT_MS {
                    ctx.client.typing(id, true);
                    *typing_sent_at.borrow_mut() = now;
                }
            }
            highlighted.set(0);
            draft.set(value);
        })
    };
    let onkeydown = {
        let (send, matches, highlighted, expand) = (send.clone(), matches.clone(), highlighted.clone(), expand.clone());
        let (label_matches, apply_label) = (label_matches.clone(), apply_label.clone());
        Callback::from(move |event: KeyboardEvent| {
            let key = event.key();
            if !label_matches.is_empty() {
                let n = label_matches.len();
                match key.as_str() {
                    "ArrowDown" => {
                        event.prevent_default();
                        highlighted.set((*highlighted + 1) % n);
                        return;
                    }
                    "ArrowUp" => {
                        event.prevent_default();
                        highlighted.set((*highlighted + n - 1) % n);
                        return;
                    }
                    "Enter" | "Tab" => {
                        event.prevent_default();
                        apply_label(&label_matches[(*highlighted).min(n - 1)]);
                        return;
                    }
                    _ => {}
                }
            }
            if !matches.is_empty() {
                match key.as_str() {
                    "ArrowDown" => {
                        event.prevent_default();
                        highlighted.set((*highlighted + 1) % matches.len());
                        return;
                    }
                    "ArrowUp" => {
                        event.prevent_default();
                        highlighted.set((*highlighted + matches.len() - 1) % matches.len());
                        return;
                    }
                    "Enter" | "Tab" => {
                        event.prevent_default();
                        expand(&matches[(*highlighted).min(matches.len() - 1)]);
                        return;
                    }
                    _ => {}
                }
            }
            if key == "Enter" && !event.shift_key() && !event.is_composing() {
                event.prevent_default();
                send();
            }
        })
    };
    let onblur = {
        let (ctx, typing_sent_at) = (ctx.clone(), typing_sent_at.clone());
        Callback::from(move |_: FocusEvent| {
            if *typing_sent_at.borrow() > 0.0 {
                ctx.client.typing(id, false);
                *typing_sent_at.borrow_mut() = 0.0;
            }
        })
    };
    let set_mode = |kind: MessageKind| {
        let (mode, area) = (mode.clone(), area.clone());
        Callback::from(move |_| {
            mode.set(kind);
            if let Some(el) = area.cast::<HtmlTextAreaElement>() {
                let _ = el.focus();
            }
        })
    };
    let on_send = {
        let send = send.clone();
        Callback::from(move |_| send())
    };
    let on_files = {
        let uploads = uploads.clone();
        Callback::from(move |event: Event| {
            let input = event.target_unchecked_into::<HtmlInputElement>();
            Uploads::start(&uploads, id, input.files());
            // Choosing the same file again must fire `change` again.
            input.set_value("");
        })
    };
    let onpaste = {
        let uploads = uploads.clone();
        Callback::from(move |event: Event| {
            let Some(event) = event.dyn_ref::<web_sys::ClipboardEvent>() else { return };
            let files = event.clipboard_data().and_then(|data| data.files());
            if files.as_ref().is_some_and(|files| files.length() > 0) {
                event.prevent_default();
                Uploads::start(&uploads, id, files);
            }
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            // Accepting the drag is what allows the drop.
            event.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let (uploads, dragging) = (uploads.clone(), dragging.clone());
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            Uploads::start(&uploads, id, event.data_transfer().and_then(|data| data.files()));
        })
    };
    let on_remove = {
        let uploads = uploads.clone();
        Callback::from(move |key: u32| uploads.dispatch(UploadAction::Remove(key)))
    };
    let can_send = !uploads.busy() && (!draft.trim().is_empty() || !uploads.ready_ids().is_empty());
    let note = *mode == MessageKind::Note;
    let suggestions = (!matches.is_empty()).then(|| {
        let items = matches.iter().enumerate().map(|(i, canned)| {
            let onclick = {
                let (expand, canned) = (expand.clone(), canned.clone());
                Callback::from(move |_| expand(&canned))
            };
            html! {
                <li role="option" aria-selected={(i == *highlighted).to_string()}
                    class={classes!("canned", (i == *highlighted).then_some("active"))} {onclick}>
                    <strong>{ format!("/{}", canned.shortcut) }</strong>
                    <span>{ &canned.body }</span>
                </li>
            }
        });
        html! { <ul class="canned-list" role="listbox" aria-label="Canned responses">{ for items }</ul> }
    });
    let label_list = (!label_matches.is_empty()).then(|| {
        let items = label_matches.iter().enumerate().map(|(i, label)| {
            let onclick = {
                let (apply_label, label) = (apply_label.clone(), label.clone());
                Callback::from(move |_| apply_label(&label))
            };
            let color = directory.label_color(label);
            html! {
                <li role="option" aria-selected={(i == *highlighted).to_string()} data-label-suggestion={label.clone()}
                    class={classes!("canned", (i == *highlighted).then_some("active"))} {onclick}>
                    { swatch(&color) }
                    <span>{ format!("Label the conversation “{label}”") }</span>
                </li>
            }
        });
        html! { <ul class="canned-list" role="listbox" aria-label="Labels">{ for items }</ul> }
    });
    let placeholder = if note {
        "Write an internal note — only your team sees it"
    } else {
        "Reply to the visitor…  (Enter to send, Shift+Enter for a new line, / for canned responses, # for labels)"
    };
    html! {
        <div class={classes!("composer", note.then_some("composer-note"), (*dragging).then_some("composer-drop"))}
            data-mode={if note { "note" } else { "reply" }} {ondragover} {ondragleave} {ondrop}>
            <div class="composer-tabs" role="tablist" aria-label="Message type">
                <button role="tab" aria-selected={(!note).to_string()} class={classes!("tab", (!note).then_some("active"))}
                    data-mode-button="reply" onclick={set_mode(MessageKind::Text)} title="Reply (r)">{ "Reply" }</button>
                <button role="tab" aria-selected={note.to_string()} class={classes!("tab", "tab-note", note.then_some("active"))}
                    data-mode-button="note" onclick={set_mode(MessageKind::Note)} title="Internal note (n)">{ "Internal note" }</button>
            </div>
            <div class="slot">{ for suggestions }</div>
            <div class="slot">{ for label_list }</div>
            <label for="composer-input" class="sr-only">{ if note { "Internal note" } else { "Reply" } }</label>
            <textarea id="composer-input" class="composer-input" rows="3" ref={area} value={(*draft).clone()}
                {placeholder} {oninput} {onkeydown} {onblur} {onpaste} />
            <UploadTray uploads={(*uploads).clone()} {on_remove} />
            <div class="composer-bar">
                <label class="button ghost attach" title="Attach files (or paste, or drop them here)">
                    { icon("attach") }<span class="sr-only">{ "Attach files" }</span>
                    <input type="file" multiple={true} class="file-input" data-action="attach" onchange={on_files} />
                </label>
                <span class="muted small">{ if note { "Visible to your team only" } else { "The visitor sees this reply" } }</span>
                <button class="button primary" data-action="send" onclick={on_send} disabled={!can_send}>
                    { icon("send") }{ if note { "Add note" } else { "Send" } }
                </button>
            </div>
        </div>
    }
}
