//! Talking to Rapport and to the host page.
//!
//! - [`api`]: the REST calls of the widget (`/api/v1/widget/…`), through [`http`].
//! - [`socket`]: one WebSocket to `/ws/visitor`, frames in and out.
//! - [`frames`]: server frames, read field by field through [`json`].
//! - [`json`]: reading the browser's `JSON.parse` output and writing JSON, without serde.
//! - [`host`]: the postMessage bridge with the page that embeds the iframe.
//! - [`client`]: the chat itself: session, resume, outbox, typing, receipts, reconnects.

pub mod api;
pub mod client;
pub mod frames;
pub mod host;
pub mod http;
pub mod json;
pub mod socket;
