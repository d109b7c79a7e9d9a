//! The panel's parts, top to bottom: [`header`], [`messages`] (with [`bubble`]),
//! [`composer`]; [`attachment`] for files in both.

pub mod attachment;
pub mod bubble;
pub mod composer;
pub mod header;
pub mod messages;
