//! The panel's parts, top to bottom: [`header`], [`messages`] (with [`bubble`] and
//! [`rating`]) or the [`start_form`], [`composer`], [`transcript`]; [`attachment`] for
//! files in messages and the composer; [`avatar`] for agents' faces.

pub mod attachment;
pub mod avatar;
pub mod bubble;
pub mod composer;
pub mod header;
pub mod messages;
pub mod rating;
pub mod start_form;
pub mod transcript;
