//! Rapport's wire contract.
//!
//! Every type that crosses the network lives here, once: the backend serves it, the widget
//! and the console (wasm) consume it. Types are plain serde structs; with the `server`
//! feature they also derive poem-openapi schemas, and their doc comments become the
//! descriptions in `openapi.json`. In REST responses an optional field without a value is
//! left out (`skip_serializing_if_is_none`): the schema's optional fields are not nullable.
//!
//! - [`error`]: the one error body every failing request returns.
//! - [`auth`], [`agents`], [`teams`], [`sites`], [`api_keys`]: the workspace and its people.
//! - [`visitors`], [`conversations`], [`messages`]: the chats themselves.
//! - [`attachments`]: files and images uploaded into conversations and sent with messages.
//! - [`business_hours`]: when a site's team answers.
//! - [`widget`]: what a site's visitor-facing widget calls.
//! - [`routing`]: the queue, claiming, transfers; [`canned`]: saved replies.
//! - [`presence`]: who is online.
//! - [`push`]: Web Push subscriptions and notification preferences.
//! - [`mail`]: email follow-up (outbox, mail settings, offline messages, continue links).
//! - [`labels`], [`views`]: the team's labels and each agent's saved views.
//! - [`reports`]: figures over a range of days (volume, response times, CSAT, agents).
//! - [`realtime`]: the WebSocket frames of `/ws/visitor` and `/ws/agent`; `asyncapi` (with
//!   the `schema` feature): their AsyncAPI document.
//! - [`webhooks`]: webhook subscriptions, deliveries, payloads; [`ratings`]: visitors'
//!   ratings of their conversations.
//! - [`audit`]: who changed what (the audit log).
//! - [`privacy`]: a visitor's data exported or erased.

pub mod agents;
pub mod api_keys;
#[cfg(feature = "schema")]
pub mod asyncapi;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod business_hours;
pub mod canned;
pub mod conversations;
pub mod error;
#[cfg(feature = "server")]
mod examples;
pub mod labels;
pub mod mail;
pub mod messages;
pub mod presence;
pub mod privacy;
pub mod push;
pub mod ratings;
pub mod realtime;
pub mod reports;
pub mod routing;
pub mod sites;
pub mod teams;
pub mod views;
pub mod visitors;
pub mod webhooks;
pub mod widget;

/// Wire timestamps are RFC 3339 strings in UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Declares a page of results for cursor pagination: `items` plus the cursor to pass as
/// `cursor` for the next page (absent on the last page). Concrete per item type because
/// OpenAPI clients read better with named schemas than with generics.
#[macro_export]
macro_rules! page_of {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "server", derive(poem_openapi::Object))]
        #[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
        pub struct $name {
            /// The items of this page, newest first unless the operation says otherwise.
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; absent when this is the last page.
            pub next_cursor: Option<String>,
        }
    };
}
