//! End-to-end tests of the visitor widget in headless Chromium: a business's page on its
//! own origin embeds `/widget.js` with the `<script>` tag; a visitor chats; an agent
//! answers over the real agent socket and REST API. Screenshots land in
//! `target/screenshots/`.
//!
//! - [`chat`]: messages both ways, typing, read receipts, unread badge, history after a
//!   reload (desktop, 1280×800).
//! - [`offline`]: the network drops, two messages are written, each arrives exactly once
//!   when it comes back (phone, 390×844).
//! - [`identity`]: a wrong `user_hash` is refused and shown; the right one verifies.
//! - [`attachments`]: a photo from the paper clip shows in the bubble and reaches the agent.
//! - [`console`]: an agent answers in the real agent console and the widget shows it.
//! - [`prechat`]: the pre-chat form asks for what the site wants (desktop and phone).
//! - [`away`]: with nobody online, the offline form takes an email and a message.
//! - [`status`]: the header's availability follows the agents while the panel is open.
//! - [`queue`]: a waiting visitor's place in line, live.
//! - [`rating`]: rating a resolved conversation, and changing the rating.
//! - [`transcript`]: mailing the transcript, asking for an email first.
//! - [`team_settings`]: business hours (offline form, auto-reply) and typing preview,
//!   as the console sets them.
//! - [`notify`]: a reply to a closed panel beeps and flashes the host page's title.
//!
//! Needs the built widget (`cargo xtask build`, which `cargo xtask test` runs) and
//! chromium + chromium-driver: without them the tests fail and say so.

mod attachments;
mod away;
mod chat;
mod console;
mod identity;
mod notify;
mod offline;
mod prechat;
mod queue;
mod rating;
mod stage;
mod status;
mod team_settings;
mod transcript;
