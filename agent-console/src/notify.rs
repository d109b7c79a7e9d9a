//! Telling the agent something happened while they look elsewhere: a short chime, a
//! browser notification that says who and what when they allowed it and the tab is
//! hidden, and the unread count in the tab title. Also the agent's chosen status, kept in
//! the browser so a reload does not turn "Offline" back into "Online".

use std::rc::Rc;

use openapi::realtime::AgentStatus;
use uuid::Uuid;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission, OscillatorType};

use crate::{
    app::Ctx,
    state::{Action, Alert},
};

pub fn tab_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Chime, and a browser notification naming the visitor when the tab is hidden. A
/// visitor not held yet is fetched first (for a second at most).
pub fn raise(ctx: &Ctx, alert: Rc<Alert>) {
    chime();
    if tab_visible() || permission() != NotificationPermission::Granted {
        return;
    }
    if ctx.stores.inbox.visitors.contains_key(&alert.visitor_id) {
        show(ctx, &alert);
    } else {
        ctx.want_visitors([alert.visitor_id]);
        let ctx = ctx.clone();
        crate::clock::after(1000, move || show(&ctx, &alert));
    }
}

fn show(ctx: &Ctx, alert: &Alert) {
    let (title, body) = alert.words(&ctx.stores.inbox.visitor_name(alert.visitor_id));
    let options = NotificationOptions::new();
    options.set_body(&body.chars().take(140).collect::<String>());
    // One notification per conversation: a newer one replaces it.
    options.set_tag(&format!("rapport-{}", alert.conversation_id));
    let Ok(notification) = Notification::new_with_options(&title, &options) else { return };
    let (ctx, id) = (ctx.clone(), alert.conversation_id);
    let open = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.focus();
        }
        ctx.send(Action::Select(Some(id)));
    });
    notification.set_onclick(Some(open.unchecked_ref()));
}

fn status_key(agent: Option<Uuid>) -> Option<String> {
    agent.map(|id| format!("rapport.status.{id}"))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The status this agent last chose in this browser.
pub fn remembered_status(agent: Option<Uuid>) -> Option<AgentStatus> {
    let value = storage()?.get_item(&status_key(agent)?).ok()??;
    AgentStatus::parse(&value)
}

pub fn remember_status(agent: Option<Uuid>, status: AgentStatus) {
    if let (Some(storage), Some(key)) = (storage(), status_key(agent)) {
        let _ = storage.set_item(&key, status.as_str());
    }
}

pub fn permission() -> NotificationPermission {
    // `Notification` is missing in some embedded browsers.
    let exists = js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false);
    if exists { Notification::permission() } else { NotificationPermission::Denied }
}

/// Asks for permission (must run in a click handler).
pub fn request_permission() {
    if permission() == NotificationPermission::Default {
        let _ = Notification::request_permission();
    }
}

/// Two soft notes. Browsers allow sound only after the agent interacted with the page.
fn chime() {
    thread_local!(static CONTEXT: Option<AudioContext> = AudioContext::new().ok());
    CONTEXT.with(|context| {
        let Some(context) = context else { return };
        // Created before the agent's first click, the context starts suspended.
        let _ = context.resume();
        let now = context.current_time();
        for (i, freq) in [880.0_f32, 1320.0].into_iter().enumerate() {
            let (Ok(osc), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else { return };
            osc.set_type(OscillatorType::Sine);
            osc.frequency().set_value(freq);
            let start = now + i as f64 * 0.12;
            let _ = gain.gain().set_value_at_time(0.0, start);
            let _ = gain.gain().linear_ramp_to_value_at_time(0.08, start + 0.02);
            let _ = gain.gain().linear_ramp_to_value_at_time(0.0, start + 0.25);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&context.destination());
            let _ = osc.start_with_when(start);
            let _ = osc.stop_with_when(start + 0.3);
        }
    });
}

/// "(3) Rapport" while three conversations have unseen news.
pub fn set_title(unread: usize) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let title = if unread > 0 { format!("({unread}) Rapport") } else { "Rapport".to_owned() };
        document.set_title(&title);
    }
}

/// Copies text to the clipboard (links and secrets on the settings screens).
#[cfg(feature = "complete")]
pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}
