//! Message encryption for Web Push (RFC 8291, the `aes128gcm` content coding of RFC 8188):
//! only the browser that subscribed can read a payload; the push service carries bytes.

use aes_gcm::{
    Aes128Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use hkdf::Hkdf;
use p256::{PublicKey, SecretKey, ecdh::diffie_hellman, elliptic_curve::sec1::ToEncodedPoint};
use sha2::Sha256;

/// The record size announced in the header; one record holds a whole payload.
const RECORD_SIZE: u32 = 4096;

/// Why a subscription's keys cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub struct BadKeys(pub &'static str);

/// The browser's side of a subscription: its public key (65 bytes) and auth secret (16).
pub struct Receiver {
    pub public_key: PublicKey,
    pub auth_secret: [u8; 16],
}

impl Receiver {
    pub fn parse(p256dh: &[u8], auth: &[u8]) -> Result<Self, BadKeys> {
        if p256dh.len() != 65 {
            return Err(BadKeys("p256dh must be an uncompressed P-256 point (65 bytes)"));
        }
        let public_key = PublicKey::from_sec1_bytes(p256dh).map_err(|_| BadKeys("p256dh is not a P-256 point"))?;
        let auth_secret: [u8; 16] = auth.try_into().map_err(|_| BadKeys("auth must be 16 bytes"))?;
        Ok(Self { public_key, auth_secret })
    }
}

/// Encrypts `plaintext` for `to` with a fresh sender key and salt.
pub fn encrypt(to: &Receiver, plaintext: &[u8]) -> Vec<u8> {
    let sender = SecretKey::random(&mut rand::rngs::OsRng);
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
    encrypt_with(to, plaintext, &sender, &salt)
}

/// [`encrypt`] with a given sender key and salt (the RFC's example fixes both).
pub fn encrypt_with(to: &Receiver, plaintext: &[u8], sender: &SecretKey, salt: &[u8; 16]) -> Vec<u8> {
    let sender_public = sender.public_key().to_encoded_point(false);
    let receiver_public = to.public_key.to_encoded_point(false);
    let shared = diffie_hellman(sender.to_nonzero_scalar(), to.public_key.as_affine());

    // IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0 || ua_public || as_public)
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(receiver_public.as_bytes());
    key_info.extend_from_slice(sender_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&to.auth_secret), shared.raw_secret_bytes().as_slice())
        .expand(&key_info, &mut ikm)
        .expect("32 bytes is a valid HKDF length");

    let content = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut key = [0u8; 16];
    let mut nonce = [0u8; 12];
    content.expand(b"Content-Encoding: aes128gcm\0", &mut key).expect("16 bytes is a valid HKDF length");
    content.expand(b"Content-Encoding: nonce\0", &mut nonce).expect("12 bytes is a valid HKDF length");

    // One record, the last: the plaintext then the delimiter 2 (no padding).
    let mut record = plaintext.to_vec();
    record.push(2);
    let cipher = Aes128Gcm::new_from_slice(&key).expect("a 16-byte key");
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: &record, aad: b"" })
        .expect("AES-GCM encrypts any length the push service takes");

    // Header: salt (16) | record size (4, big-endian) | key id length (1) | key id.
    let mut body = Vec::with_capacity(16 + 4 + 1 + 65 + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(sender_public.as_bytes().len() as u8);
    body.extend_from_slice(sender_public.as_bytes());
    body.extend_from_slice(&sealed);
    body
}

#[cfg(test)]
mod tests {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).unwrap()
    }

    /// The worked example of RFC 8291, appendix A.
    #[test]
    fn the_rfc_example_encrypts_to_the_rfc_bytes() {
        let sender = SecretKey::from_slice(&b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).unwrap();
        let receiver = Receiver::parse(
            &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &b64("BTBZMqHH6r4Tts7J_aSIgg"),
        )
        .unwrap();
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let body = encrypt_with(&receiver, b"When I grow up, I want to be a watermelon", &sender, &salt);
        assert_eq!(
            URL_SAFE_NO_PAD.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn keys_of_the_wrong_shape_are_refused() {
        assert!(Receiver::parse(&[4; 64], &[0; 16]).is_err());
        assert!(Receiver::parse(&[4; 65], &[0; 16]).is_err(), "not a point on the curve");
    }
}
