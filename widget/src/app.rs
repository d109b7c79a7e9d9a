//! The widget's root: reads the site key and host page from the frame's URL, starts the
//! chat client, and lays out the panel.

use yew::prelude::*;

use crate::{
    components::start_form,
    i18n::{self, Strings},
    services::{
        client::Client,
        host::{Host, query_param},
    },
    state::{Chat, Link, Notice},
};

/// The browser's languages, most preferred first.
fn strings() -> &'static Strings {
    let Some(window) = web_sys::window() else { return &i18n::EN };
    let navigator = window.navigator();
    let languages: Vec<String> = navigator.languages().iter().filter_map(|v| v.as_string()).collect();
    let fallback = navigator.language().unwrap_or_default();
    i18n::pick(languages.iter().map(String::as_str).chain([fallback.as_str()]))
}

#[function_component]
pub fn App() -> Html {
    let chat = use_reducer(Chat::default);
    let list = use_node_ref();
    {
        // Keep the conversation scrolled to the newest message as things are added.
        let list = list.clone();
        use_effect_with(crate::components::messages::count(&chat), move |_| {
            if let Some(element) = list.cast::<web_sys::Element>() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }
    let strings = *use_memo((), |_| strings());
    let setup = {
        let dispatcher = chat.dispatcher();
        use_memo((), move |_| {
            let window = web_sys::window()?;
            let origin = window.location().origin().ok()?;
            let site_key = query_param(&window, "site")?;
            let host = Host::detect(&window);
            let closable = host.is_some();
            let client = Client::start(&origin, &site_key, host, Callback::from(move |a| dispatcher.dispatch(a)));
            Some((client, closable))
        })
    };
    let Some((client, closable)) = (*setup).clone() else {
        return html! { <p class="rp-fatal">{ "Rapport: this page needs ?site=<site key>." }</p> };
    };
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", strings.lang);
    }
    let on_close = {
        let client = client.clone();
        Callback::from(move |()| client.close())
    };
    let onkeydown = {
        let on_close = on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && closable {
                on_close.emit(());
            }
        })
    };
    // No conversation yet and the site wants a name, an email or (nobody online) an
    // email to answer to: the form comes first.
    let form = chat
        .site
        .as_ref()
        .filter(|site| chat.started == Some(false) && chat.pending.is_empty() && start_form::wanted(site));
    // After an offline message the answer comes by email: a place in line would promise
    // a live chat nobody is there for.
    let queue = chat
        .queue
        .as_ref()
        .filter(|_| chat.offline_email.is_none())
        .and_then(|q| Some(strings.queue(q.position?, q.estimated_wait_secs)));
    html! {
        <section class="rp-panel" role="dialog" aria-labelledby="rp-title" {onkeydown}>
            { crate::components::header::header(chat.site.as_ref(), strings, closable.then(|| on_close.reform(|_: MouseEvent| ()))) }
            if let Some(site) = form {
                { start_form::start_form(&client, strings, site, &chat) }
            } else {
                { crate::components::messages::messages(&chat, strings, &client, &list) }
            }
            // A status region (polite by its role): the visitor's place in line and the
            // offline promise are read out when they change.
            <div class="rp-notices" role="status">
                if let Some(email) = &chat.offline_email {
                    <p class="rp-notice" data-notice="offline_sent">{ Strings::fill(strings.offline_thanks, email) }</p>
                }
                if let Some(queue) = queue {
                    <p class="rp-notice" data-notice="queue">{ queue }</p>
                }
            </div>
            if chat.link == Link::Reconnecting {
                <p class="rp-banner" role="status">{ strings.reconnecting }</p>
            }
            if chat.notice == Some(Notice::IdentityRejected) {
                <p class="rp-banner rp-banner-error" role="alert" data-notice="identity_rejected">
                    { strings.identity_rejected }
                </p>
            }
            if chat.notice == Some(Notice::LinkExpired) {
                <p class="rp-banner" role="status" data-notice="link_expired">{ strings.link_expired }</p>
            }
            if form.is_none() {
                { crate::components::composer::composer(&client, strings, &chat) }
            }
            <footer class="rp-footer">
                if chat.started == Some(true) {
                    { crate::components::transcript::transcript(&client, strings, chat.transcript) }
                }
                <p>{ strings.powered_by }</p>
            </footer>
        </section>
    }
}
