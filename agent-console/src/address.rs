//! The console's address. `/console/` is the inbox; `/console/?screen=<key>` names another
//! screen (`settings.sites`, `reports`, `preferences`: [`Screen::key`]); other parameters
//! are links into it (`?conversation=<id>` from mail to agents, `?invitation=`/`?reset=`
//! tokens for the sign-in card).
//!
//! The address also decides which build of the console runs ([`crate::bundle`]): the
//! server answers a `screen` address with the complete build.

use crate::state::Screen;

/// A parameter of the address, if present and not empty.
pub fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|value| !value.is_empty())
}

/// The screen the address names, if any.
pub fn requested_screen() -> Option<Screen> {
    Screen::from_key(&param("screen")?)
}

/// Loads the console's page at the screen's address (the build that has it).
#[cfg(not(feature = "complete"))]
pub fn open(screen: Screen) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(&url(screen));
    }
}

/// Makes the address name the screen on show, without a history entry: a reload comes
/// back to it, and a link copied from the bar opens it.
pub fn show(screen: Screen) {
    replace(&url(screen));
}

/// Takes every parameter out of the address (a used token must not be tried again on
/// reload).
pub fn clear() {
    replace("/console/");
}

fn replace(url: &str) {
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
}

fn url(screen: Screen) -> String {
    match screen.key() {
        Some(key) => format!("/console/?screen={key}"),
        None => "/console/".to_owned(),
    }
}
