//! Black-box tests of the real-time channels: real sockets against a real server on a
//! real database (SQLite, or PostgreSQL with `RAPPORT_TEST_ENGINE=postgres`), with Redis
//! where several nodes are involved.
//!
//! - [`delivery`]: messages both ways, resume after a disconnect, idempotent resends.
//! - [`signals`]: typing, read receipts, pages, conversation events, presence.
//! - [`refusals`]: bad origins, tokens, frames and floods get the documented answer.
//! - [`restart`]: the server process is killed and started again; nothing is lost.
//! - [`nodes`]: two nodes on one database and one Redis behave as one system.
//! - [`stress`]: hundreds of visitors sending while connections drop at random.
//! - [`deployment`]: the reference deployment (`deploy/`): nginx with TLS in front of two
//!   nodes on PostgreSQL and Redis, one of them dying mid-conversation.
//! - [`backup`]: `rapport backup` while messages flow, restored into a fresh data dir.

mod common;

mod backup;
mod delivery;
mod deployment;
mod nodes;
mod refusals;
mod restart;
mod signals;
mod stress;
