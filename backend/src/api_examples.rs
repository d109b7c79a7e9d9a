//! Example values of the API's parameters, shown in the docs beside each one (poem-openapi
//! calls these through `#[oai(example = "…")]`). One function per kind of parameter, so
//! every list's `limit` reads the same.

use openapi::{conversations::ConversationStatus, mail::MailState};
use uuid::Uuid;

/// Any id: ids are UUIDs, time-ordered (v7).
pub fn id() -> Uuid {
    Uuid::from_u128(0x0190_f3a2_5c1e_7d4a_9b2e_3f4a_5b6c_7d8e)
}

pub fn some_id() -> Option<Uuid> {
    Some(id())
}

pub fn limit() -> Option<u32> {
    Some(50)
}

/// What a page's `next_cursor` looks like.
pub fn cursor() -> Option<String> {
    Some("AZDzolweeUqbLj9KW2x9jg".to_owned())
}

pub fn after_seq() -> Option<i64> {
    Some(42)
}

pub fn unassigned() -> Option<bool> {
    Some(true)
}

pub fn conversation_status() -> Option<ConversationStatus> {
    Some(ConversationStatus::Open)
}

pub fn search() -> Option<String> {
    Some("refund".to_owned())
}

pub fn mail_state() -> Option<MailState> {
    Some(MailState::Failed)
}

/// The token of an unsubscribe link in a transcript or follow-up mail.
pub fn unsubscribe_token() -> String {
    "un_3q2xv9…".to_owned()
}

/// An uploaded file's name.
pub fn filename() -> String {
    "invoice-2291.pdf".to_owned()
}

/// The `token` of an attachment link (`<expiry ms>.<signature>`, part of the `url` a
/// message gives).
pub fn link_token() -> Option<String> {
    Some("1795450800000.4f9c2a7e1b6d8e03a5c4f1b2d7e9a6c3".to_owned())
}

/// The first day of a report's range, in the workspace's time zone.
pub fn report_from() -> Option<String> {
    Some("2026-11-01".to_owned())
}

/// The last day of a report's range (inclusive).
pub fn report_to() -> Option<String> {
    Some("2026-11-30".to_owned())
}

/// A site's public key, as in the embed snippet's `data-site`.
pub fn site_key() -> String {
    "pk_live_4f9a…".to_owned()
}

/// The version in an agent's `picture_url` (its upload time in Unix milliseconds).
pub fn picture_version() -> Option<i64> {
    Some(1_795_450_800_000)
}

pub fn visitor_ids() -> Option<String> {
    Some("0190f3a3-0101-7a2b-8c3d-4e5f6a7b8c9d,0190f3a3-0202-7a2b-8c3d-4e5f6a7b8c9d".to_owned())
}

pub fn required_search() -> String {
    "refund".to_owned()
}

pub fn label_name() -> Option<String> {
    Some("billing".to_owned())
}

pub fn priority() -> Option<openapi::conversations::Priority> {
    Some(openapi::conversations::Priority::Urgent)
}

pub fn business_hours() -> Option<bool> {
    Some(true)
}
