//! Black-box tests of the REST API under `/api/v1`.
//!
//! Every test starts its own server on a fresh database (SQLite by default, PostgreSQL
//! with `RAPPORT_TEST_ENGINE=postgres`) and talks to it over HTTP only: nothing here
//! reaches into the backend's internals, so the tests hold whatever the implementation.
//!
//! - [`auth`]: sign-up, sign-in, sessions (bearer and cookie), invitations, roles.
//! - [`resources`]: each resource's operations and their documented rules.
//! - [`pagination`]: cursor pages return every item exactly once, in order.
//! - [`tenant_isolation`]: nothing of one workspace is reachable from another.
//! - [`bad_input`]: malformed requests get a 4xx JSON error, never a 5xx, and change nothing.
//! - [`widget`]: identity verification, attributes, serving the built widget.
//! - [`attachments`]: uploads, type and size rules, who may download, signed links.
//! - [`prechat`]: the widget's pre-chat form settings and their enforcement.
//! - [`serving`]: precompressed front-end files, compressed answers, the loader's check.
//! - [`faces`]: agents' pictures, the faces visitors see, the visitor's browser context.
//! - [`push`]: Web Push to a local push service that checks VAPID and decrypts.
//! - [`organising`]: labels, filters, saved views, search snippets, visitors in one
//!   request, page trails, ratings on conversations, saved replies in several languages.
//! - [`readme`]: the README's API and webhook examples, run as written.

mod common;

mod attachments;
mod auth;
mod bad_input;
mod faces;
mod organising;
mod pagination;
mod prechat;
mod push;
mod readme;
mod resources;
mod serving;
mod tenant_isolation;
mod widget;
