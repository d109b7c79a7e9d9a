//! Saved replies (canned responses) agents insert while answering, with per-language
//! variants.

use serde::{Deserialize, Serialize};

/// A saved reply, expanded in the console by typing `/shortcut`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct CannedResponse {
    pub id: uuid::Uuid,
    /// Lowercase letters, digits, `-` and `_`; unique in the workspace.
    pub shortcut: String,
    /// The reply in the default language. May use variables, filled in by the console
    /// when the agent picks it: `{{visitor.name}}`, `{{visitor.first_name}}`,
    /// `{{visitor.email}}`, `{{agent.name}}`, `{{agent.first_name}}`,
    /// `{{workspace.name}}`, `{{site.name}}`, each with an optional fallback
    /// (`{{visitor.first_name | there}}`).
    pub body: String,
    /// The same reply in other languages; the console picks the one of the visitor's
    /// language (exact tag first, then the primary language), else `body`.
    #[serde(default)]
    pub variants: Vec<CannedVariant>,
    pub created_at: crate::Timestamp,
    pub updated_at: crate::Timestamp,
}

/// A saved reply in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct CannedVariant {
    /// A BCP 47 language tag such as `fr` or `pt-BR` (2 to 35 characters).
    pub language: String,
    pub body: String,
}

/// Creates a saved reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewCannedResponse {
    pub shortcut: String,
    pub body: String,
    /// Up to 20 languages, each once.
    pub variants: Option<Vec<CannedVariant>>,
}

/// Changes to a saved reply; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct CannedResponseUpdate {
    pub shortcut: Option<String>,
    pub body: Option<String>,
    /// Replaces every variant.
    pub variants: Option<Vec<CannedVariant>>,
}

crate::page_of!(
    /// A page of saved replies, oldest first.
    CannedResponsePage,
    CannedResponse
);
