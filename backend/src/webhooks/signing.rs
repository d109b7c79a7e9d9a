//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>).
//!
//! A secret is `whsec_` + base64(key bytes). The signature of one request is
//! `v1,` + base64(HMAC-SHA256(key bytes, "{webhook-id}.{webhook-timestamp}.{body}")), and
//! the `webhook-signature` header holds one or more of them separated by spaces: during a
//! rotation's grace period, one per valid secret, so receivers can switch at their pace.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// 32 random bytes: within the 24 to 64 the specification asks for.
const KEY_BYTES: usize = 32;

pub fn generate_secret() -> String {
    let mut key = [0u8; KEY_BYTES];
    rand::thread_rng().fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// The key bytes of a secret; `None` for a string that is not one.
fn key_of(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()
}

/// One `v1,…` signature.
pub fn sign(secret: &str, webhook_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = key_of(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(format!("{webhook_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header value: one signature per secret, space separated.
pub fn header(secrets: &[&str], webhook_id: &str, timestamp: i64, body: &str) -> String {
    secrets.iter().filter_map(|secret| sign(secret, webhook_id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the Standard Webhooks reference libraries' test suites.
    #[test]
    fn matches_the_specification_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn generated_secrets_decode_and_rotation_sends_both() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_ne!(a, b);
        assert_eq!(key_of(&a).unwrap().len(), KEY_BYTES);
        let both = header(&[&a, &b], "msg_1", 1, "{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts, [sign(&a, "msg_1", 1, "{}").unwrap(), sign(&b, "msg_1", 1, "{}").unwrap()]);
    }
}
