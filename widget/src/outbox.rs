//! Messages the visitor wrote that the server has not acknowledged yet. They survive a
//! reload (kept in storage) and are resent after every reconnect with their original
//! `client_msg_id`, so the server stores each exactly once (PROTOCOL.md §2).

use crate::services::json::{self, Json, Writer};

/// One unacknowledged message.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The idempotency key, fixed when the visitor pressed Enter.
    pub client_msg_id: String,
    pub body: String,
    /// When it was written (ms since the epoch), to show a time before the server's.
    pub written_at: f64,
    /// Refused by the server for good (e.g. too long): shown as not sent, not retried.
    pub refused: bool,
}

/// The outbox, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    pub items: Vec<Pending>,
}

impl Outbox {
    /// What [`Outbox::to_json`] stored; anything unreadable counts as empty.
    pub fn from_json(text: Option<&str>) -> Self {
        text.and_then(json::parse).map(|value| Self::read(&value)).unwrap_or_default()
    }

    fn read(stored: &impl Json) -> Self {
        let items = stored.get("items").map(|items| items.items()).unwrap_or_default();
        let items = items
            .iter()
            .filter_map(|item| {
                Some(Pending {
                    client_msg_id: item.text("client_msg_id")?,
                    body: item.text("body")?,
                    written_at: item.number("written_at")?,
                    refused: item.boolean("refused").unwrap_or(false),
                })
            })
            .collect();
        Self { items }
    }

    pub fn to_json(&self) -> String {
        let items = self.items.iter().map(|item| {
            Writer::default()
                .text("client_msg_id", &item.client_msg_id)
                .text("body", &item.body)
                .whole("written_at", item.written_at as i64)
                .boolean("refused", item.refused)
                .finish()
        });
        Writer::default().raw("items", &json::array(items)).finish()
    }

    pub fn push(&mut self, pending: Pending) {
        self.items.push(pending);
    }

    /// Removes the message once stored; `true` when it was waiting here.
    pub fn settle(&mut self, client_msg_id: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|item| item.client_msg_id != client_msg_id);
        before != self.items.len()
    }

    pub fn refuse(&mut self, client_msg_id: &str) {
        for item in self.items.iter_mut().filter(|item| item.client_msg_id == client_msg_id) {
            item.refused = true;
        }
    }

    /// What to (re)send now, oldest first.
    pub fn to_send(&self) -> impl Iterator<Item = &Pending> {
        self.items.iter().filter(|item| !item.refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(id: &str) -> Pending {
        Pending {
            client_msg_id: id.into(),
            body: format!("body \"{id}\"\n"),
            written_at: 1_764_000_000_123.0,
            refused: false,
        }
    }

    #[test]
    fn survives_a_round_trip_and_settles_once() {
        let mut outbox = Outbox::default();
        outbox.push(pending("a"));
        outbox.push(pending("b"));
        let stored: serde_json::Value = serde_json::from_str(&outbox.to_json()).unwrap();
        let mut again = Outbox::read(&stored);
        assert_eq!(again, outbox);
        assert!(again.settle("a"));
        assert!(!again.settle("a"), "a second ack of the same message changes nothing");
        again.refuse("b");
        assert_eq!(again.to_send().count(), 0);
        assert_eq!(Outbox::read(&serde_json::json!("garbage")), Outbox::default());
    }
}
