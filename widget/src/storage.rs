//! What the widget remembers across page loads: the visitor token, the conversation, the
//! outbox, the read cursor, the rating. Never in a URL.
//!
//! Inside a host page the memory lives in **the host page's own `localStorage`**, kept by
//! the loader and handed over `postMessage` (`host`): browsers that block third-party
//! storage (Chromium with third-party cookies blocked, Incognito) make the iframe's own
//! `localStorage` throw, and Safari and Firefox partition it, so an iframe alone would
//! forget the visitor on every page. The trade-off (README, "Storage"): the visitor token
//! is readable by the host page's scripts. The iframe's own storage is still written and
//! read as a fallback (earlier visitors, browsers that allow it), and is the only one when
//! the frame is opened on its own (the email's continue link).
//!
//! When no storage works at all, the widget still works for the page's lifetime.

use std::{cell::RefCell, rc::Rc};

use web_sys::Storage;

use crate::services::host::{Event, Host};

/// The widget's memory for one site.
#[derive(Clone)]
pub struct Memory {
    prefix: String,
    /// The host page's copy, once it arrived (`None`: not framed, or not yet).
    host: Option<Host>,
    kept: Rc<RefCell<Vec<(String, String)>>>,
}

impl Memory {
    pub fn for_site(site_key: &str, host: Option<Host>) -> Self {
        Self { prefix: ["rapport.", site_key, "."].concat(), host, kept: Rc::default() }
    }

    /// What the host page holds (its answer to `boot`).
    pub fn arrived(&self, values: Vec<(String, String)>) {
        *self.kept.borrow_mut() = values;
    }

    fn storage() -> Option<Storage> {
        // Blocked storage throws on access: that is an `Err` here, not a panic.
        web_sys::window()?.local_storage().ok().flatten()
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let kept = self.kept.borrow().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        kept.or_else(|| Self::storage()?.get_item(&[self.prefix.as_str(), key].concat()).ok().flatten())
    }

    pub fn set(&self, key: &'static str, value: &str) {
        self.write(key, Some(value));
    }

    pub fn remove(&self, key: &'static str) {
        self.write(key, None);
    }

    fn write(&self, key: &'static str, value: Option<&str>) {
        {
            let mut kept = self.kept.borrow_mut();
            kept.retain(|(k, _)| k != key);
            if let Some(value) = value {
                kept.push((key.to_owned(), value.to_owned()));
            }
        }
        if let Some(host) = &self.host {
            host.post(&Event::Store { key, value: value.map(str::to_owned) });
        }
        if let Some(storage) = Self::storage() {
            let name = [self.prefix.as_str(), key].concat();
            let _ = match value {
                Some(value) => storage.set_item(&name, value),
                None => storage.remove_item(&name),
            };
        }
    }
}

pub const TOKEN: &str = "token";
/// The visitor's conversation: its presence tells the loader to connect on page load
/// (unread replies), before any interaction.
pub const CONVERSATION: &str = "conversation";
pub const OUTBOX: &str = "outbox";
pub const READ: &str = "read";
/// The visitor's rating of their latest resolved conversation: `<conversation id>:<score>`.
pub const RATING: &str = "rating";
