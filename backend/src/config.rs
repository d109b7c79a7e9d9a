//! Configuration from environment variables, parsed once at start-up.
//!
//! Every variable is documented in the README with its default. A bad value stops
//! start-up with one line naming the variable and what is wrong with it.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

/// Everything `rapport` needs to start.
#[derive(Clone)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// The URL browsers and integrations use to reach this server (no trailing slash).
    /// Used in embed snippets, email links and to recognise our own origin.
    pub public_url: String,
    /// Where the SQLite database and the mail folder live by default.
    pub data_dir: PathBuf,
    /// `sqlite:…` or `postgres://…`.
    pub database_url: Secret,
    /// Redis for the bus and presence between nodes; `None` runs them in process.
    pub redis_url: Option<Secret>,
    /// Prepended to every Redis key and channel, so several deployments (or test runs)
    /// can share one Redis without seeing each other.
    pub redis_prefix: String,
    /// SMTP relay; `None` writes mail as `.eml` files into `<data_dir>/mail`.
    pub smtp_url: Option<Secret>,
    /// Whether anyone may create a workspace through `POST /api/v1/signup`.
    pub signup: SignupPolicy,
    /// Largest request body accepted by the REST API, in bytes.
    pub max_body_bytes: usize,
    /// `RAPPORT_ATTACHMENT_MAX_BYTES`: largest attachment upload. Upload requests may
    /// exceed `max_body_bytes` up to this size.
    pub attachment_max_bytes: usize,
    /// `RAPPORT_WIDGET_DIR`: the built widget (`dist/widget`: loader, frame page, wasm) on
    /// disk, the console beside it, so a rebuilt front-end needs no server rebuild. `None`:
    /// the front-ends embedded in this binary (release builds), else the source tree's
    /// `dist/` (see `static_files`).
    pub widget_dir: Option<PathBuf>,
    /// `RAPPORT_ROUTING_INTERVAL_MS`: how often each node looks at the queue, besides
    /// right after local events (another node's events are seen on this tick).
    pub routing_interval: Duration,
    /// `RAPPORT_AGENT_OFFLINE_GRACE_SECS`: how long an agent may be offline before their
    /// open conversations go back to the queue (a reload or a short network drop is not
    /// leaving).
    pub agent_offline_grace: Duration,
    /// Email follow-up: transport, sender, reply domain, worker timings.
    pub mail: crate::mail::MailSettings,
    /// Webhook delivery: SSRF guard, retries, disabling (`RAPPORT_WEBHOOKS_*`).
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Per-credential request rate limits (`RAPPORT_RATE_LIMIT_*`).
    pub rate_limit: crate::rate_limit::RateLimitSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupPolicy {
    Open,
    Closed,
}

/// A value that must never appear in logs (database passwords live in URLs).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A configuration variable with an unusable value.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

pub(crate) fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { variable, problem: problem.into() }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply variables without touching
    /// the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let bind: SocketAddr = match get("RAPPORT_BIND") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(value) => value
                .parse()
                .map_err(|_| invalid("RAPPORT_BIND", format!("`{value}` is not an address like 127.0.0.1:8080")))?,
        };

        let public_url = match get("RAPPORT_PUBLIC_URL") {
            None => default_public_url(bind),
            Some(value) => parse_public_url(&value)?,
        };

        let data_dir = PathBuf::from(get("RAPPORT_DATA_DIR").unwrap_or_else(|| "./rapport-data".into()));

        let database_url = match get("RAPPORT_DATABASE_URL") {
            None => format!("sqlite://{}", data_dir.join("rapport.db").display()),
            Some(value) => {
                let known = ["sqlite:", "postgres://", "postgresql://"];
                if !known.iter().any(|prefix| value.starts_with(prefix)) {
                    return Err(invalid(
                        "RAPPORT_DATABASE_URL",
                        "must start with sqlite:, postgres:// or postgresql://",
                    ));
                }
                value
            }
        };

        let redis_url = match get("RAPPORT_REDIS_URL") {
            None => None,
            Some(value) if value.starts_with("redis://") || value.starts_with("rediss://") => Some(Secret::new(value)),
            Some(_) => return Err(invalid("RAPPORT_REDIS_URL", "must start with redis:// or rediss://")),
        };

        let redis_prefix = get("RAPPORT_REDIS_PREFIX").unwrap_or_else(|| "rapport:".to_owned());
        if redis_prefix.len() > 100 || redis_prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("RAPPORT_REDIS_PREFIX", "must be at most 100 characters without spaces"));
        }

        let smtp_url = match get("RAPPORT_SMTP_URL") {
            None => None,
            Some(value) if value.starts_with("smtp://") || value.starts_with("smtps://") => Some(Secret::new(value)),
            Some(_) => return Err(invalid("RAPPORT_SMTP_URL", "must start with smtp:// or smtps://")),
        };

        let signup = match get("RAPPORT_SIGNUP").as_deref() {
            None | Some("open") => SignupPolicy::Open,
            Some("closed") => SignupPolicy::Closed,
            Some(other) => {
                return Err(invalid("RAPPORT_SIGNUP", format!("`{other}` is neither `open` nor `closed`")));
            }
        };

        let max_body_bytes = match get("RAPPORT_MAX_BODY_BYTES") {
            None => 1024 * 1024,
            Some(value) => match value.parse::<usize>() {
                Ok(n) if (1024..=100 * 1024 * 1024).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "RAPPORT_MAX_BODY_BYTES",
                        format!("`{value}` is not a byte count between 1024 and 104857600"),
                    ));
                }
            },
        };

        let attachment_max_bytes = match get("RAPPORT_ATTACHMENT_MAX_BYTES") {
            None => 10 * 1024 * 1024,
            Some(value) => match value.parse::<usize>() {
                Ok(n) if (1024..=100 * 1024 * 1024).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "RAPPORT_ATTACHMENT_MAX_BYTES",
                        format!("`{value}` is not a byte count between 1024 and 104857600"),
                    ));
                }
            },
        };

        let widget_dir = get("RAPPORT_WIDGET_DIR").map(PathBuf::from);

        let routing_interval = Duration::from_millis(match get("RAPPORT_ROUTING_INTERVAL_MS") {
            None => 2_000,
            Some(value) => match value.parse::<u64>() {
                Ok(n) if (50..=60_000).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "RAPPORT_ROUTING_INTERVAL_MS",
                        format!("`{value}` is not between 50 and 60000"),
                    ));
                }
            },
        });

        let agent_offline_grace = Duration::from_secs(match get("RAPPORT_AGENT_OFFLINE_GRACE_SECS") {
            None => 180,
            Some(value) => match value.parse::<u64>() {
                Ok(n) if n <= 86_400 => n,
                _ => {
                    return Err(invalid(
                        "RAPPORT_AGENT_OFFLINE_GRACE_SECS",
                        format!("`{value}` is not a number of seconds up to 86400"),
                    ));
                }
            },
        });
        let mail = crate::mail::MailSettings::from_lookup(&get, &public_url, smtp_url.as_ref())?;

        Ok(Self {
            bind,
            public_url,
            data_dir,
            database_url: Secret::new(database_url),
            redis_url,
            redis_prefix,
            smtp_url,
            signup,
            max_body_bytes,
            attachment_max_bytes,
            widget_dir,
            routing_interval,
            agent_offline_grace,
            mail,
            webhooks: crate::webhooks::WebhookSettings::from_lookup(&get)?,
            rate_limit: crate::rate_limit::RateLimitSettings::from_lookup(&get)?,
        })
    }
}

fn default_public_url(bind: SocketAddr) -> String {
    // A wildcard bind address is not something a browser can reach; localhost is.
    let host = if bind.ip().is_unspecified() { "localhost".to_owned() } else { bind.ip().to_string() };
    let host = if bind.is_ipv6() && !bind.ip().is_unspecified() { format!("[{host}]") } else { host };
    format!("http://{host}:{}", bind.port())
}

fn parse_public_url(value: &str) -> Result<String, ConfigError> {
    let trimmed = value.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| invalid("RAPPORT_PUBLIC_URL", "must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(invalid(
            "RAPPORT_PUBLIC_URL",
            format!("`{value}` is not a base URL like https://chat.example.com"),
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_need_no_configuration() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.database_url.expose(), "sqlite://./rapport-data/rapport.db");
        assert!(s.redis_url.is_none() && s.smtp_url.is_none());
        assert_eq!(s.signup, SignupPolicy::Open);
    }

    #[test]
    fn wildcard_bind_gets_a_reachable_public_url() {
        let s = settings(&[("RAPPORT_BIND", "0.0.0.0:9000")]).unwrap();
        assert_eq!(s.public_url, "http://localhost:9000");
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        for (variable, value) in [
            ("RAPPORT_BIND", "localhost"),
            ("RAPPORT_PUBLIC_URL", "chat.example.com"),
            ("RAPPORT_DATABASE_URL", "mysql://x"),
            ("RAPPORT_REDIS_URL", "localhost:6379"),
            ("RAPPORT_SMTP_URL", "mail.example.com"),
            ("RAPPORT_SIGNUP", "maybe"),
            ("RAPPORT_MAX_BODY_BYTES", "lots"),
            ("RAPPORT_ATTACHMENT_MAX_BYTES", "100"),
        ] {
            let err = settings(&[(variable, value)]).err().expect(variable);
            assert_eq!(err.variable, variable);
            assert!(err.to_string().starts_with(&format!("invalid configuration: {variable}: ")));
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let s = settings(&[("RAPPORT_DATABASE_URL", "postgres://u:hunter2@db/rapport")]).unwrap();
        assert!(!format!("{:?}", s.database_url).contains("hunter2"));
    }
}
