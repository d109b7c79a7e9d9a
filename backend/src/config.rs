//! Configuration from environment variables, parsed once at start-up.
//!
//! Every variable is declared once, in the [`settings_table!`] below: its name, its type
//! (which picks its parser), its default and what it means. The README's configuration
//! table is checked against [`VARIABLES`] by a test, so the two cannot drift. A bad value
//! stops start-up with one line naming the variable and what is wrong with it.

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
    /// `RAPPORT_WORKSPACE_EVENT_BUFFER`: live events a workspace topic holds for its
    /// slowest agent socket on this node before that socket catches up from storage.
    pub workspace_event_buffer: usize,
    /// `RAPPORT_AGENT_OFFLINE_GRACE_SECS`: how long an agent may be offline before their
    /// open conversations go back to the queue (a reload or a short network drop is not
    /// leaving).
    pub agent_offline_grace: Duration,
    /// Email follow-up: transport, sender, reply domain, worker timings.
    pub mail: crate::mail::MailSettings,
    /// Webhook delivery: SSRF guard, retries, disabling (`RAPPORT_WEBHOOKS_*`).
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Per-credential request rate limits (`RAPPORT_RATE_LIMIT_*`).
    pub rate_limit: crate::http::rate_limit::RateLimitSettings,
    /// Throttles of sign-in, sign-up, password resets and widget sessions per client
    /// address and account; the proxies trusted to name the client.
    pub throttle: crate::throttle::ThrottleSettings,
    /// How long agent sessions last unused, and at most (`RAPPORT_SESSION_*`).
    pub sessions: crate::auth::sessions::SessionSettings,
    /// How often the retention worker looks (`RAPPORT_RETENTION_INTERVAL_MS`).
    pub retention: crate::privacy::worker::RetentionSettings,
    /// Who may read `/metrics`, and where.
    pub metrics: crate::health::MetricsSettings,
    /// Limits on the mail visitors can cause (`RAPPORT_VISITOR_MAIL_*`).
    pub visitor_mail: crate::visitor_mail::VisitorMailSettings,
    /// How many passwords are hashed at once and how many may wait
    /// (`RAPPORT_PASSWORD_HASHING_THREADS`, `RAPPORT_PASSWORD_HASHING_QUEUE`).
    pub hashing: crate::auth::hashing::HashingSettings,
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

/// One variable as documented: what the README's configuration table shows.
#[derive(Debug, Clone, Copy)]
pub struct Variable {
    pub name: &'static str,
    /// The default as the README shows it.
    pub default: &'static str,
    pub meaning: &'static str,
}

/// Declares every variable once. For each: `///` text (the README's "meaning"), the field
/// of [`Env`] and its type (whose [`Parse`] impl is the one parser for that kind of value),
/// the variable's name, the default value, and the default as documented.
macro_rules! settings_table {
    ($(
        $(#[doc = $doc:literal])+
        $field:ident: $ty:ty = $name:literal, default $default:expr, shown $shown:literal;
    )*) => {
        /// Every variable as read from the environment, each parsed by its type's parser
        /// (unset or blank: the default). [`Settings`] is built from this.
        pub struct Env {
            $( pub $field: $ty, )*
        }

        impl Env {
            pub fn read(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
                Ok(Self { $( $field: read(lookup, $name, || $default)?, )* })
            }
        }

        /// Every variable, in the README's order.
        pub const VARIABLES: &[Variable] = &[
            $( Variable { name: $name, default: $shown, meaning: concat!($($doc),+) }, )*
        ];
    };
}

/// Reads one variable: unset or blank is the default, anything else must parse.
fn read<T: Parse>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: impl FnOnce() -> T,
) -> Result<T, ConfigError> {
    match lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        None => Ok(default()),
        Some(value) => T::parse(&value).map_err(|problem| invalid(name, problem)),
    }
}

settings_table! {
    /// address to listen on
    bind: SocketAddr = "RAPPORT_BIND", default SocketAddr::from(([127, 0, 0, 1], 8080)), shown "`127.0.0.1:8080`";
    /// the URL browsers use to reach Rapport: embed snippets, email links, own origin
    public_url: Option<BaseUrl> = "RAPPORT_PUBLIC_URL", default None,
        shown "`http://<bind address>` (`localhost` for `0.0.0.0`)";
    /// SQLite database and local mail live here
    data_dir: PathBuf = "RAPPORT_DATA_DIR", default PathBuf::from("./rapport-data"), shown "`./rapport-data`";
    /// `sqlite:…` or `postgres://user:pass@host/db` (TLS when the server offers it; `?sslmode=…` to
    /// choose: [PostgreSQL and TLS](#postgresql-and-tls))
    database_url: Option<DatabaseUrl> = "RAPPORT_DATABASE_URL", default None,
        shown "`sqlite://<data dir>/rapport.db`";
    /// `redis://…`: Redis pub/sub carries events between nodes and holds presence, so several
    /// nodes on one PostgreSQL behave as one system
    redis_url: Option<RedisUrl> = "RAPPORT_REDIS_URL", default None, shown "unset: in-process bus and presence";
    /// prefix of every Redis key and channel (several deployments can share one Redis)
    redis_prefix: KeyPrefix = "RAPPORT_REDIS_PREFIX", default KeyPrefix("rapport:".into()), shown "`rapport:`";
    /// `smtp://user:pass@host:587?tls=starttls` (STARTTLS, the default for `smtp://`),
    /// `smtps://user:pass@host:465` or `?tls=implicit` (TLS from the first byte),
    /// `smtp://relay:25?tls=none` (plain, for a local relay)
    smtp_url: Option<SmtpUrl> = "RAPPORT_SMTP_URL", default None,
        shown "unset: mail written as `.eml` files in `<data dir>/mail`";
    /// default sender address (each site can set its own)
    mail_from: Option<MailAddress> = "RAPPORT_MAIL_FROM", default None,
        shown "`noreply@<public URL host>` (`localhost` for an IP)";
    /// domain of reply addresses `reply+<token>@<domain>`: route it to `POST /api/v1/inbound/email`
    mail_inbound_domain: Option<MailDomain> = "RAPPORT_MAIL_INBOUND_DOMAIN", default None,
        shown "the sender's domain";
    /// how long a visitor has to read a reply before it is mailed to them
    mail_continuity_delay: Millis<0, 604_800_000> = "RAPPORT_MAIL_CONTINUITY_DELAY_MS",
        default Millis::of(300_000), shown "`300000` (5 min)";
    /// how often each node's mail worker looks for due mail
    mail_poll: Millis<10, 600_000> = "RAPPORT_MAIL_POLL_MS", default Millis::of(2_000), shown "`2000`";
    /// first retry delay after a failed send, doubled each time (at most 1 h)
    mail_retry: Millis<10, 3_600_000> = "RAPPORT_MAIL_RETRY_MS", default Millis::of(30_000), shown "`30000`";
    /// attempts before a mail is marked `failed`
    mail_max_attempts: Number<1, 50> = "RAPPORT_MAIL_MAX_ATTEMPTS", default Number(8), shown "`8`";
    /// `closed` disables `POST /api/v1/signup`
    signup: SignupPolicy = "RAPPORT_SIGNUP", default SignupPolicy::Open, shown "`open`";
    /// largest REST request body (1 KiB to 100 MiB)
    max_body_bytes: Number<1024, 104_857_600> = "RAPPORT_MAX_BODY_BYTES", default Number(1_048_576),
        shown "`1048576`";
    /// largest attachment upload (1 KiB to 100 MiB); uploads may exceed `RAPPORT_MAX_BODY_BYTES` up to
    /// this; the bytes are stored in the database
    attachment_max_bytes: Number<1024, 104_857_600> = "RAPPORT_ATTACHMENT_MAX_BYTES",
        default Number(10_485_760), shown "`10485760` (10 MiB)";
    /// a built widget on disk (loader, frame page, wasm, with their `.br`/`.gz` variants) served at
    /// `/widget.js` and `/widget/…`, the console from the `agent-console` directory beside it; for
    /// development, so a rebuilt front-end needs no server rebuild. Without any build those answer 503
    /// with what to do
    widget_dir: Option<PathBuf> = "RAPPORT_WIDGET_DIR", default None,
        shown "unset: the front-ends built into the binary (release builds), else `./dist/widget` if it exists, else the source tree's `dist/widget`";
    /// how often each node looks at the queue besides right after its own events (50–60000);
    /// another node's new conversations are picked up on this tick
    routing_interval: Millis<50, 60_000> = "RAPPORT_ROUTING_INTERVAL_MS", default Millis::of(2_000),
        shown "`2000`";
    /// live events a workspace's topic holds for a busy agent socket on each node; a socket that
    /// falls further behind catches up from the database (memory: about 40 bytes per slot)
    workspace_event_buffer: Number<16, 1_000_000> = "RAPPORT_WORKSPACE_EVENT_BUFFER", default Number(1024),
        shown "`1024`";
    /// how long an agent may be gone (no console open, or status offline) before their open
    /// conversations go back to the queue; a reload or short drop does not count
    agent_offline_grace: Seconds<0, 86_400> = "RAPPORT_AGENT_OFFLINE_GRACE_SECS", default Seconds::of(180),
        shown "`180`";
    /// `json` for structured JSON logs
    log_format: LogFormat = "RAPPORT_LOG_FORMAT", default LogFormat::Human, shown "human-readable";
    /// sustained REST requests per minute per credential (API key, session, visitor token); `0`
    /// turns limiting off, and with it the throttles per address and account below that are not set
    /// themselves (benchmarks and load tests that start thousands of visitors from one address)
    rate_limit_per_minute: Number<0, 1_000_000> = "RAPPORT_RATE_LIMIT_PER_MINUTE", default Number(1200),
        shown "`1200`";
    /// requests a credential may make at once before the rate applies
    rate_limit_burst: Number<1, 1_000_000> = "RAPPORT_RATE_LIMIT_BURST", default Number(600), shown "`600`";
    /// addresses or networks of your reverse proxies, comma-separated (`127.0.0.1, 10.0.0.0/8`):
    /// their `X-Forwarded-For` names the client for the throttles below (walked from the right;
    /// whatever a client writes itself is never read)
    trusted_proxies: crate::throttle::TrustedProxies = "RAPPORT_TRUSTED_PROXIES",
        default crate::throttle::TrustedProxies::default(), shown "unset: `X-Forwarded-For` ignored";
    /// sign-ins, and password-reset requests, per client address per minute (an IPv6 client is
    /// its /64); over it, `429 too_many_attempts` with `Retry-After`; `0` turns it off
    auth_attempts_per_minute: Option<Number<0, 1_000_000>> = "RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", default None,
        shown "`10` (`0` when `RAPPORT_RATE_LIMIT_PER_MINUTE` is `0`)";
    /// sign-ins at one email per hour, from every address together (checked after the address's
    /// own limit, so one noisy address cannot lock the owner out); `0` turns it off
    signin_attempts_per_account_per_hour: Option<Number<0, 1_000_000>> =
        "RAPPORT_SIGNIN_ATTEMPTS_PER_ACCOUNT_PER_HOUR", default None,
        shown "`20` (`0` when `RAPPORT_RATE_LIMIT_PER_MINUTE` is `0`)";
    /// workspaces one client address may create per hour; `0` turns it off
    signups_per_hour: Option<Number<0, 1_000_000>> = "RAPPORT_SIGNUPS_PER_HOUR", default None,
        shown "`10` (`0` when `RAPPORT_RATE_LIMIT_PER_MINUTE` is `0`)";
    /// new visitors (`POST /widget/session` without a valid token) per client address per minute;
    /// returning visitors are not counted; `0` turns it off
    widget_sessions_per_minute: Option<Number<0, 1_000_000>> = "RAPPORT_WIDGET_SESSIONS_PER_MINUTE",
        default None, shown "`60` (`0` when `RAPPORT_RATE_LIMIT_PER_MINUTE` is `0`)";
    /// passwords hashed at once (argon2id, 19 MiB each), on threads of their own
    password_hashing_threads: Option<Number<1, 64>> = "RAPPORT_PASSWORD_HASHING_THREADS", default None,
        shown "the CPU count (at most 8)";
    /// passwords that may wait for a hashing thread; beyond it, or after 10 s of waiting, `503 busy`
    /// with `Retry-After`
    password_hashing_queue: Number<1, 10_000> = "RAPPORT_PASSWORD_HASHING_QUEUE", default Number(64),
        shown "`64`";
    /// an agent session unused this long has ended (sign in again)
    session_idle_hours: Number<1, 8760> = "RAPPORT_SESSION_IDLE_HOURS", default Number(72), shown "`72`";
    /// however used, a session ends this long after sign-in (the cookie's `Max-Age`)
    session_max_days: Number<1, 365> = "RAPPORT_SESSION_MAX_DAYS", default Number(14), shown "`14`";
    /// mails the visitors of one site may cause per hour, together: transcripts, the confirmation
    /// mails of new addresses, the team's mail about offline messages; over it requests are
    /// refused (`429 too_many_attempts`; offline messages are kept, unmailed) and the workspace's
    /// owners are told, at most hourly; `0` turns it off
    visitor_mail_per_site_per_hour: Number<0, 1_000_000> = "RAPPORT_VISITOR_MAIL_PER_SITE_PER_HOUR",
        default Number(30), shown "`30`";
    /// mails visitors may cause to one address a visitor typed (transcripts, confirmation mails) per
    /// day, across every site; `0` turns it off
    visitor_mail_per_recipient_per_day: Number<0, 1_000_000> = "RAPPORT_VISITOR_MAIL_PER_RECIPIENT_PER_DAY",
        default Number(3), shown "`3`";
    /// how often each node deletes what workspaces no longer keep (`retention_days`) and uploads
    /// never sent (after a day)
    retention_interval: Millis<50, 86_400_000> = "RAPPORT_RETENTION_INTERVAL_MS",
        default Millis::of(3_600_000), shown "`3600000` (1 h)";
    /// opens `GET /metrics` to `Authorization: Bearer <this token>` (16+ characters)
    metrics_token: Option<crate::health::MetricsToken> = "RAPPORT_METRICS_TOKEN", default None, shown "unset";
    /// serves `/metrics` (only) on this address instead, e.g. a private interface; the public
    /// address then has none. With neither set, `/metrics` answers 404 `metrics_off`
    metrics_bind: Option<SocketAddr> = "RAPPORT_METRICS_BIND", default None, shown "unset";
    /// `true` lets webhook URLs resolve to loopback, private, link-local or unspecified addresses
    /// (tests; trusted internal receivers)
    webhooks_allow_private: bool = "RAPPORT_WEBHOOKS_ALLOW_PRIVATE", default false, shown "`false`";
    /// attempts per webhook delivery before it is marked `failed`
    webhooks_max_attempts: Number<1, 100> = "RAPPORT_WEBHOOKS_MAX_ATTEMPTS", default Number(10), shown "`10`";
    /// delay before the first retry, doubled for each further one (at most 1 h)
    webhooks_retry_base: Millis<0, 3_600_000> = "RAPPORT_WEBHOOKS_RETRY_BASE_MS", default Millis::of(30_000),
        shown "`30000`";
    /// consecutive failed attempts after which a subscription is disabled…
    webhooks_disable_after_failures: Number<1, 100_000> = "RAPPORT_WEBHOOKS_DISABLE_AFTER_FAILURES",
        default Number(50), shown "`50`";
    /// …once it has also been failing for this long
    webhooks_disable_after: Seconds<0, 31_536_000> = "RAPPORT_WEBHOOKS_DISABLE_AFTER_SECS",
        default Seconds::of(432_000), shown "`432000` (5 days)";
    /// how often each node looks for due deliveries
    webhooks_poll: Millis<10, 60_000> = "RAPPORT_WEBHOOKS_POLL_MS", default Millis::of(1_000), shown "`1000`";
    /// time allowed for one webhook request
    webhooks_timeout: Seconds<1, 300> = "RAPPORT_WEBHOOKS_TIMEOUT_SECS", default Seconds::of(10), shown "`10`";
    /// how long the previous secret keeps signing after a rotation
    webhooks_rotation_grace: Seconds<0, 2_592_000> = "RAPPORT_WEBHOOKS_ROTATION_GRACE_SECS",
        default Seconds::of(86_400), shown "`86400`";
    /// log levels, `tracing` filter syntax
    rust_log: Option<String> = "RUST_LOG", default None, shown "`info`";
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply variables without touching
    /// the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env::read(&lookup)?;
        let bind = env.bind;
        // Defaults that depend on other settings.
        let public_url = env.public_url.as_ref().map_or_else(|| default_public_url(bind), |url| url.0.clone());
        let database_url = match &env.database_url {
            Some(url) => url.0.clone(),
            None => format!("sqlite://{}", env.data_dir.join("rapport.db").display()),
        };
        let smtp_url = env.smtp_url.as_ref().map(|url| Secret::new(url.0.clone()));
        let mail = crate::mail::MailSettings::from_env(&env, &public_url, smtp_url.as_ref())?;
        Ok(Self {
            bind,
            public_url,
            data_dir: env.data_dir.clone(),
            database_url: Secret::new(database_url),
            redis_url: env.redis_url.as_ref().map(|url| Secret::new(url.0.clone())),
            redis_prefix: env.redis_prefix.0.clone(),
            smtp_url,
            signup: env.signup,
            max_body_bytes: env.max_body_bytes.as_usize(),
            attachment_max_bytes: env.attachment_max_bytes.as_usize(),
            widget_dir: env.widget_dir.clone(),
            routing_interval: env.routing_interval.0,
            workspace_event_buffer: env.workspace_event_buffer.as_usize(),
            agent_offline_grace: env.agent_offline_grace.0,
            mail,
            webhooks: crate::webhooks::WebhookSettings::from_env(&env),
            rate_limit: crate::http::rate_limit::RateLimitSettings::from_env(&env),
            throttle: crate::throttle::ThrottleSettings::from_env(&env),
            metrics: crate::health::MetricsSettings::from_env(&env),
            retention: crate::privacy::worker::RetentionSettings::from_env(&env),
            sessions: crate::auth::sessions::SessionSettings::from_env(&env)?,
            hashing: crate::auth::hashing::HashingSettings::from_env(&env),
            visitor_mail: crate::visitor_mail::VisitorMailSettings::from_env(&env),
        })
    }
}

/// The one parser for a kind of value; its error is the problem, the caller adds the name.
pub trait Parse: Sized {
    fn parse(value: &str) -> Result<Self, String>;
}

impl<T: Parse> Parse for Option<T> {
    fn parse(value: &str) -> Result<Self, String> {
        T::parse(value).map(Some)
    }
}

impl Parse for String {
    fn parse(value: &str) -> Result<Self, String> {
        Ok(value.to_owned())
    }
}

impl Parse for PathBuf {
    fn parse(value: &str) -> Result<Self, String> {
        Ok(PathBuf::from(value))
    }
}

impl Parse for bool {
    fn parse(value: &str) -> Result<Self, String> {
        match value {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("`{other}` is neither true nor false")),
        }
    }
}

impl Parse for SocketAddr {
    fn parse(value: &str) -> Result<Self, String> {
        value.parse().map_err(|_| format!("`{value}` is not an address like 127.0.0.1:8080"))
    }
}

impl Parse for SignupPolicy {
    fn parse(value: &str) -> Result<Self, String> {
        match value {
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            other => Err(format!("`{other}` is neither `open` nor `closed`")),
        }
    }
}

/// How logs are written (`RAPPORT_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

impl Parse for LogFormat {
    fn parse(value: &str) -> Result<Self, String> {
        match value {
            "json" => Ok(Self::Json),
            "human" => Ok(Self::Human),
            other => Err(format!("`{other}` is neither `json` nor `human`")),
        }
    }
}

/// A whole number from `MIN` to `MAX`.
#[derive(Debug, Clone, Copy)]
pub struct Number<const MIN: u64, const MAX: u64>(pub u64);

impl<const MIN: u64, const MAX: u64> Number<MIN, MAX> {
    pub fn as_usize(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

/// `unit` is `""` or a phrase like `" of milliseconds"`, for the error message.
fn in_range<const MIN: u64, const MAX: u64>(value: &str, unit: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (MIN..=MAX).contains(n))
        .ok_or_else(|| format!("`{value}` is not a whole number{unit} from {MIN} to {MAX}"))
}

impl<const MIN: u64, const MAX: u64> Parse for Number<MIN, MAX> {
    fn parse(value: &str) -> Result<Self, String> {
        in_range::<MIN, MAX>(value, "").map(Self)
    }
}

/// A duration given in milliseconds, from `MIN` to `MAX`.
#[derive(Debug, Clone, Copy)]
pub struct Millis<const MIN: u64, const MAX: u64>(pub Duration);

impl<const MIN: u64, const MAX: u64> Millis<MIN, MAX> {
    const fn of(millis: u64) -> Self {
        Self(Duration::from_millis(millis))
    }
}

impl<const MIN: u64, const MAX: u64> Parse for Millis<MIN, MAX> {
    fn parse(value: &str) -> Result<Self, String> {
        in_range::<MIN, MAX>(value, " of milliseconds").map(Self::of)
    }
}

/// A duration given in seconds, from `MIN` to `MAX`.
#[derive(Debug, Clone, Copy)]
pub struct Seconds<const MIN: u64, const MAX: u64>(pub Duration);

impl<const MIN: u64, const MAX: u64> Seconds<MIN, MAX> {
    const fn of(seconds: u64) -> Self {
        Self(Duration::from_secs(seconds))
    }
}

impl<const MIN: u64, const MAX: u64> Parse for Seconds<MIN, MAX> {
    fn parse(value: &str) -> Result<Self, String> {
        in_range::<MIN, MAX>(value, " of seconds").map(Self::of)
    }
}

/// `http(s)://host[:port][/path]`, kept without a trailing slash.
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

impl Parse for BaseUrl {
    fn parse(value: &str) -> Result<Self, String> {
        let trimmed = value.trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .ok_or("must start with http:// or https://")?;
        if rest.is_empty() || rest.contains(['?', '#', ' ']) {
            return Err(format!("`{value}` is not a base URL like https://chat.example.com"));
        }
        Ok(Self(trimmed.to_owned()))
    }
}

/// A URL with one of a few schemes; its text is a secret (passwords live in URLs).
fn with_scheme(value: &str, schemes: &[&str]) -> Result<String, String> {
    if schemes.iter().any(|scheme| value.starts_with(scheme)) {
        return Ok(value.to_owned());
    }
    Err(match schemes.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("must start with {} or {last}", rest.join(", ")),
        _ => format!("must start with {}", schemes.concat()),
    })
}

/// `sqlite:…` or `postgres://…`.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl Parse for DatabaseUrl {
    fn parse(value: &str) -> Result<Self, String> {
        with_scheme(value, &["sqlite:", "postgres://", "postgresql://"]).map(Self)
    }
}

/// `redis://…` or `rediss://…`.
#[derive(Clone)]
pub struct RedisUrl(String);

impl Parse for RedisUrl {
    fn parse(value: &str) -> Result<Self, String> {
        with_scheme(value, &["redis://", "rediss://"]).map(Self)
    }
}

/// `smtp://…` or `smtps://…` (checked in full by the mail transport).
#[derive(Clone)]
pub struct SmtpUrl(String);

impl Parse for SmtpUrl {
    fn parse(value: &str) -> Result<Self, String> {
        with_scheme(value, &["smtp://", "smtps://"]).map(Self)
    }
}

/// A Redis key prefix: short, no spaces or control characters.
#[derive(Debug, Clone)]
pub struct KeyPrefix(pub String);

impl Parse for KeyPrefix {
    fn parse(value: &str) -> Result<Self, String> {
        if value.len() > 100 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must be at most 100 characters without spaces".into());
        }
        Ok(Self(value.to_owned()))
    }
}

/// An email address.
#[derive(Debug, Clone)]
pub struct MailAddress(pub String);

impl Parse for MailAddress {
    fn parse(value: &str) -> Result<Self, String> {
        value.parse::<lettre::Address>().map_err(|_| format!("`{value}` is not an email address"))?;
        Ok(Self(value.to_owned()))
    }
}

/// A mail domain (lower-cased).
#[derive(Debug, Clone)]
pub struct MailDomain(pub String);

impl Parse for MailDomain {
    fn parse(value: &str) -> Result<Self, String> {
        format!("reply@{value}").parse::<lettre::Address>().map_err(|_| format!("`{value}` is not a mail domain"))?;
        Ok(Self(value.to_lowercase()))
    }
}

/// The README's configuration table, as it must read (checked by a test).
pub fn readme_table() -> String {
    let mut table = String::from("| variable | default | meaning |\n| --- | --- | --- |\n");
    for variable in VARIABLES {
        table.push_str(&format!("| `{}` | {} | {} |\n", variable.name, variable.default, variable.meaning.trim()));
    }
    table
}

fn default_public_url(bind: SocketAddr) -> String {
    // A wildcard bind address is not something a browser can reach; localhost is.
    let host = if bind.ip().is_unspecified() { "localhost".to_owned() } else { bind.ip().to_string() };
    let host = if bind.is_ipv6() && !bind.ip().is_unspecified() { format!("[{host}]") } else { host };
    format!("http://{host}:{}", bind.port())
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
        assert_eq!(s.max_body_bytes, 1_048_576);
        assert_eq!(s.mail.continuity_delay, Duration::from_secs(300));
        assert_eq!(s.webhooks.disable_after, Duration::from_secs(5 * 86_400));
        assert_eq!((s.rate_limit.per_minute, s.rate_limit.burst), (1200, 600));
    }

    #[test]
    fn turning_rate_limits_off_turns_off_the_throttles_not_set_themselves() {
        let on = settings(&[]).unwrap().throttle;
        assert_eq!(
            (on.auth_per_minute, on.signin_per_account_per_hour, on.signups_per_hour, on.widget_sessions_per_minute),
            (10, 20, 10, 60)
        );
        // What a load test sets: one address starting thousands of visitors and signing in agents.
        let off = settings(&[("RAPPORT_RATE_LIMIT_PER_MINUTE", "0")]).unwrap().throttle;
        assert_eq!(
            (
                off.auth_per_minute,
                off.signin_per_account_per_hour,
                off.signups_per_hour,
                off.widget_sessions_per_minute
            ),
            (0, 0, 0, 0)
        );
        // A throttle set explicitly keeps its value either way.
        let kept = settings(&[("RAPPORT_RATE_LIMIT_PER_MINUTE", "0"), ("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "5")])
            .unwrap()
            .throttle;
        assert_eq!((kept.auth_per_minute, kept.widget_sessions_per_minute), (5, 0));
        let zero = settings(&[("RAPPORT_WIDGET_SESSIONS_PER_MINUTE", "0")]).unwrap().throttle;
        assert_eq!((zero.widget_sessions_per_minute, zero.auth_per_minute), (0, 10));
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
            ("RAPPORT_MAIL_POLL_MS", "5"),
            ("RAPPORT_MAIL_FROM", "not an address"),
            ("RAPPORT_WEBHOOKS_ALLOW_PRIVATE", "yes"),
            ("RAPPORT_WEBHOOKS_TIMEOUT_SECS", "0"),
            ("RAPPORT_RATE_LIMIT_BURST", "-1"),
            ("RAPPORT_LOG_FORMAT", "xml"),
            ("RAPPORT_TRUSTED_PROXIES", "nginx"),
            ("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "-1"),
            ("RAPPORT_PASSWORD_HASHING_THREADS", "0"),
            ("RAPPORT_SESSION_MAX_DAYS", "0"),
            ("RAPPORT_RETENTION_INTERVAL_MS", "10"),
            ("RAPPORT_METRICS_TOKEN", "short"),
            ("RAPPORT_METRICS_BIND", "private"),
        ] {
            let err = settings(&[(variable, value)]).err().expect(variable);
            assert_eq!(err.variable, variable);
            assert!(err.to_string().starts_with(&format!("invalid configuration: {variable}: ")), "{err}");
        }
        let err = settings(&[("RAPPORT_MAIL_POLL_MS", "5")]).err().unwrap();
        assert_eq!(err.problem, "`5` is not a whole number of milliseconds from 10 to 600000");
        let err = settings(&[("RAPPORT_DATABASE_URL", "mysql://x")]).err().unwrap();
        assert_eq!(err.problem, "must start with sqlite:, postgres:// or postgresql://");
        let err = settings(&[("RAPPORT_SESSION_IDLE_HOURS", "400"), ("RAPPORT_SESSION_MAX_DAYS", "14")]).err().unwrap();
        assert_eq!(err.variable, "RAPPORT_SESSION_IDLE_HOURS");
    }

    #[test]
    fn every_variable_is_declared_once() {
        let mut names: Vec<&str> = VARIABLES.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VARIABLES.len());
    }

    #[test]
    fn the_readme_documents_every_variable_as_declared() {
        let readme = include_str!("../../README.md");
        let expected = readme_table();
        assert!(
            readme.contains(&expected),
            "the README's configuration table differs from config.rs; it should read:\n\n{expected}"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let s = settings(&[("RAPPORT_DATABASE_URL", "postgres://u:hunter2@db/rapport")]).unwrap();
        assert!(!format!("{:?}", s.database_url).contains("hunter2"));
        let s = settings(&[("RAPPORT_METRICS_TOKEN", "metrics-token-hunter2")]).unwrap();
        assert!(!format!("{:?}", s.metrics).contains("hunter2"));
    }
}
