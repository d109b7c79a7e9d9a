//! Privacy requests: everything stored about a visitor, exported or erased.

use serde::{Deserialize, Serialize};

use crate::{
    attachments::Attachment, conversations::Conversation, mail::Mail, messages::Message, ratings::Rating,
    visitors::Visitor,
};

/// One conversation of the visitor with everything in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ExportedConversation {
    pub conversation: Conversation,
    /// Every message, internal notes and system lines included, oldest first.
    pub messages: Vec<Message>,
    /// Every file uploaded into it, sent or not.
    pub attachments: Vec<Attachment>,
    pub rating: Option<Rating>,
}

/// A page the visitor viewed while the widget was loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ExportedPage {
    pub url: String,
    pub title: String,
    pub viewed_at: crate::Timestamp,
}

/// Everything Rapport stores about one visitor, for a data-access request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct VisitorExport {
    pub exported_at: crate::Timestamp,
    /// Name, email, identity and attributes.
    pub visitor: Visitor,
    pub conversations: Vec<ExportedConversation>,
    /// Pages viewed, oldest first.
    pub pages: Vec<ExportedPage>,
    /// Mail about the visitor's conversations or sent to their address.
    pub mail: Vec<Mail>,
}

/// What an erasure deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct VisitorErased {
    pub conversations: u64,
    pub messages: u64,
    pub attachments: u64,
    pub mails: u64,
    pub pages: u64,
    pub ratings: u64,
}
