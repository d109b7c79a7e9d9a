//! Black-box tests of email follow-up: a real server sends through a real SMTP server on
//! loopback (`system_tests::smtp`, able to refuse or drop connections), on SQLite or
//! PostgreSQL (`RAPPORT_TEST_ENGINE`).
//!
//! - [`offline`]: the widget's offline message, its mail to the team, escaping.
//! - [`continuity`]: unread replies mailed once, threading, the continue link.
//! - [`delivery`]: refused and dropped connections retried; giving up; two nodes.
//! - [`inbound`]: replies by email reach the conversation and the agent's socket; forgeries don't.
//! - [`team`]: assignment to an offline agent, transcripts on request and on resolve.
//! - [`entry_points`]: every way a message comes in reopens, announces and fires webhooks alike.
//! - [`abuse`]: transcripts to new addresses confirmed first; per-site and per-address limits.

mod common;

mod abuse;
mod continuity;
mod delivery;
mod entry_points;
mod inbound;
mod offline;
mod team;
