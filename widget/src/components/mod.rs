//! The panel's parts, top to bottom: [`header`], [`messages`] (with [`bubble`]),
//! [`composer`].

pub mod bubble;
pub mod composer;
pub mod header;
pub mod messages;
