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
//! - [`feed`]: the agents' workspace feed; refusals that name their frame; catching up.

mod common;

mod delivery;
mod feed;
mod nodes;
mod refusals;
mod restart;
mod signals;
mod stress;
