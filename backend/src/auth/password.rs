//! Agent passwords, hashed with argon2id (PHC string format, per-password salt).

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use crate::error::{Error, Result};

/// The shortest password we accept: long enough to resist online guessing.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longer inputs only cost hashing time.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks the password policy before anything is hashed.
pub fn validate(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::invalid("password", format!("must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::invalid("password", format!("must be at most {MAX_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// Hashes on the blocking pool: argon2 is deliberately slow and must not stall the runtime.
pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|err| Error::Internal(format!("hashing password: {err}")))
    })
    .await
    .map_err(|err| Error::Internal(format!("hashing task: {err}")))?
}

/// True when `password` matches the stored PHC `hash`.
pub async fn verify(password: &str, hash: &str) -> bool {
    let password = password.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Spends the time of one verification and fails. Used when the email is unknown, so
/// that sign-in takes as long for unknown emails as for wrong passwords (no account
/// enumeration by timing). The hash is of a random password, made once per process.
pub async fn verify_nothing(password: &str) -> bool {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let dummy = DUMMY.get_or_init(|| async { hash(&super::token::random_string(24)).await.unwrap_or_default() }).await;
    let _ = verify(password, dummy).await;
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hash = hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &hash).await);
        assert!(!verify("correct horse battery!", &hash).await);
        assert!(!verify_nothing("anything").await);
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        assert!(validate("short").is_err());
        assert!(validate("ééééééééé").is_err()); // 9 characters, 18 bytes
        assert!(validate("éééééééééé").is_ok());
        assert!(validate(&"x".repeat(257)).is_err());
    }
}
