//! Rapport's visitor widget: the chat panel inside the iframe that `/widget.js` (the
//! loader, `static/loader.js`) puts on a business's page.
//!
//! - [`app`]: the root component; [`components`]: the panel's parts.
//! - [`state`]: what the panel shows, as a reducer.
//! - [`services`]: REST, the WebSocket, the host page bridge, and the chat client that
//!   ties them together following PROTOCOL.md.
//! - [`outbox`], [`storage`]: what survives a reload.
//! - [`i18n`], [`linkify`], [`clock`], [`theme`], [`random`]: words, links, times,
//!   colours, fresh ids.

mod app;
mod clock;
mod components;
mod i18n;
mod linkify;
mod outbox;
mod random;
mod services;
mod state;
mod storage;
mod theme;

fn main() {
    yew::Renderer::<app::App>::new().render();
}

// lol_alloc's free list behind its lock (a few bytes of spin lock: the crate's only safe
// constructor, and the workspace forbids `unsafe`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
