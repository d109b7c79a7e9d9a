//! Signed tokens in mail: reply addresses, continue links and unsubscribe links.
//!
//! All are HMAC-SHA256 with one secret that every node reads from the database
//! (`server_secrets`, created on first use), so any node can verify what another signed
//! and nothing needs configuring. Each token kind signs a distinct label, so one kind can
//! never be replayed as another.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    auth::token,
    error::Result,
    on_pool,
    store::{Millis, Store, now},
};

const SECRET_NAME: &str = "mail_signing";

/// How long a continue link works.
pub const CONTINUE_LINK_LIFETIME: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// The signing secret, created by whichever node needs it first.
pub async fn secret(store: &Store) -> Result<String> {
    let candidate = token::random_string(32);
    Ok(on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO server_secrets (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(SECRET_NAME)
        .bind(&candidate)
        .bind(now())
        .execute(pool)
        .await?;
        sqlx::query_scalar("SELECT secret FROM server_secrets WHERE name = $1").bind(SECRET_NAME).fetch_one(pool).await
    })?)
}

fn sign(secret: &str, label: &str, payload: &str, hex_chars: usize) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(label.as_bytes());
    mac.update(b"\n");
    mac.update(payload.as_bytes());
    let mut signature = hex::encode(mac.finalize().into_bytes());
    signature.truncate(hex_chars);
    signature
}

/// Constant-time comparison of two signatures.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The local part of a conversation's reply address: `reply+<conversation>.<signature>`
/// (lower case, since some providers lower-case local parts). 96 signature bits.
pub fn reply_local_part(secret: &str, conversation_id: Uuid) -> String {
    let id = conversation_id.simple().to_string();
    format!("reply+{id}.{}", sign(secret, "reply", &id, 24))
}

/// What a `reply+…` local part says.
#[derive(Debug, PartialEq, Eq)]
pub enum ReplyToken {
    /// Not a reply address at all.
    Absent,
    /// Looks like one, but the signature does not match (forged or damaged).
    Forged,
    Valid(Uuid),
}

pub fn verify_reply_local_part(secret: &str, local_part: &str) -> ReplyToken {
    let local_part = local_part.to_lowercase();
    let Some(token) = local_part.strip_prefix("reply+") else {
        return ReplyToken::Absent;
    };
    let Some((id, signature)) = token.split_once('.') else {
        return ReplyToken::Forged;
    };
    match Uuid::try_parse(id) {
        Ok(conversation_id) if same(&sign(secret, "reply", id, 24), signature) => ReplyToken::Valid(conversation_id),
        _ => ReplyToken::Forged,
    }
}

/// A continue link's token: `<conversation>.<expiry ms>.<signature>`.
pub fn continue_token(secret: &str, conversation_id: Uuid, expires_at: Millis) -> String {
    let payload = format!("{}.{}", conversation_id.simple(), expires_at.0);
    let signature = sign(secret, "continue", &payload, 32);
    format!("{payload}.{signature}")
}

/// The conversation a continue token opens, if it is genuine and not expired.
pub fn verify_continue_token(secret: &str, token: &str) -> Option<Uuid> {
    let (payload, signature) = token.trim().rsplit_once('.')?;
    let (id, expires_at) = payload.split_once('.')?;
    if !same(&sign(secret, "continue", payload, 32), signature) {
        return None;
    }
    let expires_at: i64 = expires_at.parse().ok()?;
    if expires_at < now().0 {
        return None;
    }
    Uuid::try_parse(id).ok()
}

/// An unsubscribe token for `email` in a workspace: `<workspace>.<hex email>.<signature>`.
pub fn unsubscribe_token(secret: &str, workspace_id: Uuid, email: &str) -> String {
    let payload = format!("{}.{}", workspace_id.simple(), hex::encode(email));
    let signature = sign(secret, "unsubscribe", &payload, 32);
    format!("{payload}.{signature}")
}

pub fn verify_unsubscribe_token(secret: &str, token: &str) -> Option<(Uuid, String)> {
    let (payload, signature) = token.trim().rsplit_once('.')?;
    if !same(&sign(secret, "unsubscribe", payload, 32), signature) {
        return None;
    }
    let (workspace, email) = payload.split_once('.')?;
    let email = String::from_utf8(hex::decode(email).ok()?).ok()?;
    Some((Uuid::try_parse(workspace).ok()?, email))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_addresses_verify_and_forgeries_do_not() {
        let id = Uuid::now_v7();
        let local = reply_local_part("k", id);
        assert_eq!(verify_reply_local_part("k", &local), ReplyToken::Valid(id));
        assert_eq!(verify_reply_local_part("k", &local.to_uppercase()), ReplyToken::Valid(id));
        assert_eq!(verify_reply_local_part("other", &local), ReplyToken::Forged);
        let other = Uuid::now_v7();
        let forged = format!("reply+{}.{}", other.simple(), local.rsplit_once('.').unwrap().1);
        assert_eq!(verify_reply_local_part("k", &forged), ReplyToken::Forged);
        assert_eq!(verify_reply_local_part("k", "support"), ReplyToken::Absent);
    }

    #[test]
    fn continue_tokens_expire_and_resist_tampering() {
        let id = Uuid::now_v7();
        let good = continue_token("k", id, now().plus(std::time::Duration::from_secs(60)));
        assert_eq!(verify_continue_token("k", &good), Some(id));
        assert_eq!(verify_continue_token("j", &good), None);
        assert_eq!(verify_continue_token("k", &continue_token("k", id, Millis(now().0 - 1))), None);
        let tampered = good.replacen('.', ".9", 1);
        assert_eq!(verify_continue_token("k", &tampered), None);
    }
}
