//! Talking to Rapport: [`api`] (REST) and [`client`] (the agent socket).

pub mod api;
pub mod client;
