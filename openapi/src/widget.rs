//! What the visitor's widget calls. Authenticated by the site's public key and then by
//! the visitor token it is given.

use serde::{Deserialize, Serialize};

use crate::{conversations::Conversation, messages::Message};

/// Starts (or resumes) a visitor session on a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
pub struct VisitorSessionRequest {
    /// The site's public key from the embed snippet.
    pub site_key: String,
    /// A token from an earlier session on this site, to keep the same visitor and history.
    pub visitor_token: Option<String>,
}

/// What the widget needs to show itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
pub struct WidgetSite {
    pub name: String,
    pub color: String,
    pub greeting: String,
    pub require_identity: bool,
}

/// A visitor session: the opaque token identifies the visitor from now on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
pub struct VisitorSession {
    /// Secret; keep it in the widget's storage, send it as `Authorization: Bearer`.
    /// Equal to the token sent when that one was still valid.
    pub visitor_token: String,
    pub visitor_id: uuid::Uuid,
    pub site: WidgetSite,
}

/// Starts a conversation with a first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
pub struct NewVisitorConversation {
    /// 1 to 10,000 characters.
    pub body: String,
    /// Idempotency key of the first message; a retry returns the same conversation.
    pub client_msg_id: String,
}

/// The conversation with its first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
pub struct StartedConversation {
    pub conversation: Conversation,
    pub message: Message,
}

crate::page_of!(
    /// The visitor's own conversations, newest first.
    VisitorConversationPage,
    Conversation
);
