//! Black-box tests of accounts, abuse and security (issue 18), against real servers: a
//! `rapport` process whose memory is measured, in-process servers on SQLite or
//! PostgreSQL (`RAPPORT_TEST_ENGINE`), a real SMTP server on loopback.
//!
//! - [`throttle`]: sign-in floods refused per address and per account, password hashing
//!   bounded in memory, the trusted-proxy setting.
//! - [`csrf`]: cookie requests only from Rapport's own pages; bearer over cookie, REST and sockets.
//! - [`headers`]: security headers on every answer, HSTS, `/metrics` closed.
//! - [`strict`]: numbers and booleans are not strings.
//! - [`addresses`]: one address in several workspaces; sign-up and new agents answer alike
//!   whether or not an address is used (no enumeration).
//! - [`accounts`]: password changes, sessions listed and ended, idle and absolute
//!   lifetimes, the password policy, owners protected, invitations that expire.
//! - [`reset`]: a forgotten password reset by a mailed link (no enumeration, single use,
//!   an hour, every session ended, throttled).
//! - [`audit`]: who changed what, read by owners and admins only, without secrets.
//! - [`privacy`]: a visitor exported and erased whole; retention; unsent uploads removed.

mod accounts;
mod addresses;
mod audit;
mod common;
mod csrf;
mod headers;
mod privacy;
mod reset;
mod strict;
mod throttle;
