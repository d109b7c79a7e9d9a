//! The Rapport server as a library, so tests can start it in process.
//!
//! Layout:
//! - wiring: [`cli`], [`config`], [`demo`], [`startup`], [`state`], [`telemetry`], [`metrics`], [`health`]
//! - operations beside the server: [`maintenance`] (`rapport check`, `rapport backup`)
//! - what both outboxes (mail, webhooks) share: [`outbox`] (lease, retries, polling)
//! - the HTTP edge: [`http`] (accepting connections and the middleware around every
//!   route), [`api`] (assembles the OpenAPI service), [`error`], [`input`] (parsing),
//!   [`pagination`], [`auth`], [`throttle`]; the front-ends' files: [`static_files`]
//! - storage: [`store`] (SQLite or PostgreSQL behind one handle)
//! - domain modules, each owning its queries and its `api` submodule: [`workspaces`],
//!   [`account`], [`agents`], [`teams`], [`sites`], [`api_keys`], [`visitors`], [`conversations`],
//!   [`messages`], [`widget`], [`mail`], [`webhooks`], [`ratings`], [`routing`], [`canned`], [`reports`], [`audit`],
//!   [`privacy`], [`labels`], [`views`], [`business_hours`], [`push`]

pub mod account;
pub mod agents;
pub mod api;
pub mod api_examples;
pub mod api_keys;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod business_hours;
pub mod canned;
pub mod changes;
pub mod cli;
pub mod config;
pub mod console;
pub mod conversations;
pub mod demo;
pub mod error;
pub mod health;
pub mod http;
pub mod input;
pub mod labels;
pub mod mail;
pub mod maintenance;
pub mod memory;
pub mod messages;
pub mod metrics;
pub mod outbox;
pub mod pagination;
pub mod privacy;
pub mod push;
pub mod ratings;
pub mod realtime;
pub mod reports;
pub mod routing;
pub mod sites;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod store;
pub mod teams;
pub mod telemetry;
pub mod throttle;
pub mod views;
pub mod visitor_mail;
pub mod visitors;
pub mod webhooks;
pub mod widget;
pub mod workspaces;
