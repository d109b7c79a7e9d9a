//! The HTTP edge, around every route: accepting connections ([`accept`]), then the
//! middleware each request passes through — body size ([`body_limit`]), strict JSON
//! strings ([`strict_json`]), per-credential rate limits ([`rate_limit`]),
//! `Idempotency-Key` replays ([`idempotency`]), compression of generated answers
//! ([`compression`]) and security headers ([`security_headers`]). Assembled in
//! `crate::startup`.

pub mod accept;
pub mod body_limit;
pub mod compression;
pub mod idempotency;
pub mod rate_limit;
pub mod security_headers;
pub mod strict_json;
