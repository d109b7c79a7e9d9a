//! This browser's Web Push subscription: the service worker (`/console/sw.js`) and the
//! push manager, reached through the browser's reflection so no binding crate grows
//! for a handful of calls.

use base64::Engine as _;
use openapi::push::{NewPushSubscription, PushKeys};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    js_sys::Reflect::get(target, &key.into()).map_err(|_| format!("no {key}"))
}

async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let function: js_sys::Function =
        get(target, method)?.dyn_into().map_err(|_| format!("{method} is not a function"))?;
    let array: js_sys::Array = args.iter().collect();
    let result = function.apply(target, &array).map_err(|e| describe(&e))?;
    match result.dyn_into::<js_sys::Promise>() {
        Ok(promise) => JsFuture::from(promise).await.map_err(|e| describe(&e)),
        Err(value) => Ok(value),
    }
}

fn describe(error: &JsValue) -> String {
    get(error, "message").ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{error:?}"))
}

fn container() -> Result<JsValue, String> {
    let navigator = web_sys::window().ok_or("no window")?.navigator();
    let worker = get(&navigator, "serviceWorker")?;
    if worker.is_undefined() { Err("this browser has no service workers".into()) } else { Ok(worker) }
}

/// Whether this browser can receive pushes at all (service workers and a push manager).
pub fn supported() -> bool {
    let global = js_sys::global();
    container().is_ok() && js_sys::Reflect::has(&global, &"PushManager".into()).unwrap_or(false)
}

async fn registration() -> Result<JsValue, String> {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"scope".into(), &"/console/".into());
    call(&container()?, "register", &["/console/sw.js".into(), options.into()]).await
}

/// The endpoint this browser is subscribed with, if it is.
pub async fn current_endpoint() -> Option<String> {
    let registration = registration().await.ok()?;
    let subscription = call(&get(&registration, "pushManager").ok()?, "getSubscription", &[]).await.ok()?;
    if subscription.is_null() || subscription.is_undefined() {
        return None;
    }
    get(&subscription, "endpoint").ok()?.as_string()
}

/// Subscribes this browser with the server's VAPID key (base64url); what the server
/// needs to register it.
pub async fn subscribe(vapid_key: &str) -> Result<NewPushSubscription, String> {
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(vapid_key)
        .map_err(|_| "the server's key is not base64url".to_owned())?;
    let registration = registration().await?;
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"userVisibleOnly".into(), &JsValue::TRUE);
    let _ = js_sys::Reflect::set(&options, &"applicationServerKey".into(), &js_sys::Uint8Array::from(&key[..]));
    let subscription = call(&get(&registration, "pushManager")?, "subscribe", &[options.into()]).await?;
    let json = call(&subscription, "toJSON", &[]).await?;
    let text = |value: JsValue| value.as_string().ok_or_else(|| "an incomplete subscription".to_owned());
    let keys = get(&json, "keys")?;
    Ok(NewPushSubscription {
        endpoint: text(get(&json, "endpoint")?)?,
        keys: PushKeys { p256dh: text(get(&keys, "p256dh")?)?, auth: text(get(&keys, "auth")?)? },
    })
}

/// Ends this browser's subscription (the push service forgets it).
pub async fn unsubscribe() -> Result<(), String> {
    let registration = registration().await?;
    let subscription = call(&get(&registration, "pushManager")?, "getSubscription", &[]).await?;
    if !subscription.is_null() && !subscription.is_undefined() {
        call(&subscription, "unsubscribe", &[]).await?;
    }
    Ok(())
}
