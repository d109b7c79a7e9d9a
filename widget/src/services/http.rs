//! One HTTP request through the browser's `fetch`, as the widget needs it: a method, a
//! URL, the visitor token as a bearer, a JSON text or a file as the body; the status and
//! the answer's text back. (gloo-net did the same with more code than the widget uses.)

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// What goes in the request's body.
pub enum Body {
    None,
    /// JSON text (`Content-Type: application/json`).
    Json(String),
    /// A file picked by the visitor, sent as it is with its own type.
    File(web_sys::File),
}

/// No answer at all: offline, the server down, a cut connection.
pub struct Unreachable;

/// Sends the request; `Ok((status, text))` for any answer, whatever its status.
pub async fn fetch(method: &str, url: &str, token: Option<&str>, body: Body) -> Result<(u16, String), Unreachable> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| Unreachable)?;
    if let Some(token) = token {
        headers.set("Authorization", &["Bearer ", token].concat()).map_err(|_| Unreachable)?;
    }
    match body {
        Body::None => {}
        Body::Json(json) => {
            headers.set("Content-Type", "application/json").map_err(|_| Unreachable)?;
            init.set_body(&JsValue::from_str(&json));
        }
        Body::File(file) => {
            let kind = file.type_();
            let kind = if kind.is_empty() { "application/octet-stream".to_owned() } else { kind };
            headers.set("Content-Type", &kind).map_err(|_| Unreachable)?;
            init.set_body(&file);
        }
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| Unreachable)?;
    let window = web_sys::window().ok_or(Unreachable)?;
    let response = JsFuture::from(window.fetch_with_request(&request)).await.map_err(|_| Unreachable)?;
    let response: Response = response.dyn_into().map_err(|_| Unreachable)?;
    let text = JsFuture::from(response.text().map_err(|_| Unreachable)?).await.map_err(|_| Unreachable)?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}
