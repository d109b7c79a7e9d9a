//! Black-box tests of reports: a real server on SQLite or PostgreSQL
//! (`RAPPORT_TEST_ENGINE`), conversations seeded with known timestamps straight into its
//! database, and every figure checked exactly.
//!
//! - [`figures`]: each report's figures, time zones, filters, empty ranges, CSV.
//! - [`credit`]: every agent who handled a conversation is credited; business-hours
//!   first responses.
//! - [`access`]: bad input, who may read reports, tenant isolation, the time-zone setting,
//!   and the status log a real console connection writes.

mod common;

mod access;
mod credit;
mod figures;
