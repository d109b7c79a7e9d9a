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
#[cfg(feature = "complete")]
pub mod more_screens;
pub mod nav;
pub mod picture;
#[cfg(feature = "complete")]
pub mod preferences;
#[cfg(feature = "complete")]
pub mod reports;
#[cfg(feature = "complete")]
pub mod settings;
pub mod sidebar;
pub mod signin;
