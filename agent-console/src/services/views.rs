//! How the console reads the routing operations' answers (queue, claim, transfer,
//! labels, canned responses).
//!
//! They are built alongside the console, so their wire types may not be in `openapi`
//! yet; these views read exactly the documented JSON and tolerate fields they do not
//! know. A conversation is read as `openapi`'s `Conversation` plus its `labels`.

use openapi::conversations::Conversation;
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

/// A conversation with its labels (absent labels read as none).
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub labels: Vec<String>,
}

impl<'de> Deserialize<'de> for ConversationView {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(serde::de::Error::custom)
    }
}

impl ConversationView {
    pub fn from_value(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        let labels = value
            .get("labels")
            .and_then(|l| l.as_array())
            .map(|l| l.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let conversation = serde_json::from_value(value)?;
        Ok(Self { conversation, labels })
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConversationViewPage {
    pub items: Vec<ConversationView>,
    pub next_cursor: Option<String>,
}

/// One waiting conversation of `GET /queue`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct QueueItem {
    pub conversation: ConversationView,
    pub position: i64,
    pub waiting_since: openapi::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
}

/// A saved answer, typed as `/shortcut` in the composer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CannedResponse {
    pub id: Uuid,
    pub shortcut: String,
    pub body: String,
}

/// Canned responses, read from a page (`{"items": […]}`) or a plain list.
#[derive(Debug, Clone, PartialEq)]
pub struct CannedResponsePage {
    pub items: Vec<CannedResponse>,
}

impl<'de> Deserialize<'de> for CannedResponsePage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let list = match value {
            serde_json::Value::Object(mut page) => page.remove("items").unwrap_or_default(),
            other => other,
        };
        Ok(Self { items: serde_json::from_value(list).map_err(serde::de::Error::custom)? })
    }
}
