//! Reading the server's JSON without serde's deserializers.
//!
//! The browser parses (`JSON.parse`), and the widget reads the few fields it needs
//! through [`Json`]. serde's derived `Deserialize` code, monomorphised for every answer
//! and frame, plus serde_json's parser were about a fifth of the wasm; reading fields
//! from the parsed object costs a few lines per type. Sending still uses serde
//! (`Serialize` is much lighter).
//!
//! The readers are generic over [`Json`], so the unit tests run them natively on
//! `serde_json::Value`s produced by `openapi`'s own `Serialize`: what the server sends and
//! what the widget reads cannot drift apart unnoticed.

use uuid::Uuid;
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
    fn uuid(&self, key: &str) -> Option<Uuid> {
        Uuid::parse_str(&self.text(key)?).ok()
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
