//! The front-ends end to end in headless Chromium, against real servers: the visitor
//! widget on a business's page ([`widget`]) and the agents' console ([`console`]). One
//! test binary for both: they share the browser harness, and each binary costs a link.
//!
//! Needs the built front-ends (`cargo xtask build`, which `cargo xtask test` runs) and
//! chromium + chromium-driver: without them the tests fail and say so.

mod console;
mod widget;
