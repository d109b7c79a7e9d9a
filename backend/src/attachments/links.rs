//! Signed download links.
//!
//! The widget shows images with `<img src>` and offers files as plain links; neither can
//! send the visitor's bearer token, and that token must never appear in a URL (URLs end
//! up in history, logs and `Referer`). So each attachment link carries its own proof
//! instead: `?token=<expiry ms>.<HMAC-SHA256(key, "attachment\n<id>.<expiry>")>`, with a
//! random key per attachment that never leaves the server. Only someone who was given
//! the message (a participant, over an authenticated channel) holds a link; it names one
//! file, opens nothing else, and expires. Any node verifies it from the database row.
//!
//! Expiry is rounded to the hour (one to two hours ahead), so a message read twice within
//! the hour yields the same URL and the browser's cache works.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::store::{Millis, now};

const HOUR_MS: i64 = 3_600_000;
/// Signature length in hex characters (128 bits).
const SIGNATURE_CHARS: usize = 32;

fn signature(key: &str, id: Uuid, expires_at: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("attachment\n{}.{expires_at}", id.simple()).as_bytes());
    let mut signature = hex::encode(mac.finalize().into_bytes());
    signature.truncate(SIGNATURE_CHARS);
    signature
}

/// The token for a link valid until `expires_at`.
pub fn token(key: &str, id: Uuid, expires_at: Millis) -> String {
    format!("{}.{}", expires_at.0, signature(key, id, expires_at.0))
}

/// A fresh link to attachment `id`, relative to the server's origin.
pub fn url(id: Uuid, key: &str) -> String {
    let expires_at = Millis((now().0 / HOUR_MS + 2) * HOUR_MS);
    format!("/api/v1/attachments/{id}?token={}", token(key, id, expires_at))
}

/// True when `token` is a genuine, unexpired link token for attachment `id`.
pub fn verify(key: &str, id: Uuid, token: &str) -> bool {
    let Some((expires_at, given)) = token.split_once('.') else { return false };
    let Ok(expires_at) = expires_at.parse::<i64>() else { return false };
    let expected = signature(key, id, expires_at);
    // Constant time, so the signature cannot be guessed byte by byte from timings.
    let same = expected.len() == given.len()
        && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    same && expires_at >= now().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_for_their_file_only_and_expire() {
        let id = Uuid::now_v7();
        let url = url(id, "key");
        let token = url.split_once("token=").unwrap().1;
        assert!(verify("key", id, token));
        assert!(!verify("other key", id, token));
        assert!(!verify("key", Uuid::now_v7(), token));
        let expired = super::token("key", id, Millis(now().0 - 1));
        assert!(!verify("key", id, &expired));
        let (expiry, signature) = token.split_once('.').unwrap();
        let later = format!("{}.{signature}", expiry.parse::<i64>().unwrap() + HOUR_MS);
        assert!(!verify("key", id, &later), "the expiry is signed");
        assert!(!verify("key", id, "garbage"));
    }
}
