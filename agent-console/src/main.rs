//! Rapport's agent console: the workspace where a support team answers chats.
//!
//! - [`app`]: the root (sign-in or the workspace), the stores' contexts, timers.
//! - [`bundle`]: the two builds (`agent-console`: sign-in and the inbox; `console-admin`:
//!   every screen), and [`address`]: the console's address, which says which one runs.
//! - [`state`]: what is shown, as six small stores with pure reducers (unit-tested).
//! - [`loading`]: what is fetched over REST at start and after a reconnect.
//! - [`services`]: the REST client, the agent socket, the visitor loader.
//! - [`components`]: navigation, conversation list, conversation, composer, visitor
//!   sidebar, settings screens (one file each), reports, help overlay.
//! - [`clock`], [`notify`], [`shortcuts`], [`text`]: times as agents read them; sound,
//!   notifications, tab title; keyboard shortcuts; text helpers (highlighting, canned
//!   response variables).

mod address;
mod app;
mod bundle;
mod clock;
mod components;
mod loading;
mod notify;
mod services;
mod shortcuts;
mod state;
mod text;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
