//! Opaque bearer tokens. The prefix says what a token is (so a leaked one is recognisable
//! and routed without a database lookup); the rest is 256 random bits. Only the SHA-256
//! of a token is stored, so a database leak yields no usable credential.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What a token grants, by its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An agent's sign-in session.
    Session,
    /// A workspace API key.
    ApiKey,
    /// A website visitor.
    Visitor,
    /// A one-time agent invitation.
    Invitation,
}

impl TokenKind {
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Session => "rps_",
            Self::ApiKey => "rpk_",
            Self::Visitor => "rpv_",
            Self::Invitation => "rpi_",
        }
    }

    /// The kind of a presented token, if it has a known prefix.
    pub fn of(token: &str) -> Option<Self> {
        [Self::Session, Self::ApiKey, Self::Visitor, Self::Invitation]
            .into_iter()
            .find(|kind| token.starts_with(kind.prefix()))
    }
}

/// A fresh token of `kind`.
pub fn generate(kind: TokenKind) -> String {
    format!("{}{}", kind.prefix(), random_string(32))
}

/// `bytes` random bytes, URL-safe base64.
pub fn random_string(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_unique_and_hashed() {
        let a = generate(TokenKind::Visitor);
        let b = generate(TokenKind::Visitor);
        assert_ne!(a, b);
        assert_eq!(TokenKind::of(&a), Some(TokenKind::Visitor));
        assert_eq!(a.len(), 4 + 43);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(TokenKind::of("Bearer xyz"), None);
    }
}
