//! What the visitor's widget calls. Authenticated by the site's public key and then by
//! the visitor token it is given.

use serde::{Deserialize, Serialize};

use crate::{conversations::Conversation, messages::Message};

/// Starts (or resumes) a visitor session on a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct VisitorSessionRequest {
    /// The site's public key from the embed snippet.
    pub site_key: String,
    /// A token from an earlier session on this site, to keep the same visitor and history.
    pub visitor_token: Option<String>,
    /// What the browser says about itself; stored on the visitor (with the browser and
    /// system read from the request's `User-Agent`) for the team to see.
    pub context: Option<VisitorContext>,
}

/// The visitor's browser settings, sent by the widget with each session. Each becomes a
/// visitor attribute (`timezone`, `language`, `screen`), as do `browser` and `os`, which
/// the server reads from the `User-Agent` header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct VisitorContext {
    /// IANA time zone name, e.g. `Europe/Paris` (up to 64 characters).
    pub timezone: Option<String>,
    /// The browser's preferred language, a BCP 47 tag such as `fr-FR` (up to 35 characters).
    pub language: Option<String>,
    /// Screen size in CSS pixels, `<width>x<height>`, e.g. `1280x800`.
    pub screen: Option<String>,
}

/// An agent as visitors see them: a name and a picture (initials when there is none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct AgentFace {
    pub id: uuid::Uuid,
    pub name: String,
    /// The agent's picture (a URL on Rapport's own origin, versioned: cache it), absent
    /// until they upload one.
    pub picture_url: Option<String>,
}

/// What the widget needs to show itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct WidgetSite {
    pub name: String,
    pub color: String,
    pub greeting: String,
    /// When true, the widget must `identify` with a valid `user_hash` before chatting.
    pub require_identity: bool,
    /// Whether at least one agent has the console open with the status `online`, so the
    /// widget can set expectations ("we usually reply in a few minutes" vs. "we're away").
    pub agents_online: bool,
    /// The pre-chat form's name field.
    pub prechat_name: crate::sites::PrechatField,
    /// The pre-chat form's email field.
    pub prechat_email: crate::sites::PrechatField,
    /// When no agent is online, offer the offline form (`POST /widget/offline-message`)
    /// instead of the chat.
    pub offline_form: bool,
    /// How long visitors of this site recently waited for an agent, in seconds; absent
    /// without recent history. The widget shows it as the typical reply time.
    pub typical_reply_secs: Option<u64>,
    /// Up to three faces of the team for the header, agents online first.
    pub team: Vec<AgentFace>,
    /// Send what the visitor types with `typing` frames (`preview`): the site lets its
    /// agents see it.
    #[serde(default)]
    pub typing_preview: bool,
}

/// A visitor session: the opaque token identifies the visitor from now on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct VisitorSession {
    /// Secret; keep it in the widget's storage, send it as `Authorization: Bearer`.
    /// Equal to the token sent when that one was still valid.
    pub visitor_token: String,
    pub visitor_id: uuid::Uuid,
    pub site: WidgetSite,
    /// The visitor's latest conversation, if they have one (what
    /// `GET /widget/conversations?limit=1` gives): the widget follows it without asking.
    pub conversation: Option<Conversation>,
}

/// Starts a conversation with a first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewVisitorConversation {
    /// 1 to 10,000 characters.
    pub body: String,
    /// Idempotency key of the first message; a retry returns the same conversation.
    pub client_msg_id: String,
    /// The visitor's name from the pre-chat form (up to 100 characters); stored on the
    /// visitor. Needed when the site's `prechat_name` is `required`.
    pub name: Option<String>,
    /// The visitor's email from the pre-chat form; stored on the visitor. Needed when the
    /// site's `prechat_email` is `required`.
    pub email: Option<String>,
}

/// The conversation with its first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct StartedConversation {
    pub conversation: Conversation,
    pub message: Message,
}

crate::page_of!(
    /// The visitor's own conversations, newest first.
    VisitorConversationPage,
    Conversation
);

/// Who the visitor is, as the host page knows them (`Rapport('identify', {...})`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct IdentifyRequest {
    /// The business's own id for this person, 1 to 200 characters.
    pub user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// `HMAC-SHA256(site identity secret, user_id)` in lowercase hex, computed by the
    /// business's server. Without it the identity is recorded as unverified (refused when
    /// the site requires identity); with a wrong one the request is refused.
    pub user_hash: Option<String>,
}

/// The identity now attached to the visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct VisitorIdentity {
    pub user_id: String,
    /// True when `user_id` was proven with a valid `user_hash`.
    pub verified: bool,
}

/// Custom attributes the host page sets (`Rapport('setAttributes', {...})`), merged into
/// the visitor's: a key set to `null` is removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct VisitorAttributes {
    pub attributes: std::collections::BTreeMap<String, serde_json::Value>,
}

/// What the loader (`/widget.js`) needs before it draws the launcher on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct WidgetLauncher {
    /// The site's brand colour (`#rrggbb`), for the launcher.
    pub color: String,
}
