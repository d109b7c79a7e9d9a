//! The console's parts, one per file.

pub mod admin;
pub mod attachments;
pub mod avatar;
pub mod composer;
pub mod conversation;
pub mod help;
pub mod list;
pub mod nav;
pub mod picture;
pub mod reports;
pub mod sidebar;
pub mod signin;
pub mod webhooks;
