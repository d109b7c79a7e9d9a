//! Webhooks: signed HTTP callbacks that tell a business's systems what happened.
//!
//! Deliveries follow the Standard Webhooks specification: every request carries
//! `webhook-id`, `webhook-timestamp` and `webhook-signature`, and its body is a
//! [`WebhookPayload`].

use serde::{Deserialize, Serialize};

/// Something that happened, which a subscription can ask to be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
pub enum WebhookEventType {
    /// A visitor started a conversation. `data.conversation`.
    #[serde(rename = "conversation.created")]
    #[cfg_attr(feature = "server", oai(rename = "conversation.created"))]
    ConversationCreated,
    /// A conversation's assignee changed (or was removed). `data.conversation`,
    /// `data.previous_assignee_id`.
    #[serde(rename = "conversation.assigned")]
    #[cfg_attr(feature = "server", oai(rename = "conversation.assigned"))]
    ConversationAssigned,
    /// A conversation's status changed. `data.conversation`, `data.previous_status`.
    #[serde(rename = "conversation.status_changed")]
    #[cfg_attr(feature = "server", oai(rename = "conversation.status_changed"))]
    ConversationStatusChanged,
    /// A message or internal note was stored. `data.message`.
    #[serde(rename = "message.created")]
    #[cfg_attr(feature = "server", oai(rename = "message.created"))]
    MessageCreated,
    /// The host page identified a visitor. `data.visitor`.
    #[serde(rename = "visitor.identified")]
    #[cfg_attr(feature = "server", oai(rename = "visitor.identified"))]
    VisitorIdentified,
    /// A visitor rated a conversation (or changed their rating). `data.rating`.
    #[serde(rename = "rating.submitted")]
    #[cfg_attr(feature = "server", oai(rename = "rating.submitted"))]
    RatingSubmitted,
    /// Sent only when someone asks for a test (`POST /webhooks/{id}/test`), whatever the
    /// subscription's `events`; it cannot be subscribed to. `data.message`.
    #[serde(rename = "webhook.test")]
    #[cfg_attr(feature = "server", oai(rename = "webhook.test"))]
    WebhookTest,
}

impl WebhookEventType {
    /// Every event a subscription can ask for (the on-demand test is not one).
    pub const ALL: [WebhookEventType; 6] = [
        Self::ConversationCreated,
        Self::ConversationAssigned,
        Self::ConversationStatusChanged,
        Self::MessageCreated,
        Self::VisitorIdentified,
        Self::RatingSubmitted,
    ];

    /// The name on the wire, e.g. `message.created`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ConversationCreated => "conversation.created",
            Self::ConversationAssigned => "conversation.assigned",
            Self::ConversationStatusChanged => "conversation.status_changed",
            Self::MessageCreated => "message.created",
            Self::VisitorIdentified => "visitor.identified",
            Self::RatingSubmitted => "rating.submitted",
            Self::WebhookTest => "webhook.test",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().chain([Self::WebhookTest]).find(|event| event.as_str() == name)
    }
}

/// A webhook subscription: where to send which events. Its secret is shown only when
/// created or rotated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Webhook {
    pub id: uuid::Uuid,
    /// Where deliveries are POSTed (`https://…`).
    pub url: String,
    pub description: String,
    /// The events sent to this URL.
    pub events: Vec<WebhookEventType>,
    /// When set, only events of this site's conversations and visitors are sent.
    pub site_id: Option<uuid::Uuid>,
    /// False when turned off by an admin or disabled after repeated failures.
    pub enabled: bool,
    /// When deliveries were stopped automatically after repeated failures.
    pub disabled_at: Option<crate::Timestamp>,
    /// Why deliveries were stopped automatically (the notice); cleared on re-enabling.
    pub disabled_reason: Option<String>,
    /// Until when signatures with the secret before the last rotation are also sent.
    pub previous_secret_expires_at: Option<crate::Timestamp>,
    pub created_at: crate::Timestamp,
    pub updated_at: crate::Timestamp,
}

/// Creates a webhook subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewWebhook {
    /// An `http://` or `https://` URL that does not resolve to a private, loopback or
    /// link-local address (unless the operator allows them).
    pub url: String,
    /// Up to 200 characters, for people.
    pub description: Option<String>,
    /// At least one event.
    pub events: Vec<WebhookEventType>,
    /// Only events of this site.
    pub site_id: Option<uuid::Uuid>,
}

#[cfg(feature = "server")]
impl poem_openapi::types::Example for NewWebhook {
    fn example() -> Self {
        Self {
            url: "https://crm.example.com/rapport/webhooks".into(),
            description: Some("CRM sync".into()),
            events: vec![WebhookEventType::ConversationCreated, WebhookEventType::MessageCreated],
            site_id: None,
        }
    }
}

/// Changes to a subscription; absent fields stay as they are. Setting `enabled` to true
/// re-enables a subscription that was disabled after failures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct WebhookUpdate {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<WebhookEventType>>,
    pub site_id: Option<uuid::Uuid>,
    /// Set true to send events of every site (wins over `site_id`).
    pub clear_site: Option<bool>,
    pub enabled: Option<bool>,
}

/// A new subscription with its signing secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    /// `whsec_` followed by the base64 of the key bytes (Standard Webhooks format).
    pub secret: String,
}

/// A rotated secret. The previous one stays valid until `previous_secret_expires_at`:
/// until then deliveries carry both signatures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct RotatedWebhookSecret {
    pub webhook: Webhook,
    pub secret: String,
}

/// How a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum WebhookDeliveryStatus {
    /// Waiting to be sent, or to be retried.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; replay it to try again.
    Failed,
}

/// One HTTP request made for a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct WebhookAttempt {
    pub attempted_at: crate::Timestamp,
    /// The receiver's HTTP status; absent when no response came.
    pub status_code: Option<u16>,
    /// From sending the request to the end of the response.
    pub duration_ms: i64,
    /// Why the attempt failed (connection refused, timeout, non-2xx…).
    pub error: Option<String>,
}

/// One event on its way to one subscription, with its attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct WebhookDelivery {
    pub id: uuid::Uuid,
    /// The `webhook-id` header: the same on every retry and replay of this event.
    pub webhook_id: String,
    pub event_type: WebhookEventType,
    pub status: WebhookDeliveryStatus,
    /// The exact request body sent.
    pub payload: String,
    pub created_at: crate::Timestamp,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<crate::Timestamp>,
    pub delivered_at: Option<crate::Timestamp>,
    /// Oldest first.
    pub attempts: Vec<WebhookAttempt>,
}

/// The body of every webhook request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct WebhookPayload {
    #[serde(rename = "type")]
    #[cfg_attr(feature = "server", oai(rename = "type"))]
    pub event_type: WebhookEventType,
    /// When the event happened.
    pub timestamp: crate::Timestamp,
    pub workspace_id: uuid::Uuid,
    /// Depends on `type`; see [`WebhookEventType`].
    pub data: serde_json::Value,
}

crate::page_of!(
    /// A page of webhook subscriptions, newest first.
    WebhookPage,
    Webhook
);

crate::page_of!(
    /// A page of deliveries, newest first.
    WebhookDeliveryPage,
    WebhookDelivery
);
