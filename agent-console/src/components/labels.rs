//! Labels on a conversation: chips in the workspace's colours, and a picker that suggests
//! the workspace's labels as the agent types (a new name becomes a new workspace label).

use openapi::{conversations::ConversationUpdate, labels::NewLabel};
use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::conversation::update;
use crate::{
    app::{Ctx, use_ctx, use_directory},
    loading,
    services::api,
};

/// A dot of a label's colour. An SVG `fill`, not a `style` attribute: the console's
/// Content-Security-Policy allows no inline styles.
pub fn swatch(color: &str) -> Html {
    html! {
        <svg class="swatch" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
            <circle cx="5" cy="5" r="5" fill={color.to_owned()} />
        </svg>
    }
}

/// A label as a chip with its colour.
pub fn label_chip(name: &str, color: &str) -> Html {
    html! { <span class="tag tag-label" data-label={name.to_owned()}>{ swatch(color) }{ name }</span> }
}

/// The workspace's labels that start with (then contain) `typed`, not already chosen.
pub fn suggestions<'a>(all: impl Iterator<Item = &'a str>, typed: &str, chosen: &[String]) -> Vec<String> {
    let typed = typed.trim().to_lowercase();
    let free: Vec<&str> = all.filter(|l| !chosen.iter().any(|c| c.eq_ignore_ascii_case(l))).collect();
    let mut first: Vec<String> =
        free.iter().filter(|l| l.to_lowercase().starts_with(&typed)).map(|l| (*l).to_owned()).collect();
    first.extend(
        free.iter()
            .filter(|l| !l.to_lowercase().starts_with(&typed) && l.to_lowercase().contains(&typed))
            .map(|l| (*l).to_owned()),
    );
    first.truncate(8);
    first
}

/// Adds a label to a conversation, creating it in the workspace first when it is new.
pub fn add_label(ctx: &Ctx, id: Uuid, current: &[String], label: String) {
    let label = label.trim().to_owned();
    if label.is_empty() || current.iter().any(|l| l.eq_ignore_ascii_case(&label)) {
        return;
    }
    let known =
        ctx.stores.directory.labels.iter().find(|l| l.name.eq_ignore_ascii_case(&label)).map(|l| l.name.clone());
    let mut next = current.to_vec();
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let name = match known {
            Some(name) => name,
            None => match api::create_label(&NewLabel { name: label.clone(), color: None }).await {
                Ok(created) => {
                    loading::reload_labels(&ctx).await;
                    created.name
                }
                Err(failure) => return ctx.fail(failure),
            },
        };
        next.push(name);
        update(&ctx, id, ConversationUpdate { labels: Some(next), ..ConversationUpdate::default() }, "");
    });
}

#[derive(Properties, PartialEq)]
pub struct LabelPickerProps {
    pub id: Uuid,
    pub labels: Vec<String>,
}

#[function_component]
pub fn LabelPicker(props: &LabelPickerProps) -> Html {
    let ctx = use_ctx();
    let directory = use_directory();
    let input = use_node_ref();
    let typed = use_state(String::new);
    let highlighted = use_state(|| 0usize);
    let focused = use_state(|| false);
    let id = props.id;
    let offered = if *focused {
        suggestions(directory.labels.iter().map(|l| l.name.as_str()), &typed, &props.labels)
    } else {
        Vec::new()
    };
    let chips = props.labels.iter().map(|label| {
        let remove = {
            let ctx = ctx.clone();
            let others: Vec<String> = props.labels.iter().filter(|l| *l != label).cloned().collect();
            Callback::from(move |_| {
                update(
                    &ctx,
                    id,
                    ConversationUpdate { labels: Some(others.clone()), ..ConversationUpdate::default() },
                    "",
                )
            })
        };
        let color = directory.label_color(label);
        html! {
            <span class="tag tag-label" data-label={label.clone()}>{ swatch(&color) }{ label }
                <button class="chip-x" aria-label={format!("Remove label {label}")} onclick={remove}>{ "×" }</button>
            </span>
        }
    });
    let choose = {
        let (ctx, labels, typed, input) = (ctx.clone(), props.labels.clone(), typed.clone(), input.clone());
        move |label: String| {
            add_label(&ctx, id, &labels, label);
            typed.set(String::new());
            if let Some(el) = input.cast::<HtmlInputElement>() {
                el.set_value("");
            }
        }
    };
    let onkeydown = {
        let (choose, offered, highlighted, typed) =
            (choose.clone(), offered.clone(), highlighted.clone(), typed.clone());
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "ArrowDown" if !offered.is_empty() => {
                event.prevent_default();
                highlighted.set((*highlighted + 1) % offered.len());
            }
            "ArrowUp" if !offered.is_empty() => {
                event.prevent_default();
                highlighted.set((*highlighted + offered.len() - 1) % offered.len());
            }
            "Enter" => {
                event.prevent_default();
                // The highlighted suggestion, or what was typed (a new label).
                let typed_text = (*typed).trim().to_owned();
                let pick = offered
                    .get(*highlighted)
                    .filter(|s| typed_text.is_empty() || s.to_lowercase().starts_with(&typed_text.to_lowercase()))
                    .cloned()
                    .unwrap_or(typed_text);
                choose(pick);
            }
            _ => {}
        })
    };
    let oninput = {
        let (typed, highlighted) = (typed.clone(), highlighted.clone());
        Callback::from(move |event: InputEvent| {
            typed.set(event.target_unchecked_into::<HtmlInputElement>().value());
            highlighted.set(0);
        })
    };
    let onfocus = {
        let focused = focused.clone();
        Callback::from(move |_| focused.set(true))
    };
    let onblur = {
        let focused = focused.clone();
        // Later than a click on a suggestion, which must land first.
        Callback::from(move |_| {
            let focused = focused.clone();
            crate::clock::after(200, move || focused.set(false));
        })
    };
    let list = (!offered.is_empty()).then(|| {
        let items = offered.iter().enumerate().map(|(i, label)| {
            let onmousedown = {
                let (choose, label) = (choose.clone(), label.clone());
                Callback::from(move |event: MouseEvent| {
                    event.prevent_default();
                    choose(label.clone());
                })
            };
            let color = directory.label_color(label);
            html! {
                <li role="option" aria-selected={(i == *highlighted).to_string()} data-suggestion={label.clone()}
                    class={classes!("suggestion", (i == *highlighted).then_some("active"))} {onmousedown}>
                    { swatch(&color) }{ label }
                </li>
            }
        });
        html! { <ul class="suggestions" role="listbox" id="label-suggestions" aria-label="Labels">{ for items }</ul> }
    });
    html! {
        <div class="labels" role="group" aria-label="Labels">
            { for chips }
            <div class="menu-anchor">
                <label class="sr-only" for="add-label">{ "Add a label" }</label>
                <input id="add-label" class="label-input" placeholder="+ Label" ref={input} autocomplete="off"
                    role="combobox" aria-expanded={(!offered.is_empty()).to_string()} aria-controls="label-suggestions"
                    {onkeydown} {oninput} {onfocus} {onblur} />
                <div class="slot">{ for list }</div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_start_with_what_was_typed_and_skip_chosen_labels() {
        let all = ["billing", "bug", "vip", "rebill", "Shipping"];
        let offered = suggestions(all.iter().copied(), "bi", &["bug".to_owned()]);
        assert_eq!(offered, vec!["billing", "rebill"]);
        assert_eq!(suggestions(all.iter().copied(), "", &[]).len(), 5);
        assert_eq!(suggestions(all.iter().copied(), "SHIP", &[]), vec!["Shipping"]);
    }
}
