//! Telling the agent something happened while they look elsewhere: a short chime, a
//! browser notification when they allowed it and the tab is hidden, and the unread
//! count in the tab title.

use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission, OscillatorType};

pub fn tab_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Chime, and a browser notification when the tab is hidden.
pub fn alert(title: &str, body: &str) {
    chime();
    if !tab_visible() && permission() == NotificationPermission::Granted {
        let options = NotificationOptions::new();
        options.set_body(&body.chars().take(140).collect::<String>());
        options.set_tag("rapport");
        let _ = Notification::new_with_options(title, &options);
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

/// Copies text to the clipboard.
pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}
