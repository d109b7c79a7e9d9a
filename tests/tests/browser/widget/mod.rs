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
//! - [`budget`]: bytes on the wire: a page view (loader only, no iframe, socket or
//!   visitor), the opened widget, the console.
//! - [`storage`]: blocked third-party storage keeps the history across the shop's pages.
//! - [`robustness`]: a 100 KB title, an API failing under a live socket, a refused origin.
//! - [`continuation`]: the email's continue link opens the conversation with its history.
//! - [`context`]: browser, system, time zone, language, screen reach the console.
//! - [`faces`]: agents' names and pictures on replies, the team in the header.
//! - [`accessibility`]: axe-core finds nothing; 16 px fields; the focus moves in on open.
//!
//! Needs the built widget (`cargo xtask build`, which `cargo xtask test` runs) and
//! chromium + chromium-driver: without them the tests fail and say so.

mod accessibility;
mod attachments;
mod away;
mod budget;
mod chat;
mod console;
mod context;
mod continuation;
mod faces;
mod identity;
mod notify;
mod offline;
mod prechat;
mod queue;
mod rating;
mod robustness;
mod stage;
mod status;
mod storage;
mod team_settings;
mod transcript;
