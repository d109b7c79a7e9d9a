//! Sites: the list, a form to add one, and each site's settings in tabs (appearance and
//! behaviour, identity verification, mail, business hours).

use openapi::sites::{NewSite, Site};
use uuid::Uuid;
use yew::prelude::*;

use super::{
    business_hours::BusinessHours, site_editor::SiteEditor, site_identity::SiteIdentity, site_mail::SiteMail, value,
};
use crate::{app::use_ctx, services::api};

/// Allowed origins as typed: one per line (commas and spaces also separate).
pub fn origins(text: &str) -> Vec<String> {
    text.split([',', '\n', ' ']).map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect()
}

#[function_component]
pub fn Sites() -> Html {
    let ctx = use_ctx();
    let sites = use_state(Vec::<Site>::new);
    let selected = use_state(|| None::<Uuid>);
    let reload = use_state(|| 0u32);
    {
        let (sites, selected, ctx) = (sites.clone(), selected.clone(), ctx.clone());
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::sites().await {
                    Ok(page) => {
                        if selected.is_none() {
                            selected.set(page.items.first().map(|s| s.id));
                        }
                        sites.set(page.items);
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        });
    }
    let new_name = use_node_ref();
    let new_origin = use_node_ref();
    let on_create = {
        let (ctx, new_name, new_origin, reload, selected) =
            (ctx.clone(), new_name.clone(), new_origin.clone(), reload.clone(), selected.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let site = NewSite {
                name: value(&new_name),
                allowed_origins: origins(&value(&new_origin)),
                color: None,
                greeting: None,
                require_identity: None,
                routing_policy: None,
                prechat_name: None,
                prechat_email: None,
                offline_form: None,
                typing_preview: None,
            };
            let (ctx, reload, selected) = (ctx.clone(), reload.clone(), selected.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_site(&site).await {
                    Ok(site) => {
                        selected.set(Some(site.id));
                        reload.set(*reload + 1);
                        ctx.toast("Site created.");
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let tabs = sites.iter().map(|site| {
        let id = site.id;
        let active = *selected == Some(id);
        let onclick = {
            let selected = selected.clone();
            Callback::from(move |_| selected.set(Some(id)))
        };
        html! {
            <li><button class={classes!("site-tab", active.then_some("active"))} aria-current={active.then_some("true")} {onclick}>
                <span class="swatch-dot" data-color={site.color.clone()}></span>{ &site.name }
            </button></li>
        }
    });
    let current = sites.iter().find(|s| Some(s.id) == *selected).cloned();
    let on_saved = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    html! {
        <>
            <header class="admin-head">
                <div>
                    <h1 id="admin-title">{ "Sites" }</h1>
                    <p class="muted">{ "Each site is one website with the chat widget. Set how it looks and where it may appear." }</p>
                </div>
            </header>
            <div class="admin-split">
                <div class="admin-aside">
                    <ul class="site-tabs">{ for tabs }</ul>
                    <form class="card stack" onsubmit={on_create}>
                        <h2 class="form-title">{ "Add a site" }</h2>
                        <label for="new-site-name">{ "Name" }</label>
                        <input id="new-site-name" ref={new_name} required=true placeholder="Acme Store" />
                        <label for="new-site-origin">{ "Website address" }</label>
                        <input id="new-site-origin" ref={new_origin} required=true placeholder="https://www.acme.com" />
                        <button class="button primary" type="submit">{ "Add site" }</button>
                    </form>
                </div>
                if let Some(site) = current {
                    <SitePanel key={site.id.to_string()} site={site.clone()} {on_saved} />
                } else {
                    <div class="card empty"><p>{ "No site yet: add your website to get the embed snippet." }</p></div>
                }
            </div>
        </>
    }
}

/// The parts of a site's settings, as tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Appearance,
    Identity,
    Mail,
    Hours,
}

impl Part {
    const ALL: [Part; 4] = [Part::Appearance, Part::Identity, Part::Mail, Part::Hours];

    fn title(self) -> &'static str {
        match self {
            Part::Appearance => "Appearance and behaviour",
            Part::Identity => "Identity verification",
            Part::Mail => "Mail",
            Part::Hours => "Business hours",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Part::Appearance => "appearance",
            Part::Identity => "identity",
            Part::Mail => "mail",
            Part::Hours => "hours",
        }
    }
}

#[derive(Properties, PartialEq)]
struct SitePanelProps {
    site: Site,
    on_saved: Callback<()>,
}

#[function_component]
fn SitePanel(props: &SitePanelProps) -> Html {
    let part = use_state(|| Part::Appearance);
    let tabs = Part::ALL.iter().map(|&p| {
        let active = *part == p;
        let onclick = {
            let part = part.clone();
            Callback::from(move |_| part.set(p))
        };
        html! {
            <button role="tab" class={classes!("tab", active.then_some("active"))} aria-selected={active.to_string()}
                data-site-part={p.key()} {onclick}>{ p.title() }</button>
        }
    });
    let site = props.site.clone();
    let body = match *part {
        Part::Appearance => html! { <SiteEditor site={site} on_saved={props.on_saved.clone()} /> },
        Part::Identity => html! { <SiteIdentity site={site} on_saved={props.on_saved.clone()} /> },
        Part::Mail => html! { <SiteMail site_id={site.id} site_name={site.name.clone()} /> },
        Part::Hours => html! { <BusinessHours site_id={site.id} /> },
    };
    html! {
        <div class="admin-main">
            <div class="tabs" role="tablist" aria-label={format!("Settings of {}", props.site.name)}>{ for tabs }</div>
            { body }
        </div>
    }
}
