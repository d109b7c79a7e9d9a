//! Time in the browser: "now" and how a message's time is shown.

use openapi::Timestamp;
use wasm_bindgen::JsValue;

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A message time as the visitor's locale writes hours and minutes ("14:05", "2:05 PM").
pub fn short_time(at: &Timestamp, lang: &str) -> String {
    local_time(at.timestamp_millis() as f64, lang)
}

pub fn local_time(millis: f64, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(millis));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
    let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
    date.to_locale_time_string_with_options(lang, &options).into()
}
