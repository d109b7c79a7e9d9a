//! Labels: the workspace's tags with their colours and how many conversations carry
//! each; create, rename, recolour, merge one into another, delete.

use openapi::labels::{Label, LabelUpdate, NewLabel};
use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{head, value};
use crate::{
    app::{Ctx, use_ctx, use_directory},
    components::labels::label_chip,
    loading,
    services::api,
};

/// What a row is doing.
#[derive(Debug, Clone, PartialEq)]
enum Mode {
    Idle,
    Renaming(Uuid),
    Merging(Uuid),
    Deleting(Uuid),
}

async fn done(ctx: &Ctx, text: &str) {
    loading::reload_labels(ctx).await;
    ctx.toast(text);
}

#[function_component]
pub fn Labels() -> Html {
    let ctx = use_ctx();
    let directory = use_directory();
    let mode = use_state(|| Mode::Idle);
    let (new_name, new_color) = (use_node_ref(), use_node_ref());
    let rename_ref = use_node_ref();
    let merge_ref = use_node_ref();
    {
        let ctx = ctx.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { loading::reload_labels(&ctx).await });
        });
    }
    let on_create = {
        let (ctx, new_name, new_color) = (ctx.clone(), new_name.clone(), new_color.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let label = NewLabel { name: value(&new_name), color: Some(value(&new_color)) };
            let (ctx, new_name) = (ctx.clone(), new_name.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_label(&label).await {
                    Ok(created) => {
                        if let Some(input) = new_name.cast::<HtmlInputElement>() {
                            input.set_value("");
                        }
                        done(&ctx, &format!("Label “{}” created.", created.name)).await;
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let set_mode = |next: Mode| {
        let mode = mode.clone();
        Callback::from(move |_| mode.set(next.clone()))
    };
    let rows = directory.labels.iter().map(|label: &Label| {
        let id = label.id;
        let on_color = {
            let ctx = ctx.clone();
            Callback::from(move |event: Event| {
                let color = event.target_unchecked_into::<HtmlInputElement>().value();
                let ctx = ctx.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match api::update_label(id, &LabelUpdate { color: Some(color), ..LabelUpdate::default() }).await {
                        Ok(_) => done(&ctx, "Colour changed.").await,
                        Err(failure) => ctx.fail(failure),
                    }
                });
            })
        };
        let action = match &*mode {
            Mode::Renaming(m) if *m == id => {
                let on_rename = {
                    let (ctx, mode, rename_ref) = (ctx.clone(), mode.clone(), rename_ref.clone());
                    Callback::from(move |event: SubmitEvent| {
                        event.prevent_default();
                        let name = value(&rename_ref);
                        let (ctx, mode) = (ctx.clone(), mode.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            match api::update_label(id, &LabelUpdate { name: Some(name), ..LabelUpdate::default() }).await {
                                Ok(renamed) => {
                                    mode.set(Mode::Idle);
                                    done(&ctx, &format!("Renamed to “{}” on every conversation.", renamed.name)).await;
                                }
                                Err(failure) => ctx.fail(failure),
                            }
                        });
                    })
                };
                html! {
                    <form class="inline-form" onsubmit={on_rename} aria-label={format!("Rename {}", label.name)}>
                        <label class="sr-only" for="label-rename">{ "New name" }</label>
                        <input id="label-rename" ref={rename_ref.clone()} value={label.name.clone()} required=true maxlength="40" />
                        <button class="button small primary" type="submit" data-action="confirm-rename">{ "Rename" }</button>
                        <button class="button small" type="button" onclick={set_mode(Mode::Idle)}>{ "Cancel" }</button>
                    </form>
                }
            }
            Mode::Merging(m) if *m == id => {
                let on_merge = {
                    let (ctx, mode, merge_ref, name) = (ctx.clone(), mode.clone(), merge_ref.clone(), label.name.clone());
                    Callback::from(move |event: SubmitEvent| {
                        event.prevent_default();
                        let Ok(into) = merge_ref.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default().parse()
                        else {
                            return;
                        };
                        let (ctx, mode, name) = (ctx.clone(), mode.clone(), name.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            match api::merge_label(id, into).await {
                                Ok(target) => {
                                    mode.set(Mode::Idle);
                                    done(&ctx, &format!("“{name}” merged into “{}”.", target.name)).await;
                                }
                                Err(failure) => ctx.fail(failure),
                            }
                        });
                    })
                };
                let others = directory.labels.iter().filter(|l| l.id != id).map(|l| {
                    html! { <option value={l.id.to_string()}>{ &l.name }</option> }
                });
                html! {
                    <form class="inline-form" onsubmit={on_merge} aria-label={format!("Merge {}", label.name)}>
                        <label for="label-merge-into">{ "Into" }</label>
                        <select id="label-merge-into" class="select" ref={merge_ref.clone()} required=true>{ for others }</select>
                        <button class="button small primary" type="submit" data-action="confirm-merge">{ "Merge" }</button>
                        <button class="button small" type="button" onclick={set_mode(Mode::Idle)}>{ "Cancel" }</button>
                    </form>
                }
            }
            Mode::Deleting(m) if *m == id => {
                let on_delete = {
                    let (ctx, mode, name) = (ctx.clone(), mode.clone(), label.name.clone());
                    Callback::from(move |_| {
                        let (ctx, mode, name) = (ctx.clone(), mode.clone(), name.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            match api::delete_label(id).await {
                                Ok(()) => {
                                    mode.set(Mode::Idle);
                                    done(&ctx, &format!("Label “{name}” deleted.")).await;
                                }
                                Err(failure) => ctx.fail(failure),
                            }
                        });
                    })
                };
                html! {
                    <span class="inline-form" role="group" aria-label="Confirm deletion">
                        <span class="small">{ format!("Remove from {} conversations?", label.conversations) }</span>
                        <button class="button small danger" data-action="confirm-delete" onclick={on_delete}>{ "Delete" }</button>
                        <button class="button small" onclick={set_mode(Mode::Idle)}>{ "Cancel" }</button>
                    </span>
                }
            }
            _ => html! {
                <>
                    <button class="button small" data-action="rename" onclick={set_mode(Mode::Renaming(id))}>{ "Rename" }</button>
                    if directory.labels.len() > 1 {
                        <button class="button small" data-action="merge" onclick={set_mode(Mode::Merging(id))}>{ "Merge…" }</button>
                    }
                    <button class="button small" data-action="delete" onclick={set_mode(Mode::Deleting(id))}>{ "Delete" }</button>
                </>
            },
        };
        let color_id = format!("label-color-{id}");
        html! {
            <tr key={id.to_string()} data-label-row={label.name.clone()}>
                <td>{ label_chip(&label.name, &label.color) }</td>
                <td>
                    <label class="sr-only" for={color_id.clone()}>{ format!("Colour of {}", label.name) }</label>
                    <input id={color_id} type="color" value={label.color.clone()} onchange={on_color} />
                </td>
                <td class="muted" data-label-count={label.conversations.to_string()}>
                    { format!("{} conversation{}", label.conversations, if label.conversations == 1 { "" } else { "s" }) }</td>
                <td class="right actions">{ action }</td>
            </tr>
        }
    });
    html! {
        <>
            { head("Labels", "Tags for conversations, suggested as agents type. Renaming or merging changes every conversation at once.") }
            <div class="card">
                if directory.labels.is_empty() {
                    <p class="muted">{ "No labels yet: add one here, or type one on a conversation." }</p>
                } else {
                    <table class="table">
                        <thead><tr><th>{ "Label" }</th><th>{ "Colour" }</th><th>{ "Used on" }</th><th><span class="sr-only">{ "Actions" }</span></th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                }
            </div>
            <form class="card inline-form" onsubmit={on_create} aria-label="New label">
                <h2 class="form-title">{ "New label" }</h2>
                <label class="sr-only" for="new-label-name">{ "Name" }</label>
                <input id="new-label-name" ref={new_name} placeholder="billing" required=true maxlength="40" />
                <label class="sr-only" for="new-label-color">{ "Colour" }</label>
                <input id="new-label-color" type="color" ref={new_color} value="#2563eb" />
                <button class="button primary" type="submit" data-action="create-label">{ "Add label" }</button>
            </form>
        </>
    }
}
