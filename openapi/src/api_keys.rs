//! API keys: how a business's own systems call the REST API.

use serde::{Deserialize, Serialize};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum ApiKeyScope {
    /// GET requests only.
    Read,
    /// Reads and writes (conversations, messages, visitors).
    Write,
}

/// An API key, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ApiKey {
    pub id: uuid::Uuid,
    pub name: String,
    /// The first characters of the key, to recognise it in lists.
    pub prefix: String,
    pub scope: ApiKeyScope,
    pub created_at: crate::Timestamp,
    pub last_used_at: Option<crate::Timestamp>,
    pub revoked_at: Option<crate::Timestamp>,
}

/// Creates an API key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewApiKey {
    pub name: String,
    pub scope: ApiKeyScope,
}

/// A new key with its secret, shown this once: the server keeps only a hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

crate::page_of!(
    /// A page of API keys, newest first.
    ApiKeyPage,
    ApiKey
);
