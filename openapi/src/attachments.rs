//! File and image attachments: uploaded into a conversation, then sent with a message.

use serde::{Deserialize, Serialize};

/// An uploaded file. It belongs to one conversation and becomes visible to the other side
/// once a message names it in `attachment_ids`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Attachment {
    pub id: uuid::Uuid,
    pub conversation_id: uuid::Uuid,
    /// The file's name as uploaded (without any directory part).
    pub filename: String,
    /// The media type, checked against the file's content for images, PDF and office files.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// True for PNG, JPEG, GIF and WebP: clients may show these inline.
    pub is_image: bool,
    /// Where to download it without credentials, e.g. from an `<img>` tag: a relative
    /// path under the API, signed by the server and valid for one to two hours. Read the
    /// message again for a fresh one.
    pub url: String,
    pub created_at: crate::Timestamp,
}

/// Attachments shown with a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct MessageAttachment {
    pub id: uuid::Uuid,
    pub filename: String,
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// True for PNG, JPEG, GIF and WebP: clients may show these inline.
    pub is_image: bool,
    /// A signed download path under the API (e.g. `/api/v1/attachments/{id}?token=…`),
    /// usable without credentials for one to two hours after the message was read.
    pub url: String,
}

impl MessageAttachment {
    /// True for the raster image types shown inline.
    pub fn is_raster_image(content_type: &str) -> bool {
        matches!(content_type, "image/png" | "image/jpeg" | "image/gif" | "image/webp")
    }
}
