//! What the widget remembers across page loads, in the iframe's `localStorage` (Rapport's
//! origin, so the host page cannot read it): the visitor token, the outbox, the read
//! cursor. Never in a URL. When storage is blocked the widget still works for the page's
//! lifetime.

use web_sys::Storage;

/// The widget's slice of `localStorage`, one per site.
#[derive(Clone)]
pub struct Memory {
    prefix: String,
}

impl Memory {
    pub fn for_site(site_key: &str) -> Self {
        Self { prefix: format!("rapport.{site_key}.") }
    }

    fn storage() -> Option<Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    pub fn get(&self, key: &str) -> Option<String> {
        Self::storage()?.get_item(&format!("{}{key}", self.prefix)).ok().flatten()
    }

    pub fn set(&self, key: &str, value: &str) {
        if let Some(storage) = Self::storage() {
            let _ = storage.set_item(&format!("{}{key}", self.prefix), value);
        }
    }

    pub fn remove(&self, key: &str) {
        if let Some(storage) = Self::storage() {
            let _ = storage.remove_item(&format!("{}{key}", self.prefix));
        }
    }
}

pub const TOKEN: &str = "token";
pub const OUTBOX: &str = "outbox";
pub const READ: &str = "read";
/// The visitor's rating of their latest resolved conversation: `<conversation id>:<score>`.
pub const RATING: &str = "rating";
