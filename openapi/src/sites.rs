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
    pub created_at: crate::Timestamp,
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
