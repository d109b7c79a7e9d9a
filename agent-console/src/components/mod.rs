//! The console's parts, one per file (settings screens under [`settings`], the open
//! conversation under [`conversation`]).

pub mod attachments;
pub mod avatar;
pub mod composer;
pub mod conversation;
pub mod filters;
pub mod help;
pub mod labels;
pub mod list;
pub mod nav;
pub mod picture;
pub mod preferences;
pub mod reports;
pub mod settings;
pub mod sidebar;
pub mod signin;
