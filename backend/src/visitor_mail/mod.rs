//! Mail a visitor can cause, kept from becoming a way to mail strangers.
//!
//! Anyone with a site's public key can be a visitor, and fresh visitor tokens are free, so
//! limits per credential mean nothing here. Instead:
//!
//! - a transcript goes to the address already on the conversation; asked for at another
//!   address, it goes there only after the address's owner follows a link mailed to it
//!   ([`confirm`]: single use, a day; the mail says nothing of the conversation);
//! - every mail a visitor causes — transcripts, confirmation mails, the team's mail about
//!   an offline message — is counted per site over an hour and, when it goes to an address
//!   a visitor typed, per recipient over a day ([`limits`]); over a limit the mail is not
//!   written and the workspace's owners are told, at most once an hour per site.
//!
//! Counts live in the database (`visitor_mail_log`), so every node sees the same ones;
//! one row per site (`visitor_mail_sites`) is locked first, so requests for a site count
//! one after the other.

pub mod confirm;
pub mod limits;
pub mod page;

pub use limits::{Limited, VisitorMailSettings, take};
