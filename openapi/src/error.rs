//! The error body: one shape for every failure, with a stable machine-readable code.

use serde::{Deserialize, Serialize};

/// Returned with every 4xx and 5xx response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct ErrorBody {
    /// Stable, machine-readable reason, e.g. `not_found`, `invalid_input`,
    /// `unauthorized`, `forbidden`, `conflict`, `payload_too_large`, `rate_limited`,
    /// `signup_closed`, `internal`. Clients branch on this, never on `message`.
    pub code: String,
    /// Human-readable explanation, safe to show; never contains internal details.
    pub message: String,
    /// The input field the error is about, when there is one.
    pub field: Option<String>,
}
