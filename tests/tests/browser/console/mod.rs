//! End-to-end tests of the agent console in headless Chromium, against a real server:
//! agents sign in at `/console/`, visitors talk over the real visitor socket and widget
//! API, and what each side receives is checked. Screenshots land in
//! `target/screenshots/console-*.png`.
//!
//! - [`composer`]: `/shortcut` canned responses; search by name, email, text.
//! - [`inbox`]: a new conversation appears in the queue live; a reply typed in the
//!   console reaches the visitor; an internal note never does.
//! - [`routing`]: claim from the console; two agents claiming at once; transfer with a
//!   note.
//! - [`admin`]: a site's settings and embed snippet; inviting and managing agents; the
//!   audit log, filtered and paged.
//! - [`settings`]: editing saved replies and teams; webhooks with a test event and the
//!   delivery log.
//! - [`serving`]: `/` leads to `/console/`; its policy, versioned assets, a missing build.
//! - [`attachments`]: thumbnails, the paper clip, drop, progress and refusals.
//! - [`reports`]: the reports page's cards and charts show seeded numbers and follow
//!   resolutions live.
//! - [`organising`]: labels, filters, saved views, team inboxes, search snippets.
//! - [`context`]: ratings, the page trail, the remembered status, notifications, saved
//!   replies in the visitor's language, toasts, invitation links.
//! - [`site_settings`]: identity secret, site mail, business hours, time zone, push
//!   preferences.
//! - [`storm`]: 500 open conversations load with a handful of requests, none refused.
//! - [`accessibility`]: axe-core finds nothing on the inbox, a conversation, every settings
//!   screen and the reports.
//! - [`screens`]: the main screens at desktop (1280×800) and tablet (820×1180) sizes.
//! - [`reset`]: a forgotten password reset from the sign-in page and a mailed link.
//!
//! Needs the built console (`cargo xtask build`, which `cargo xtask test` runs) and
//! chromium + chromium-driver: without them the tests fail and say so.

mod accessibility;
mod admin;
mod attachments;
mod composer;
mod context;
mod inbox;
mod organising;
mod reports;
mod reset;
mod routing;
mod screens;
mod serving;
mod settings;
mod site_settings;
mod stage;
mod storm;
