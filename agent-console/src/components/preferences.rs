//! The agent's own notification settings: desktop notifications in this browser while the
//! console is open.

use yew::prelude::*;

use crate::{components::settings::head, notify};

#[function_component]
pub fn Preferences() -> Html {
    let permission = use_state(notify::permission);
    let ask = {
        let permission = permission.clone();
        Callback::from(move |_| {
            notify::request_permission();
            permission.set(notify::permission());
        })
    };
    let state = match *permission {
        web_sys::NotificationPermission::Granted => "Allowed in this browser.",
        web_sys::NotificationPermission::Denied => {
            "Blocked in this browser: allow them in the site settings of your browser."
        }
        _ => "Not asked yet.",
    };
    html! {
        <section class="admin" aria-labelledby="admin-title" data-preferences="">
            { head("Notifications", "How Rapport tells you about new conversations and assignments.") }
            <section class="card stack" aria-labelledby="desktop-title">
                <h2 id="desktop-title">{ "Desktop notifications" }</h2>
                <p class="muted small">{ "While the console is open in a hidden tab: who wrote and what." }</p>
                <p data-permission="">{ state }</p>
                if *permission == web_sys::NotificationPermission::Default {
                    <div><button class="button" onclick={ask}>{ "Allow desktop notifications" }</button></div>
                }
            </section>
        </section>
    }
}
