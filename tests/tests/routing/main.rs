//! Black-box tests of routing: the queue, claims, transfers, automatic assignment, agents
//! who leave, and the console's helpers (search, labels, saved replies). Real servers,
//! real sockets for presence, SQLite or PostgreSQL (`RAPPORT_TEST_ENGINE`), and Redis
//! where two nodes share the work.
//!
//! - [`queue`]: waiting order, positions, the visitor's place in line, claim races.
//! - [`transfer`]: to an agent or a team, with a note the visitor never sees.
//! - [`assignment`]: round-robin and least-busy, capacity, offline and away agents,
//!   conversations of an agent who left, two nodes assigning at once.
//! - [`console`]: search, labels, saved replies.

mod common;

mod assignment;
mod console;
mod queue;
mod transfer;
