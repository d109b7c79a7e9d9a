//! Where rendered mail goes: an SMTP relay named by `RAPPORT_SMTP_URL`, or, unset, one
//! `.eml` file per mail in `<data dir>/mail` (the zero-set-up default).
//!
//! URL forms: `smtp://user:pass@host:587?tls=starttls` (the default for `smtp://`),
//! `smtp://host:25?tls=none` (a local relay, plain text), `smtp://host?tls=implicit` or
//! `smtps://user:pass@host:465` (TLS from the first byte).

use std::{path::PathBuf, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    address::Envelope,
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
        extension::ClientId,
    },
};

use crate::config::Secret;

/// How long one SMTP exchange may take; well under the worker's claim lease.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection, upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No encryption: only for relays on the same machine or network.
    None,
}

#[derive(Debug, Clone)]
pub enum TransportConfig {
    /// `.eml` files in `<data dir>/mail`.
    Files,
    Smtp {
        host: String,
        port: u16,
        tls: SmtpTls,
        username: Option<String>,
        password: Option<Secret>,
    },
}

impl TransportConfig {
    /// Parses an `smtp://` or `smtps://` URL; the error says what is wrong (never the password).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url =
            url::Url::parse(raw).map_err(|_| "is not a URL like smtp://user:pass@host:587?tls=starttls".to_owned())?;
        let implicit_scheme = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            _ => return Err("must start with smtp:// or smtps://".into()),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("names no host")?.to_owned();
        let mut tls = if implicit_scheme { SmtpTls::Implicit } else { SmtpTls::StartTls };
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "starttls") => tls = SmtpTls::StartTls,
                ("tls", "implicit") => tls = SmtpTls::Implicit,
                ("tls", "none") if !implicit_scheme => tls = SmtpTls::None,
                ("tls", other) => return Err(format!("tls=`{other}` is not one of starttls, implicit, none")),
                (other, _) => return Err(format!("unknown parameter `{other}` (only tls=starttls|implicit|none)")),
            }
        }
        let port = url.port().unwrap_or(match tls {
            SmtpTls::StartTls => 587,
            SmtpTls::Implicit => 465,
            SmtpTls::None => 25,
        });
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|v| v.into_owned());
        let username = Some(url.username()).filter(|u| !u.is_empty()).and_then(decode);
        let password = url.password().and_then(decode).map(Secret::new);
        Ok(Self::Smtp { host, port, tls, username, password })
    }
}

/// A ready transport.
pub enum Transport {
    Files(PathBuf),
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
}

impl Transport {
    pub fn new(config: &TransportConfig, data_dir: &std::path::Path, hello_name: &str) -> anyhow::Result<Self> {
        Ok(match config {
            TransportConfig::Files => Self::Files(data_dir.join("mail")),
            TransportConfig::Smtp { host, port, tls, username, password } => {
                let tls = match tls {
                    SmtpTls::None => Tls::None,
                    SmtpTls::StartTls => Tls::Required(TlsParameters::new(host.clone())?),
                    SmtpTls::Implicit => Tls::Wrapper(TlsParameters::new(host.clone())?),
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
                    .port(*port)
                    .tls(tls)
                    .timeout(Some(SMTP_TIMEOUT))
                    .hello_name(ClientId::Domain(hello_name.to_owned()));
                if let (Some(user), Some(pass)) = (username, password) {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.expose().to_owned()));
                }
                Self::Smtp(Box::new(builder.build()))
            }
        })
    }

    /// Whether mail could leave now (for `rapport check`): the relay answers and accepts
    /// our greeting (and credentials, when set), or the mail folder is writable.
    pub async fn check(&self) -> Result<String, String> {
        match self {
            Self::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| format!("creating {}: {e}", dir.display()))?;
                let probe = dir.join(".rapport-check");
                tokio::fs::write(&probe, b"").await.map_err(|e| format!("writing into {}: {e}", dir.display()))?;
                let _ = tokio::fs::remove_file(&probe).await;
                Ok(format!("mail written as .eml files into {}", dir.display()))
            }
            Self::Smtp(transport) => match transport.test_connection().await {
                Ok(true) => Ok("relay answered".to_owned()),
                Ok(false) => Err("the relay did not accept the connection".to_owned()),
                Err(err) => Err(err.to_string()),
            },
        }
    }

    /// Delivers `raw` (a complete RFC 5322 message) from `from` to `to`. The file name is
    /// the outbox id, so a retry overwrites instead of duplicating.
    pub async fn send(&self, outbox_id: uuid::Uuid, from: &str, to: &str, raw: &[u8]) -> Result<(), String> {
        match self {
            Self::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| format!("creating {}: {e}", dir.display()))?;
                let path = dir.join(format!("{outbox_id}.eml"));
                let partial = dir.join(format!(".{outbox_id}.eml.partial"));
                tokio::fs::write(&partial, raw).await.map_err(|e| format!("writing {}: {e}", partial.display()))?;
                tokio::fs::rename(&partial, &path).await.map_err(|e| format!("writing {}: {e}", path.display()))
            }
            Self::Smtp(transport) => {
                let from = from.parse().map_err(|e| format!("sender {from}: {e}"))?;
                let to = to.parse().map_err(|e| format!("recipient {to}: {e}"))?;
                let envelope = Envelope::new(Some(from), vec![to]).map_err(|e| e.to_string())?;
                transport.send_raw(&envelope, raw).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_parse_with_their_tls_mode() {
        let TransportConfig::Smtp { host, port, tls, username, password } =
            TransportConfig::parse("smtp://me%40x.com:p%40ss@mail.example.com:2525?tls=starttls").unwrap()
        else {
            panic!()
        };
        assert_eq!((host.as_str(), port, tls), ("mail.example.com", 2525, SmtpTls::StartTls));
        assert_eq!(username.as_deref(), Some("me@x.com"));
        assert_eq!(password.unwrap().expose(), "p@ss");
        assert!(matches!(
            TransportConfig::parse("smtps://h").unwrap(),
            TransportConfig::Smtp { port: 465, tls: SmtpTls::Implicit, .. }
        ));
        assert!(matches!(
            TransportConfig::parse("smtp://h?tls=none").unwrap(),
            TransportConfig::Smtp { port: 25, tls: SmtpTls::None, .. }
        ));
        assert!(TransportConfig::parse("smtp://h?tls=maybe").is_err());
        assert!(TransportConfig::parse("smtps://h?tls=none").is_err());
        assert!(TransportConfig::parse("smtp://h?foo=1").is_err());
    }
}
