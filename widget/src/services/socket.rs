//! One WebSocket to `/ws/visitor`. The token travels as a subprotocol, never in the URL
//! (PROTOCOL.md §1). Dropping a [`Socket`] closes it and silences its callbacks, so a
//! replaced connection can never report into the new one's state.

use openapi::realtime::{SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::{frames::Frame, json};

pub struct Socket {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens `url`; `on_frame` gets every server frame, `on_close` the close code once.
    pub fn open(
        url: &str,
        token: &str,
        mut on_frame: impl FnMut(Frame) + 'static,
        mut on_close: impl FnMut(u16) + 'static,
    ) -> Result<Self, JsValue> {
        let protocols = js_sys::Array::of2(&SUBPROTOCOL.into(), &[TOKEN_SUBPROTOCOL_PREFIX, token].concat().into());
        let ws = WebSocket::new_with_str_sequence(url, &protocols)?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                match json::parse(&text).as_ref().and_then(Frame::read) {
                    Some(frame) => on_frame(frame),
                    // Not a frame at all: ignore it rather than fail.
                    None => web_sys::console::warn_2(&"rapport: ignored frame".into(), &text.into()),
                }
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| on_close(event.code()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self { ws, _on_message: on_message, _on_close: on_close })
    }

    /// Sends a frame's JSON (see `frames::out`); `false` when the socket is not open
    /// (the frame was not sent).
    pub fn send(&self, frame: &str) -> bool {
        self.ws.ready_state() == WebSocket::OPEN && self.ws.send_with_str(frame).is_ok()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
