//! Talking to Rapport: [`api`] (REST), [`client`] (the agent socket), [`views`] (how
//! routing answers are read).

pub mod api;
pub mod client;
pub mod views;
