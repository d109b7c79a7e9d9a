//! Sites: the widget installed on one of the business's websites.

use serde::{Deserialize, Serialize};

/// A widget installation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Site {
    pub id: uuid::Uuid,
    pub name: String,
    /// Public key placed in the embed snippet (`data-site`); not a secret.
    pub site_key: String,
    /// Origins (`https://example.com`) allowed to embed the widget.
    pub allowed_origins: Vec<String>,
    /// Accent colour as `#rrggbb`.
    pub color: String,
    /// First message visitors see.
    pub greeting: String,
    /// When true, visitors who call `identify` must present a valid `user_hash`.
    pub require_identity: bool,
    /// HMAC-SHA256 key for identity verification: `user_hash = hex(HMAC(secret, user_id))`.
    /// Keep it on your server; never put it in a web page. Shown to owners and admins only.
    pub identity_secret: Option<String>,
    /// How waiting conversations reach agents.
    pub routing_policy: crate::routing::RoutingPolicy,
    /// Whether the widget asks for the visitor's name before the first message.
    pub prechat_name: PrechatField,
    /// Whether the widget asks for the visitor's email before the first message.
    pub prechat_email: PrechatField,
    /// When no agent is online, the widget offers the offline form (an email to answer
    /// to, and the message) instead of the chat.
    pub offline_form: bool,
    /// Agents see what visitors type before they send it (the widget sends it; off by
    /// default).
    #[serde(default)]
    pub typing_preview: bool,
    pub created_at: crate::Timestamp,
}

/// Whether the widget's pre-chat form asks for a field. A `required` field missing when
/// the visitor starts a conversation is refused with 400 `prechat_required`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum PrechatField {
    /// Not asked.
    #[default]
    Off,
    /// Asked; the visitor may leave it empty.
    Optional,
    /// Asked, and needed to start a conversation.
    Required,
}

/// Creates a site. Absent appearance fields get defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewSite {
    pub name: String,
    /// Origins such as `https://www.example.com`; at least one.
    pub allowed_origins: Vec<String>,
    pub color: Option<String>,
    pub greeting: Option<String>,
    pub require_identity: Option<bool>,
    /// How waiting conversations reach agents (default `manual`).
    pub routing_policy: Option<crate::routing::RoutingPolicy>,
    /// Default `off`.
    pub prechat_name: Option<PrechatField>,
    /// Default `off`.
    pub prechat_email: Option<PrechatField>,
    /// Default true.
    pub offline_form: Option<bool>,
    /// Default false.
    pub typing_preview: Option<bool>,
}

/// Changes to a site; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct SiteUpdate {
    pub name: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub color: Option<String>,
    pub greeting: Option<String>,
    pub require_identity: Option<bool>,
    /// Set true to replace the identity secret (existing `user_hash` values stop working).
    pub rotate_identity_secret: Option<bool>,
    pub routing_policy: Option<crate::routing::RoutingPolicy>,
    pub prechat_name: Option<PrechatField>,
    pub prechat_email: Option<PrechatField>,
    pub offline_form: Option<bool>,
    pub typing_preview: Option<bool>,
}

/// The HTML to paste into every page of the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct EmbedSnippet {
    pub html: String,
}

crate::page_of!(
    /// A page of sites, oldest first.
    SitePage,
    Site
);
