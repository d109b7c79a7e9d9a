//! Time in the browser: "now" and how a message's time is shown.

use wasm_bindgen::JsValue;

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A message time (RFC 3339, as on the wire) as the visitor's locale writes hours and
/// minutes ("14:05", "2:05 PM").
pub fn short_time(at: &str, lang: &str) -> String {
    local_time(js_sys::Date::parse(at), lang)
}

/// A wire time (UTC, `…Z`) as the host page's events have always carried it: with
/// `+00:00`, as chrono's `to_rfc3339` writes it.
pub fn rfc3339_utc(at: &str) -> String {
    match at.strip_suffix('Z') {
        Some(time) => [time, "+00:00"].concat(),
        None => at.to_owned(),
    }
}

pub fn local_time(millis: f64, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(millis));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
    let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
    date.to_locale_time_string_with_options(lang, &options).into()
}
