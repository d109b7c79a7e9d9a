//! Web Push: an agent whose console is closed is alerted of a new conversation or an
//! assignment through their browser's push service (VAPID, RFC 8292; payloads encrypted
//! per RFC 8291, `aes128gcm`).

use serde::{Deserialize, Serialize};

/// The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct VapidKey {
    /// The uncompressed P-256 point (65 bytes), base64url without padding.
    pub public_key: String,
}

/// The keys of a browser's push subscription, as `PushSubscription.toJSON()` gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct PushKeys {
    /// The browser's P-256 public key (65 bytes), base64url.
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url.
    pub auth: String,
}

/// Registers this browser for push, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewPushSubscription {
    /// The push service's URL for this browser (https; up to 2,000 characters).
    pub endpoint: String,
    pub keys: PushKeys,
}

/// A browser of the signed-in agent that receives pushes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct PushSubscription {
    pub id: uuid::Uuid,
    pub endpoint: String,
    pub created_at: crate::Timestamp,
}

/// What pushes an agent wants while their console is closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NotificationPreferences {
    /// A visitor started a conversation.
    pub new_conversations: bool,
    /// A conversation was assigned to me.
    pub assigned: bool,
}

/// The agent's push subscriptions, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct PushSubscriptionPage {
    pub items: Vec<PushSubscription>,
    /// Always absent: every item is on this page.
    pub next_cursor: Option<String>,
}
