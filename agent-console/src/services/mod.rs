//! Talking to Rapport: [`api`] (REST), [`client`] (the agent socket), [`visitors`] (each
//! visitor fetched once, in batches).

pub mod api;
pub mod client;
pub mod visitors;
