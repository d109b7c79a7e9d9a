//! Conversations: one chat between a visitor and the support team.

use serde::{Deserialize, Serialize};

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum ConversationStatus {
    /// Needs the team's attention.
    Open,
    /// Waiting for the visitor.
    Pending,
    /// Put aside until `snoozed_until`.
    Snoozed,
    /// Done.
    Resolved,
}

/// How urgent a conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// A conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Conversation {
    pub id: uuid::Uuid,
    pub site_id: uuid::Uuid,
    pub visitor_id: uuid::Uuid,
    pub status: ConversationStatus,
    pub priority: Priority,
    /// The agent handling it, if any.
    pub assignee_id: Option<uuid::Uuid>,
    pub team_id: Option<uuid::Uuid>,
    /// Sequence number of the newest message; messages are numbered 1, 2, 3…
    pub last_seq: i64,
    pub created_at: crate::Timestamp,
    pub updated_at: crate::Timestamp,
    /// When an agent first replied.
    pub first_response_at: Option<crate::Timestamp>,
    /// When it was last resolved.
    pub resolved_at: Option<crate::Timestamp>,
    pub snoozed_until: Option<crate::Timestamp>,
    /// The team's own tags (never shown to the visitor).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Where this conversation's latest change stands in its workspace's feed: agents
    /// catch up on every conversation after the highest `feed_seq` they hold (PROTOCOL.md,
    /// "The workspace feed"). 0 in what visitors receive.
    #[serde(default)]
    pub feed_seq: i64,
    /// The newest message, shortened, where a list of conversations shows one (absent
    /// otherwise, and in what visitors receive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<MessagePreview>,
    /// The visitor's rating (1 to 5, with their comment). In REST answers and in the
    /// `updated` frame sent when the visitor rates; other frames leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Box<crate::ratings::Rating>>,
}

/// A conversation's newest message as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct MessagePreview {
    pub seq: i64,
    pub author_kind: crate::messages::AuthorKind,
    pub author_id: Option<uuid::Uuid>,
    pub kind: crate::messages::MessageKind,
    /// The first 200 characters of the text (the full text is in the message).
    pub body: String,
    /// How many files the message carries.
    pub attachments: u32,
    pub created_at: crate::Timestamp,
}

/// The longest `MessagePreview.body`, in characters.
pub const PREVIEW_CHARS: usize = 200;

/// Changes to a conversation; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct ConversationUpdate {
    pub status: Option<ConversationStatus>,
    /// Required when `status` is `snoozed`; alone, it snoozes until then. At that time
    /// the conversation opens again by itself.
    pub snoozed_until: Option<crate::Timestamp>,
    pub priority: Option<Priority>,
    /// An active agent of the workspace.
    pub assignee_id: Option<uuid::Uuid>,
    /// Set true to remove the assignee (wins over `assignee_id`).
    pub unassign: Option<bool>,
    pub team_id: Option<uuid::Uuid>,
    /// Set true to remove the team.
    pub clear_team: Option<bool>,
    /// Replaces the labels: up to 20, each 1 to 40 characters.
    pub labels: Option<Vec<String>>,
}

crate::page_of!(
    /// A page of conversations, newest first.
    ConversationPage,
    Conversation
);

/// Conversations changed after a feed position, oldest change first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
pub struct FeedPage {
    /// Each conversation once, as it is now, with its newest message.
    pub items: Vec<Conversation>,
    /// Where to continue: the last item's `feed_seq` (or the `after` asked for when
    /// there were none). Pass it as `after` for the next page, or in the socket's `feed`.
    pub after: i64,
    /// True when more changes follow.
    pub has_more: bool,
    /// The workspace's newest feed position when this page was read. A client that
    /// loads its lists after reading it and then follows the feed from here (the
    /// socket's `feed {after: head}`) misses nothing and replays nothing older.
    #[serde(default)]
    pub head: i64,
}
/// Where a search found its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum MatchField {
    /// The visitor's name.
    Name,
    /// The visitor's email.
    Email,
    /// A message (the newest that matches).
    Message,
}

/// A conversation found by a search, with the text that matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ConversationMatch {
    pub conversation: Conversation,
    pub field: MatchField,
    /// The matching text with up to about 60 characters of context on each side (`…`
    /// marks a cut); the console highlights the searched words in it.
    pub snippet: String,
    /// The `seq` of the matching message, when the match is in a message.
    pub seq: Option<i64>,
}

crate::page_of!(
    /// Search results, newest conversation first.
    ConversationMatchPage,
    ConversationMatch
);
