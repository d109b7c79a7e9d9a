//! Identity verification: the host page tells the widget who the visitor is
//! (`Rapport('identify', …)`), and proves it with `user_hash = HMAC-SHA256(site identity
//! secret, user_id)` computed on the business's server.
//!
//! The rule that keeps identities honest: an unverified claim never changes a verified
//! visitor, and becoming verified *replaces* whatever was claimed before (name, email,
//! user id) instead of merging it, so nothing a page asserted without proof ends up
//! attached to a proven identity.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    error::{Error, Result},
    input::{self, Email},
    on_tx,
    store::Store,
};

/// An identity as the host page claimed it, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub email: Option<Email>,
    pub name: Option<String>,
    /// Whether `user_hash` proved `user_id`.
    pub verified: bool,
}

/// Why an identity was refused; the API turns each into its own error `code`.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The site requires a `user_hash` and none was given.
    HashRequired,
    /// A `user_hash` was given and does not match `user_id`.
    WrongHash,
}

/// `true` when `user_hash` is the lowercase or uppercase hex HMAC-SHA256 of `user_id`
/// under `secret`. The comparison runs in constant time so the hash cannot be guessed
/// byte by byte from response times.
pub fn hash_matches(secret: &str, user_id: &str, user_hash: &str) -> bool {
    let Ok(claimed) = hex::decode(user_hash.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(user_id.as_bytes());
    mac.verify_slice(&claimed).is_ok()
}

/// Parses a claim. `Ok(Err(refusal))` is a well-formed claim the site does not accept.
pub fn parse(
    secret: &str,
    require_identity: bool,
    user_id: &str,
    email: Option<&str>,
    name: Option<&str>,
    user_hash: Option<&str>,
) -> Result<std::result::Result<Identity, Refusal>> {
    let user_id = input::name("user_id", user_id, 200)?;
    let email = email.filter(|e| !e.trim().is_empty()).map(|e| Email::parse("email", e)).transpose()?;
    let name = name.filter(|n| !n.trim().is_empty()).map(|n| input::name("name", n, 100)).transpose()?;
    let verified = match user_hash {
        Some(hash) if hash_matches(secret, &user_id, hash) => true,
        Some(_) => return Ok(Err(Refusal::WrongHash)),
        None if require_identity => return Ok(Err(Refusal::HashRequired)),
        None => false,
    };
    Ok(Ok(Identity { user_id, email, name, verified }))
}

/// Attaches `identity` to the visitor. Refused with `identity_conflict` when the visitor
/// is already verified and the claim is unverified or names another user: a proven
/// identity only ever changes by proving the same identity again.
pub async fn attach(store: &Store, workspace_id: Uuid, visitor_id: Uuid, identity: &Identity) -> Result<()> {
    // One statement, so two identify calls racing cannot both pass the check.
    let mut tx = store.begin_write().await?;
    let changed: Option<super::VisitorRow> = on_tx!(&mut tx, |conn| {
        sqlx::query_as(
            "UPDATE visitors SET user_id = $1, email = $2, name = $3, verified = $4
             WHERE workspace_id = $5 AND id = $6 AND (verified = FALSE OR ($4 = TRUE AND user_id = $1))
             RETURNING id, workspace_id, site_id, name, email, user_id, verified, attributes, created_at, last_seen_at",
        )
        .bind(&identity.user_id)
        .bind(identity.email.as_ref().map(Email::as_str))
        .bind(&identity.name)
        .bind(identity.verified)
        .bind(workspace_id)
        .bind(visitor_id)
        .fetch_optional(conn)
        .await
    })?;
    let Some(visitor) = changed else {
        return Err(Error::conflict(
            "identity_conflict",
            "this visitor is already verified as a user; only the same user, with a valid user_hash, can identify again",
        ));
    };
    crate::webhooks::visitor_identified(&mut tx, workspace_id, &visitor.to_wire()).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed independently: `printf user-42 | openssl dgst -sha256 -hmac s3cret`.
    const KNOWN: &str = "1136c48073bd2ba64f2a18895ff27ecfa11e24ccd2d86972ace148983668a992";

    fn sign(secret: &str, user_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(user_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_correct_hash_verifies_and_a_wrong_one_does_not() {
        let good = sign("s3cret", "user-42");
        assert!(hash_matches("s3cret", "user-42", &good));
        assert!(hash_matches("s3cret", "user-42", &good.to_uppercase()));
        assert!(!hash_matches("s3cret", "user-43", &good));
        assert!(!hash_matches("other", "user-42", &good));
        assert!(!hash_matches("s3cret", "user-42", "not hex"));
        assert_eq!(good, KNOWN, "the HMAC is the standard one businesses compute");
    }

    #[test]
    fn sites_requiring_identity_refuse_claims_without_a_hash() {
        let parsed = parse("k", true, "u1", None, None, None).unwrap();
        assert_eq!(parsed, Err(Refusal::HashRequired));
        let parsed = parse("k", false, "u1", Some("a@b.test"), Some("Ana"), None).unwrap().unwrap();
        assert!(!parsed.verified);
        let parsed = parse("k", true, "u1", None, None, Some(&sign("k", "u1"))).unwrap().unwrap();
        assert!(parsed.verified);
        assert_eq!(parse("k", false, "u1", None, None, Some("00")).unwrap(), Err(Refusal::WrongHash));
    }
}
