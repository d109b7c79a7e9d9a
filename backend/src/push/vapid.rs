//! VAPID (RFC 8292): the server identifies itself to push services with a P-256 key
//! pair, signing a short-lived JWT (ES256) per request. One pair per deployment, made on
//! first use and kept in the database so every node signs with it.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use p256::{
    SecretKey,
    ecdsa::{Signature, SigningKey, signature::Signer},
    elliptic_curve::sec1::ToEncodedPoint,
};

use crate::{
    error::{Error, Result},
    on_pool,
    store::{Store, now},
};

/// How long a signed JWT is valid (RFC 8292 allows up to 24 h).
const JWT_LIFETIME_SECS: i64 = 12 * 3600;

#[derive(Clone)]
pub struct Vapid {
    signing: SigningKey,
    /// The uncompressed public point, base64url (`k=` in the `Authorization` header).
    pub public_key: String,
}

impl Vapid {
    fn from_secret(secret: &SecretKey) -> Self {
        let public_key = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
        Self { signing: SigningKey::from(secret), public_key }
    }

    /// The deployment's key pair: the stored one, or a new one stored first (two nodes
    /// racing both read back the one that won).
    pub async fn load_or_create(store: &Store) -> Result<Self> {
        let fresh = SecretKey::random(&mut rand::rngs::OsRng);
        let candidate = Self::from_secret(&fresh);
        on_pool!(store, |pool| {
            sqlx::query(
                "INSERT INTO push_keys (id, private_key, public_key, created_at) VALUES (1, $1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(URL_SAFE_NO_PAD.encode(fresh.to_bytes()))
            .bind(&candidate.public_key)
            .bind(now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        let stored: String = on_pool!(store, |pool| {
            sqlx::query_scalar("SELECT private_key FROM push_keys WHERE id = 1").fetch_one(pool).await
        })?;
        let bytes =
            URL_SAFE_NO_PAD.decode(stored).map_err(|_| Error::Internal("the stored VAPID key is not base64".into()))?;
        let secret = SecretKey::from_slice(&bytes)
            .map_err(|_| Error::Internal("the stored VAPID key is not a P-256 key".into()))?;
        Ok(Self::from_secret(&secret))
    }

    /// The `Authorization` header for a request to `endpoint`'s push service.
    pub fn authorization(&self, endpoint: &reqwest::Url, subject: &str) -> String {
        let audience = endpoint.origin().ascii_serialization();
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now().0 / 1000 + JWT_LIFETIME_SECS,
            "sub": subject,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature: Signature = self.signing.sign(signed.as_bytes());
        format!("vapid t={signed}.{}, k={}", URL_SAFE_NO_PAD.encode(signature.to_bytes()), self.public_key)
    }
}
