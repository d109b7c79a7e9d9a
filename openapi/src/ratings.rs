//! Visitors' ratings of their conversations (also sent as the `rating.submitted` webhook
//! event).

use serde::{Deserialize, Serialize};

/// A visitor's rating of a conversation: a score of 1 (bad) to 5 (great).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Rating {
    pub conversation_id: uuid::Uuid,
    pub score: u8,
    pub comment: Option<String>,
    pub created_at: crate::Timestamp,
    pub updated_at: crate::Timestamp,
}

/// Rates a conversation; rating again replaces the earlier rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewRating {
    /// 1 (bad) to 5 (great).
    pub score: u8,
    /// Up to 2,000 characters.
    pub comment: Option<String>,
}
