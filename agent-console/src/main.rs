//! Rapport's agent console: the workspace where a support team answers chats.
//!
//! - [`app`]: the root (sign-in or the workspace), shortcuts and timers.
//! - [`state`]: everything shown, as one reducer fed by REST answers and socket frames.
//! - [`services`]: the REST client, the agent socket, and the views of routing answers.
//! - [`components`]: navigation, conversation list, conversation, composer, visitor
//!   sidebar, admin screens, help overlay.
//! - [`clock`], [`notify`]: times as agents read them; sound, notifications, tab title.

mod app;
mod clock;
mod components;
mod notify;
mod services;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
