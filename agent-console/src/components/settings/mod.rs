//! Settings for owners and admins, one file per screen:
//!
//! - [`workspace`]: the workspace's name and time zone;
//! - [`sites`]: the sites with, per site, [`site_editor`] (appearance, behaviour, embed
//!   snippet), [`site_identity`] (the identity secret, shown and rotated), [`site_mail`]
//!   (sender, notification address, transcripts) and [`business_hours`];
//! - [`agents`], [`teams`], [`labels`], [`canned`], [`api_keys`], [`webhooks`];
//! - [`audit_log`]: who changed what, read-only.

pub mod agents;
pub mod api_keys;
pub mod audit_log;
pub mod business_hours;
pub mod canned;
pub mod labels;
pub mod site_editor;
pub mod site_identity;
pub mod site_mail;
pub mod sites;
pub mod teams;
pub mod webhooks;
pub mod workspace;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::{app::use_session, state::AdminSection};

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub section: AdminSection,
}

#[function_component]
pub fn Settings(props: &SettingsProps) -> Html {
    let session = use_session();
    if !session.is_admin() {
        return html! { <section class="admin"><p>{ "Only owners and admins can change settings." }</p></section> };
    }
    let body = match props.section {
        AdminSection::Workspace => html! { <workspace::WorkspaceSettings /> },
        AdminSection::Sites => html! { <sites::Sites /> },
        AdminSection::Agents => html! { <agents::Agents /> },
        AdminSection::Teams => html! { <teams::Teams /> },
        AdminSection::Labels => html! { <labels::Labels /> },
        AdminSection::CannedResponses => html! { <canned::Canned /> },
        AdminSection::ApiKeys => html! { <api_keys::ApiKeys /> },
        AdminSection::Webhooks => html! { <webhooks::Webhooks /> },
        AdminSection::AuditLog => html! { <audit_log::AuditLog /> },
    };
    html! { <section class="admin" aria-labelledby="admin-title" data-settings={props.section.key()}>{ body }</section> }
}

/// The value of an input, text area or select.
pub fn value(node: &NodeRef) -> String {
    if let Some(input) = node.cast::<HtmlInputElement>() {
        return input.value();
    }
    if let Some(area) = node.cast::<HtmlTextAreaElement>() {
        return area.value();
    }
    node.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

/// Whether the checkbox with this id is ticked (for lists of checkboxes built per item).
pub fn checked(id: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(e).ok())
        .is_some_and(|input| input.checked())
}

/// A screen's title and what it is for.
pub fn head(title: &str, text: &str) -> Html {
    html! {
        <header class="admin-head">
            <div>
                <h1 id="admin-title">{ title }</h1>
                <p class="muted">{ text }</p>
            </div>
        </header>
    }
}
