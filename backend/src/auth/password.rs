//! Agent passwords, hashed with argon2id (PHC string format, per-password salt), on the
//! hashing threads ([`super::hashing`]).

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, SaltString, rand_core::OsRng},
};

use crate::error::{Error, Result};

/// The shortest password we accept: long enough to resist online guessing.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longer inputs only cost hashing time.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The lowest zxcvbn score accepted (0–4): 3 is "safely unguessable", about 10^8
/// guesses or more. Common passwords, breached patterns (`Password1!`), keyboard walks,
/// repeats (`aaaaaaaaaa`), dates and the account's own name, email or workspace score
/// lower.
pub const MIN_STRENGTH: u8 = 3;

/// Checks the password policy before anything is hashed: length, then strength against
/// common passwords and `context` (the account's name, email, workspace…), which makes a
/// password built from them weak.
pub fn check(password: &str, context: &[&str]) -> Result<()> {
    validate(password)?;
    // zxcvbn's work grows with the length; past 100 characters a password is strong
    // enough on the part it looks at.
    let judged: String = password.chars().take(100).collect();
    let context: Vec<&str> = context
        .iter()
        .flat_map(|item| item.split(|c: char| !c.is_alphanumeric()))
        .chain(context.iter().copied())
        .filter(|word| word.chars().count() >= 3)
        .collect();
    let estimate = zxcvbn::zxcvbn(&judged, &context);
    if u8::from(estimate.score()) >= MIN_STRENGTH {
        return Ok(());
    }
    let mut why = String::from("is too easy to guess");
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            why.push_str(&format!(" ({})", warning.to_string().trim_end_matches('.').to_lowercase()));
        }
        if let Some(first) = feedback.suggestions().first() {
            why.push_str(&format!(": {}", first.to_string().trim_end_matches('.').to_lowercase()));
        }
    }
    why.push_str("; a few uncommon words together make a good one");
    Err(Error::invalid("password", why))
}

/// Checks the length rules alone (the strength check is [`check`]).
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

/// Runs argon2 `argon` over `password` and `salt` into `out`.
///
/// Its working memory (19 MiB with the default parameters) is allocated for this one hash
/// and freed after it; once the hashing threads are idle, [`crate::memory::give_back`]
/// returns it to the system, so a server at rest holds none of it, however many hashing
/// threads have run. (Each thread used to keep one such buffer for its whole life, a
/// guard against glibc's arenas from before mimalloc: 2 × 19 MiB resident for good on a
/// 2-core machine, 8 × 19 MiB on an 8-core one.)
fn compute(argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    argon.hash_password_into(password, salt, out)
}

/// A new PHC string for `password` (runs on the calling thread).
fn hash_here(password: &str) -> Result<String> {
    let failed = |err: &dyn std::fmt::Display| Error::Internal(format!("hashing password: {err}"));
    let argon = Argon2::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buffer).map_err(|e| failed(&e))?;
    let output_len = argon.params().output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut out = vec![0u8; output_len];
    compute(&argon, password.as_bytes(), salt_bytes, &mut out).map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (runs on the calling thread).
fn verify_here(password: &str, stored: &str) -> bool {
    let check = || -> Option<bool> {
        let parsed = PasswordHash::new(stored).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut salt_buffer = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt_buffer).ok()?;
        let mut out = vec![0u8; expected.len()];
        compute(&Argon2::new(algorithm, version, params), password.as_bytes(), salt, &mut out).ok()?;
        // `Output` compares in constant time.
        Some(Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

/// Hashes on the hashing threads ([`super::hashing`]): argon2 is deliberately slow and
/// memory-hungry, and must neither stall the runtime nor run unboundedly in parallel.
pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    super::hashing::run(move || hash_here(&password)).await?
}

/// Whether `password` matches the stored PHC `hash`; `Err` only when the server is too
/// busy to check (or broken), never for a wrong password.
pub async fn verify(password: &str, hash: &str) -> Result<bool> {
    let password = password.to_owned();
    let hash = hash.to_owned();
    super::hashing::run(move || verify_here(&password, &hash)).await
}

/// Spends the time of one verification and fails. Used when the email is unknown, so
/// that sign-in takes as long for unknown emails as for wrong passwords (no account
/// enumeration by timing). The hash is of a random password, made once per process.
pub async fn verify_nothing(password: &str) -> Result<bool> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let dummy = DUMMY.get_or_try_init(|| async { hash(&super::token::random_string(24)).await }).await?;
    verify(password, dummy).await?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_standard_argon2id_strings() {
        use argon2::{PasswordHasher, PasswordVerifier};
        // Ours verify with the library's own verifier, and the library's with ours.
        let ours = hash_here("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"tr0ub4dor&3 xkcd", &salt).unwrap().to_string();
        assert!(verify_here("tr0ub4dor&3 xkcd", &theirs));
        assert!(!verify_here("tr0ub4dor&3 xkcD", &theirs));
        assert!(!verify_here("anything", "not a phc string"));
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hash = hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &hash).await.unwrap());
        assert!(!verify("correct horse battery!", &hash).await.unwrap());
        assert!(!verify_nothing("anything").await.unwrap());
    }

    #[test]
    fn weak_and_personal_passwords_are_refused() {
        for weak in [
            "aaaaaaaaaa",
            "password123",
            "Password1!",
            "qwertyuiop",
            "1234567890",
            "iloveyou2024",
            "letmein!!!!",
            "01/02/1990xx",
        ] {
            let err = check(weak, &[]).unwrap_err();
            assert!(err.to_string().starts_with("is too easy to guess"), "{weak}: {err}");
        }
        // Built from the account itself.
        assert!(check("acmewidgets2026", &["Acme Widgets", "owner@acmewidgets.test"]).is_err());
        for strong in [
            "correct horse battery",
            "Bo's own long passphrase 7",
            "tangerine submarine 88 kettle",
            "A long enough passphrase 7",
            "Another good passphrase 9",
        ] {
            assert!(check(strong, &["Bo", "bo@acme.test", "Acme"]).is_ok(), "{strong} is strong");
        }
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        assert!(validate("short").is_err());
        assert!(validate("ééééééééé").is_err()); // 9 characters, 18 bytes
        assert!(validate("éééééééééé").is_ok());
        assert!(validate(&"x".repeat(257)).is_err());
    }
}
