//! Talking to Rapport and to the host page.
//!
//! - [`api`]: the REST calls of the widget (`/api/v1/widget/…`).
//! - [`socket`]: one WebSocket to `/ws/visitor`, frames in and out.
//! - [`frames`]: server frames decoded without serde's buffering of tagged enums.
//! - [`host`]: the postMessage bridge with the page that embeds the iframe.
//! - [`client`]: the chat itself: session, resume, outbox, typing, receipts, reconnects.

pub mod api;
pub mod client;
pub mod frames;
pub mod host;
pub mod json;
pub mod socket;
