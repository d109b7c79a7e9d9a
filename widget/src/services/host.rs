//! The postMessage bridge with the host page (the loader, `/widget.js`).
//!
//! The iframe learns the host page's origin from its URL (`?host=`), and believes it only
//! if the browser agrees (`location.ancestorOrigins`, where available). The server lets
//! only the site's allowed origins frame this page (`frame-ancestors`), so a foreign page
//! cannot even load it. Messages are accepted only from the parent window at that
//! origin, and posted only to that origin.
//!
//! The host page also keeps the widget's memory (see `storage`): the iframe says `boot`,
//! the loader answers with what it holds (`memory`), and every change goes back as
//! `store`.

use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{MessageEvent, Window};

/// A command from the host page (the loader forwards the page's `Rapport(…)` calls):
/// `{"cmd": "page", "url": …, "title": …}`, `{"cmd": "identify", "data": {…}}`…
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// The page the visitor is on.
    Page {
        url: String,
        title: String,
    },
    Open,
    Close,
    /// `identify({user_id, email, name, user_hash})`; a numeric `user_id` is taken as
    /// its decimal text.
    Identify {
        user_id: Option<String>,
        email: Option<String>,
        name: Option<String>,
        user_hash: Option<String>,
    },
    /// `setAttributes({...})`, already as the JSON body of `PATCH /widget/attributes`.
    Attributes {
        body: String,
    },
    /// What the host page keeps for the widget, key by key (the answer to `boot`).
    Memory(Vec<(String, String)>),
}

/// A message for the host page: events it passes on (`Rapport('on', event, fn)`) and
/// the widget's own bookkeeping (`boot`, `store`).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The widget started: send the memory.
    Boot,
    /// Keep `value` under `key` (`None`: forget it).
    Store {
        key: &'static str,
        value: Option<String>,
    },
    /// The widget is up; the launcher can take the site's colour.
    Ready {
        color: String,
    },
    /// The visitor closed the panel from inside.
    Close,
    Message {
        body: String,
        created_at: String,
    },
    Unread {
        count: usize,
    },
    Error {
        code: String,
        message: String,
    },
}

impl Event {
    /// The message as the loader reads it: `{rapport: 1, ev: …, …fields}`.
    fn to_js(&self) -> JsValue {
        let object = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&object, &key.into(), &value);
        };
        set(MARKER, 1.into());
        let ev = match self {
            Event::Boot => "boot",
            Event::Store { key, value } => {
                set("key", (*key).into());
                set("value", value.as_deref().map_or(JsValue::NULL, JsValue::from_str));
                "store"
            }
            Event::Ready { color } => {
                set("color", color.into());
                "ready"
            }
            Event::Close => "close",
            Event::Message { body, created_at } => {
                set("body", body.into());
                set("created_at", created_at.into());
                "message"
            }
            Event::Unread { count } => {
                set("count", (*count as u32).into());
                "unread"
            }
            Event::Error { code, message } => {
                set("code", code.into());
                set("message", message.into());
                "error"
            }
        };
        set("ev", ev.into());
        object.into()
    }
}

impl Command {
    /// Reads a command from a message's data. Read field by field with the browser's own
    /// reflection and JSON rather than through serde: a derived tagged `Deserialize`
    /// buffers the whole payload, and `serde_json::Value` (for free-form attributes)
    /// brings a generic JSON tree into the wasm, both far heavier than these lines.
    /// Unknown fields (the marker) are ignored.
    fn from_js(data: &JsValue) -> Option<Self> {
        let get = |object: &JsValue, name: &str| {
            js_sys::Reflect::get(object, &name.into()).ok().filter(|v| !v.is_undefined())
        };
        let text = |name: &str| get(data, name).and_then(|v| v.as_string());
        Some(match text("cmd")?.as_str() {
            "page" => Self::Page { url: text("url")?, title: text("title")? },
            "open" => Self::Open,
            "close" => Self::Close,
            "identify" => {
                let who = get(data, "data").filter(JsValue::is_object)?;
                let text = |name: &str| get(&who, name).and_then(|v| v.as_string());
                let number = |name: &str| {
                    let value = get(&who, name).filter(|v| v.as_f64().is_some())?;
                    js_sys::JSON::stringify(&value).ok().map(String::from)
                };
                Self::Identify {
                    user_id: text("user_id").or_else(|| number("user_id")),
                    email: text("email"),
                    name: text("name"),
                    user_hash: text("user_hash"),
                }
            }
            "memory" => {
                let data = get(data, "data").filter(JsValue::is_object)?;
                let entries = js_sys::Object::entries(data.unchecked_ref());
                Self::Memory(
                    entries
                        .iter()
                        .filter_map(|entry| {
                            let pair = js_sys::Array::from(&entry);
                            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                        })
                        .collect(),
                )
            }
            "attributes" => {
                // Only a plain object is a set of attributes; anything else is ignored.
                let attributes = get(data, "data").filter(|v| v.is_object() && !js_sys::Array::is_array(v))?;
                let body = js_sys::Object::new();
                js_sys::Reflect::set(&body, &"attributes".into(), &attributes).ok()?;
                Self::Attributes { body: js_sys::JSON::stringify(&body).ok()?.into() }
            }
            _ => return None,
        })
    }
}

/// Messages carry `rapport: 1` so either side can tell ours from other scripts'.
const MARKER: &str = "rapport";

#[derive(Clone)]
pub struct Host {
    origin: String,
}

impl Host {
    /// The host page's origin, when we are framed by one we can trust.
    pub fn detect(window: &Window) -> Option<Self> {
        let parent = window.parent().ok().flatten()?;
        if js_sys::Object::is(&parent, window) {
            return None; // opened directly: no host page
        }
        let claimed = query_param(window, "host")?;
        // Chromium and Safari list the framing origins; Firefox does not (web-sys has no
        // binding for it either, hence the reflection).
        let ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into()).ok();
        let first = ancestors
            .filter(|list| !list.is_undefined())
            .map(|list| js_sys::Reflect::get(&list, &0.into()).ok().and_then(|v| v.as_string()));
        let confirmed = match first {
            None => true,
            Some(first) => first.as_deref() == Some(claimed.as_str()),
        };
        confirmed.then_some(Self { origin: claimed })
    }

    pub fn post(&self, event: &Event) {
        let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else { return };
        let _ = parent.post_message(&event.to_js(), &self.origin);
    }

    /// Calls `on_command` for every well-formed command from the host page.
    pub fn listen(&self, window: &Window, mut on_command: impl FnMut(Command) + 'static) {
        let origin = self.origin.clone();
        let parent = window.parent().ok().flatten();
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let from_parent = match (event.source(), &parent) {
                (Some(source), Some(parent)) => js_sys::Object::is(&source, parent),
                _ => false,
            };
            if !from_parent || event.origin() != origin {
                return;
            }
            let data = event.data();
            let ours = js_sys::Reflect::get(&data, &MARKER.into()).ok().and_then(|v| v.as_f64()) == Some(1.0);
            if let Some(command) = ours.then(|| Command::from_js(&data)).flatten() {
                on_command(command);
            }
        });
        let _ = window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        // Lives as long as the page.
        listener.forget();
    }
}

/// A query parameter of the iframe's own URL.
pub fn query_param(window: &Window, name: &str) -> Option<String> {
    let search = window.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|value| !value.is_empty())
}
