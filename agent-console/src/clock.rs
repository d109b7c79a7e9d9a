//! Time as agents read it: relative ("3m", "2h"), waiting times, local clock times.

use wasm_bindgen::JsValue;

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn millis(at: &openapi::Timestamp) -> f64 {
    at.timestamp_millis() as f64
}

/// "now", "4m", "3h", "2d", or the date for anything older than a week.
pub fn relative(at: f64) -> String {
    let secs = ((now_ms() - at) / 1000.0).max(0.0);
    if secs < 45.0 {
        "now".into()
    } else if secs < 3600.0 {
        format!("{}m", (secs / 60.0).round().max(1.0))
    } else if secs < 86_400.0 {
        format!("{}h", (secs / 3600.0).floor())
    } else if secs < 7.0 * 86_400.0 {
        format!("{}d", (secs / 86_400.0).floor())
    } else {
        date(at)
    }
}

/// A waiting time that ticks: "0:42", "12:05", "1:02:09".
pub fn waited(since: f64) -> String {
    let total = ((now_ms() - since) / 1000.0).max(0.0) as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let options = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    options
}

/// "14:05" in the agent's locale.
pub fn clock_time(at: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at));
    date.to_locale_time_string_with_options("default", &options(&[("hour", "2-digit"), ("minute", "2-digit")])).into()
}

/// "12 Mar" in the agent's locale.
pub fn date(at: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at));
    date.to_locale_date_string("default", &options(&[("day", "numeric"), ("month", "short")])).into()
}

/// "Today", "Yesterday" or the date: the separators of a conversation's history.
pub fn day(at: f64) -> String {
    let today = js_sys::Date::new_0();
    today.set_hours(0);
    today.set_minutes(0);
    today.set_seconds(0);
    today.set_milliseconds(0);
    let midnight = today.get_time();
    if at >= midnight {
        "Today".into()
    } else if at >= midnight - 86_400_000.0 {
        "Yesterday".into()
    } else {
        date(at)
    }
}

/// The time now in an IANA time zone ("Europe/Paris"), if the browser knows it.
pub fn time_in_zone(zone: &str) -> Option<String> {
    let date = js_sys::Date::new_0();
    let opts = options(&[("hour", "2-digit"), ("minute", "2-digit"), ("timeZone", zone)]);
    // An unknown zone throws a RangeError.
    let format = js_sys::Reflect::get(&date, &"toLocaleTimeString".into()).ok()?;
    let format: js_sys::Function = format.into();
    format.call2(&date, &"default".into(), &opts).ok()?.as_string()
}

/// "Monday 23 November 2026, 14:05": the exact time, for tooltips.
pub fn full_time(at: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at));
    let opts = options(&[("dateStyle", "full"), ("timeStyle", "short")]);
    date.to_locale_string("default", &opts).into()
}

/// Runs `f` once after `ms` milliseconds.
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(wasm_bindgen::JsCast::unchecked_ref(&callback), ms);
    }
}
