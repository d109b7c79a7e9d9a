//! Messages: numbered per conversation, stored once, delivered in order.

use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum AuthorKind {
    Visitor,
    Agent,
    /// A business system using an API key.
    Integration,
    /// Rapport itself (assignment, status changes…).
    System,
}

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum MessageKind {
    /// Seen by the visitor and the team.
    Text,
    /// Internal note: seen by the team only, never sent to the visitor.
    Note,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct Message {
    pub id: uuid::Uuid,
    pub conversation_id: uuid::Uuid,
    /// Position in the conversation: 1, 2, 3… without gaps.
    pub seq: i64,
    /// The sender's idempotency key, if it gave one.
    pub client_msg_id: Option<String>,
    pub author_kind: AuthorKind,
    /// The agent, visitor or API key that wrote it.
    pub author_id: Option<uuid::Uuid>,
    pub kind: MessageKind,
    /// Text of the message; may be empty when the message carries attachments.
    pub body: String,
    /// Files sent with the message, in the order they were named (none: empty).
    #[serde(default)]
    pub attachments: Vec<crate::attachments::MessageAttachment>,
    pub created_at: crate::Timestamp,
}

/// Sends a message into a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewMessage {
    /// Up to 10,000 characters of plain text; at least one unless `attachment_ids` is given.
    pub body: String,
    /// Defaults to `text`. Visitors cannot send notes.
    pub kind: Option<MessageKind>,
    /// Idempotency key chosen by the sender (1 to 64 characters). Sending the same key
    /// again returns the original message instead of storing a second one.
    pub client_msg_id: Option<String>,
    /// Up to 10 attachments uploaded into this conversation by the same sender and not
    /// yet sent with another message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_ids: Option<Vec<uuid::Uuid>>,
}

/// A range of messages in `seq` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct MessageRange {
    /// Messages with `seq` greater than the requested `after_seq`, oldest first.
    pub items: Vec<Message>,
    /// The conversation's newest `seq` at the time of reading.
    pub last_seq: i64,
    /// True when more messages follow the last item.
    pub has_more: bool,
}
