//! Example values of the API's required parameters, shown in the docs beside each one
//! (poem-openapi calls these through `#[oai(example = "…")]`). Optional parameters have
//! none on purpose: Swagger UI's "Try it out" fills every example in, and a filter
//! nobody asked for would narrow the answer (a conversation list filtered by an example
//! status came back empty).

use uuid::Uuid;

/// Any id: ids are UUIDs, time-ordered (v7).
pub fn id() -> Uuid {
    Uuid::from_u128(0x0190_f3a2_5c1e_7d4a_9b2e_3f4a_5b6c_7d8e)
}

/// The token of an unsubscribe link in a transcript or follow-up mail.
pub fn unsubscribe_token() -> String {
    "un_3q2xv9…".to_owned()
}

/// An uploaded file's name.
pub fn filename() -> String {
    "invoice-2291.pdf".to_owned()
}

/// A site's public key, as in the embed snippet's `data-site`.
pub fn site_key() -> String {
    "pk_live_4f9a…".to_owned()
}

pub fn required_search() -> String {
    "refund".to_owned()
}
