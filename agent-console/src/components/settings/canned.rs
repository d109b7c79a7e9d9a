//! Saved replies: shortcut, body with variables, and the same reply in other languages.

use openapi::canned::CannedVariant;
use uuid::Uuid;
use yew::prelude::*;

use super::value;
use crate::{
    app::{use_ctx, use_directory},
    services::api,
    state::Action,
    text::VARIABLES,
};

#[function_component]
pub fn Canned() -> Html {
    let ctx = use_ctx();
    let directory = use_directory();
    let (shortcut, body) = (use_node_ref(), use_node_ref());
    let new_variants = use_state(Vec::<CannedVariant>::new);
    let edit_variants = use_state(Vec::<CannedVariant>::new);
    let refresh = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::canned_responses().await {
                    Ok(page) => ctx.send(Action::Canned(page.items)),
                    Err(failure) => ctx.fail(failure),
                }
            });
        }
    };
    let on_create = {
        let (ctx, shortcut, body, refresh) = (ctx.clone(), shortcut.clone(), body.clone(), refresh.clone());
        let new_variants = new_variants.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (s, b) = (value(&shortcut).trim_start_matches('/').to_owned(), value(&body));
            let variants = (*new_variants).clone();
            let (ctx, refresh, new_variants) = (ctx.clone(), refresh.clone(), new_variants.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_canned_response(&s, &b, variants).await {
                    Ok(_) => {
                        ctx.toast("Canned response saved.");
                        new_variants.set(Vec::new());
                        refresh();
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let editing = use_state(|| None::<Uuid>);
    let (edit_shortcut, edit_body) = (use_node_ref(), use_node_ref());
    let rows = directory.canned.iter().map(|c| {
        let id = c.id;
        let on_delete = {
            let (ctx, refresh) = (ctx.clone(), refresh.clone());
            Callback::from(move |_| {
                let (ctx, refresh) = (ctx.clone(), refresh.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match api::delete_canned_response(id).await {
                        Ok(_) => refresh(),
                        Err(failure) => ctx.fail(failure),
                    }
                });
            })
        };
        let on_edit = {
            let (editing, edit_variants, variants) = (editing.clone(), edit_variants.clone(), c.variants.clone());
            Callback::from(move |_| {
                edit_variants.set(variants.clone());
                editing.set(Some(id));
            })
        };
        if *editing == Some(id) {
            let on_save = {
                let (ctx, refresh, editing) = (ctx.clone(), refresh.clone(), editing.clone());
                let (shortcut, body, edit_variants) = (edit_shortcut.clone(), edit_body.clone(), edit_variants.clone());
                Callback::from(move |event: SubmitEvent| {
                    event.prevent_default();
                    let (s, b) = (value(&shortcut).trim_start_matches('/').to_owned(), value(&body));
                    let variants = (*edit_variants).clone();
                    let (ctx, refresh, editing) = (ctx.clone(), refresh.clone(), editing.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::update_canned_response(id, &s, &b, variants).await {
                            Ok(_) => {
                                editing.set(None);
                                ctx.toast("Canned response updated.");
                                refresh();
                            }
                            Err(failure) => ctx.fail(failure),
                        }
                    });
                })
            };
            let on_cancel = {
                let editing = editing.clone();
                Callback::from(move |_| editing.set(None))
            };
            return html! {
                <tr key={id.to_string()} class="editing">
                    <td colspan="3">
                        <form class="stack" onsubmit={on_save} aria-label="Edit canned response">
                            <label for="canned-edit-shortcut">{ "Shortcut" }</label>
                            <input id="canned-edit-shortcut" ref={edit_shortcut.clone()} value={c.shortcut.clone()} required=true />
                            <label for="canned-edit-body">{ "Text" }</label>
                            <textarea id="canned-edit-body" ref={edit_body.clone()} rows="3" defaultvalue={c.body.clone()} required=true />
                            <Variants prefix="edit" value={(*edit_variants).clone()}
                                onchange={let v = edit_variants.clone(); Callback::from(move |next| v.set(next))} />
                            <div class="form-actions">
                                <button class="button" type="button" onclick={on_cancel}>{ "Cancel" }</button>
                                <button class="button primary" type="submit">{ "Save" }</button>
                            </div>
                        </form>
                    </td>
                </tr>
            };
        }
        html! {
            <tr key={id.to_string()}>
                <td><code>{ format!("/{}", c.shortcut) }</code></td>
                <td class="wrap">{ &c.body }
                    if !c.variants.is_empty() {
                        <span class="muted small variants-list">{ format!(" · also in {}", c.variants.iter().map(|v| v.language.as_str()).collect::<Vec<_>>().join(", ")) }</span>
                    }
                </td>
                <td class="right actions">
                    <button class="button small" data-action="edit" onclick={on_edit}>{ "Edit" }</button>
                    <button class="button small" onclick={on_delete}>{ "Delete" }</button>
                </td>
            </tr>
        }
    });
    html! {
        <>
            <header class="admin-head"><div>
                <h1 id="admin-title">{ "Canned responses" }</h1>
                <p class="muted">{ "Saved answers: type / and the shortcut in the composer to insert one. The visitor's language picks the variant; variables are filled in." }</p>
                <p class="muted small">{ "Variables: " }{ for VARIABLES.iter().map(|v| html! { <><code>{ format!("{{{{{v}}}}}") }</code>{ " " }</> }) }
                    { "— with a fallback: " }<code>{ "{{visitor.first_name | there}}" }</code></p>
            </div></header>
            <div class="card">
                if directory.canned.is_empty() {
                    <p class="muted">{ "No canned responses yet." }</p>
                } else {
                    <table class="table"><thead><tr><th>{ "Shortcut" }</th><th>{ "Text" }</th><th><span class="sr-only">{ "Actions" }</span></th></tr></thead>
                    <tbody>{ for rows }</tbody></table>
                }
            </div>
            <form class="card stack" onsubmit={on_create} aria-label="New canned response">
                <h2 class="form-title">{ "New canned response" }</h2>
                <label for="canned-shortcut">{ "Shortcut" }</label>
                <input id="canned-shortcut" ref={shortcut} placeholder="refund" required=true />
                <label for="canned-body">{ "Text" }</label>
                <textarea id="canned-body" ref={body} rows="3" required=true placeholder="Hi {{visitor.first_name | there}}, …" />
                <Variants prefix="new" value={(*new_variants).clone()}
                    onchange={let v = new_variants.clone(); Callback::from(move |next| v.set(next))} />
                <div class="form-actions"><button class="button primary" type="submit">{ "Save" }</button></div>
            </form>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct VariantsProps {
    /// Distinguishes the ids of the create and edit forms.
    prefix: &'static str,
    value: Vec<CannedVariant>,
    onchange: Callback<Vec<CannedVariant>>,
}

/// The reply in other languages: a language tag and a text per row.
#[function_component]
fn Variants(props: &VariantsProps) -> Html {
    let rows = props.value.iter().enumerate().map(|(i, variant)| {
        let edit = |field: fn(&mut CannedVariant, String)| {
            let (value, onchange) = (props.value.clone(), props.onchange.clone());
            Callback::from(move |event: InputEvent| {
                let text = event.target_unchecked_into::<web_sys::HtmlInputElement>().value();
                let mut next = value.clone();
                field(&mut next[i], text);
                onchange.emit(next);
            })
        };
        let on_remove = {
            let (value, onchange) = (props.value.clone(), props.onchange.clone());
            Callback::from(move |_| {
                let mut next = value.clone();
                next.remove(i);
                onchange.emit(next);
            })
        };
        let (lang_id, body_id) = (format!("{}-variant-lang-{i}", props.prefix), format!("{}-variant-body-{i}", props.prefix));
        html! {
            <div class="variant-row" data-variant={i.to_string()}>
                <label class="sr-only" for={lang_id.clone()}>{ "Language" }</label>
                <input id={lang_id} class="narrow" placeholder="fr" value={variant.language.clone()} required=true
                    oninput={edit(|v, text| v.language = text)} />
                <label class="sr-only" for={body_id.clone()}>{ "Text in this language" }</label>
                <textarea id={body_id} rows="2" value={variant.body.clone()} required=true
                    oninput={edit(|v, text| v.body = text)} />
                <button type="button" class="button small" onclick={on_remove} aria-label="Remove this language">{ "Remove" }</button>
            </div>
        }
    });
    let on_add = {
        let (value, onchange) = (props.value.clone(), props.onchange.clone());
        Callback::from(move |_| {
            let mut next = value.clone();
            next.push(CannedVariant { language: String::new(), body: String::new() });
            onchange.emit(next);
        })
    };
    html! {
        <fieldset class="variants">
            <legend>{ "Other languages" }</legend>
            { for rows }
            <button type="button" class="link-button" onclick={on_add} data-action="add-variant">{ "+ Add a language" }</button>
        </fieldset>
    }
}
