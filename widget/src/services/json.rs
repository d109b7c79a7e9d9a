//! JSON without serde in the wasm, both ways.
//!
//! - Reading: the browser parses (`JSON.parse`), and the widget reads the few fields it
//!   needs through [`Json`]. serde's derived `Deserialize` code, monomorphised for every
//!   answer and frame, plus serde_json's parser were about a fifth of the wasm; reading
//!   fields from the parsed object costs a few lines per type.
//! - Writing: [`Writer`] appends fields to a string (the widget sends a handful of flat
//!   objects; serde_json's serialiser and the derived `Serialize` code cost far more).
//!
//! The readers are generic over [`Json`], so the unit tests run them natively on
//! `serde_json::Value`s produced by `openapi`'s own `Serialize`, and the tests of the
//! writers parse their output with `openapi`'s `Deserialize`: what the server and the
//! widget say cannot drift apart unnoticed.
//!
//! Ids stay the text they came as (`conversation_id`, `author_id`…): the widget only
//! compares and sends them back, so no UUID parser or formatter ships in the wasm.

use wasm_bindgen::JsValue;

/// A parsed JSON value. Absent and `null` both read as `None`.
pub trait Json: Sized {
    fn get(&self, key: &str) -> Option<Self>;
    fn as_text(&self) -> Option<String>;
    fn as_number(&self) -> Option<f64>;
    fn as_boolean(&self) -> Option<bool>;
    /// The items of an array (none for anything else).
    fn items(&self) -> Vec<Self>;

    fn text(&self, key: &str) -> Option<String> {
        self.get(key)?.as_text()
    }
    fn number(&self, key: &str) -> Option<f64> {
        self.get(key)?.as_number()
    }
    fn boolean(&self, key: &str) -> Option<bool> {
        self.get(key)?.as_boolean()
    }
    /// A UUID, as its canonical text (anything else reads as absent).
    fn id(&self, key: &str) -> Option<String> {
        let text = self.text(key)?;
        let canonical = text.len() == 36
            && text.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        canonical.then_some(text)
    }
    /// A whole number that fits `T` (sequence numbers, counts, seconds).
    fn whole<T: TryFrom<i64>>(&self, key: &str) -> Option<T> {
        let number = self.number(key)?;
        if number.fract() != 0.0 || number.abs() > 9_007_199_254_740_991.0 {
            return None;
        }
        T::try_from(number as i64).ok()
    }
}

impl Json for JsValue {
    fn get(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        js_sys::Reflect::get(self, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }
    fn as_text(&self) -> Option<String> {
        self.as_string()
    }
    fn as_number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn as_boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Vec<Self> {
        if js_sys::Array::is_array(self) { js_sys::Array::from(self).iter().collect() } else { Vec::new() }
    }
}

/// The browser's `JSON.parse`.
pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

#[cfg(test)]
impl Json for serde_json::Value {
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn as_text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn as_number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn as_boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Vec<Self> {
        self.as_array().cloned().unwrap_or_default()
    }
}

/// Writes a JSON object, field by field: what the widget sends (frames, request bodies,
/// the stored outbox). Hand-written rather than serde's `Serialize` + serde_json, which
/// cost several KB of wasm for a handful of flat objects; the tests check every writer's
/// output against `openapi`'s own `Deserialize`.
pub struct Writer(String);

impl Default for Writer {
    fn default() -> Self {
        Self("{".to_owned())
    }
}

impl Writer {
    fn key(mut self, key: &str) -> Self {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        quote(&mut self.0, key);
        self.0.push(':');
        self
    }

    pub fn text(self, key: &str, value: &str) -> Self {
        let mut this = self.key(key);
        quote(&mut this.0, value);
        this
    }

    /// Leaves the field out when `None`.
    pub fn maybe_text(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.text(key, value),
            None => self,
        }
    }

    pub fn whole(self, key: &str, value: i64) -> Self {
        let mut this = self.key(key);
        this.0.push_str(&decimal(value));
        this
    }

    pub fn boolean(self, key: &str, value: bool) -> Self {
        let mut this = self.key(key);
        this.0.push_str(if value { "true" } else { "false" });
        this
    }

    /// A value that is JSON already (a nested object or array).
    pub fn raw(self, key: &str, json: &str) -> Self {
        let mut this = self.key(key);
        this.0.push_str(json);
        this
    }

    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// `items` as a JSON array of already written values.
pub fn array(items: impl IntoIterator<Item = String>) -> String {
    let mut out = "[".to_owned();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

/// Appends `text` as a JSON string.
fn quote(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let code = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((code >> shift) & 0xf) as usize] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A whole number in decimal, without the formatting machinery.
pub fn decimal(value: i64) -> String {
    let mut digits = Vec::new();
    let mut rest = value.unsigned_abs();
    loop {
        digits.push(b'0' + (rest % 10) as u8);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        digits.push(b'-');
    }
    digits.iter().rev().map(|&d| d as char).collect()
}
