//! Talking to Rapport: [`api`] (REST), [`client`] (the agent socket), [`visitors`] (each
//! visitor fetched once, in batches), [`push`] (this browser's Web Push subscription).

pub mod api;
pub mod client;
#[cfg(feature = "complete")]
pub mod push;
pub mod visitors;
