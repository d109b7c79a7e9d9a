//! Rapport's visitor widget: the chat panel inside the iframe that `/widget.js` (the
//! loader, `static/loader.js`) puts on a business's page.
//!
//! - [`app`]: the root component; [`components`]: the panel's parts.
//! - [`state`]: what the panel shows, as a reducer.
//! - [`services`]: REST, the WebSocket, the host page bridge, and the chat client that
//!   ties them together following PROTOCOL.md.
//! - [`outbox`], [`storage`]: what survives a reload.
//! - [`i18n`], [`linkify`], [`clock`], [`theme`]: words, links, times, colours.

mod app;
mod clock;
mod components;
mod i18n;
mod linkify;
mod outbox;
mod services;
mod state;
mod storage;
mod theme;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
