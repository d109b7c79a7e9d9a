//! What an operator runs beside the server: `rapport check` ([`check`]) before starting
//! a node, and `rapport backup <file>` ([`backup`]) to copy a SQLite database while it
//! is in use.

pub mod backup;
pub mod check;
