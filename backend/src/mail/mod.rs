//! Email follow-up: when nobody is online, or the visitor has left, the conversation
//! continues by email.
//!
//! Every mail starts as a row of the outbox (`mail_outbox`), written in the same
//! transaction as the event that causes it ([`flows`]). The [`worker`] claims due rows
//! with a lease, so of several nodes on one database exactly one works on a row; it
//! decides and renders what a `pending` row becomes ([`prepare`], [`templates`]), then
//! sends the stored bytes ([`transport`]: SMTP, or `.eml` files in the data dir) and
//! retries with exponential backoff. A rendered mail keeps its `Message-ID`, so a retry
//! after an ambiguous failure is the same mail to the receiving side.
//!
//! - [`signing`]: the shared secret; reply addresses, continue links, unsubscribe links.
//! - [`inbound`]: replies by email (`POST /inbound/email`), quoted history stripped.
//! - [`site_settings`]: per-site sender, notification address, transcript on resolve.
//! - [`api`]: the REST operations.

pub mod api;
pub mod flows;
pub mod inbound;
pub mod prepare;
pub mod signing;
pub mod site_settings;
pub mod templates;
pub mod transport;
pub mod worker;

use std::time::Duration;

use openapi::mail::{Mail, MailKind, MailState};
use uuid::Uuid;

use crate::{
    config::{ConfigError, Env, Secret, invalid},
    error::{Error, Result},
    on_pool,
    pagination::PageRequest,
    store::{Millis, Store},
};

pub use transport::TransportConfig;

/// Mail configuration, from `RAPPORT_SMTP_URL` and the `RAPPORT_MAIL_*` variables.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// SMTP relay, or `.eml` files in `<data dir>/mail`.
    pub transport: TransportConfig,
    /// Default sender address (`RAPPORT_MAIL_FROM`).
    pub from_address: String,
    /// Domain of reply addresses `reply+<token>@<domain>` (`RAPPORT_MAIL_INBOUND_DOMAIN`).
    pub inbound_domain: String,
    /// How often the worker looks for due mail (`RAPPORT_MAIL_POLL_MS`).
    pub poll_interval: Duration,
    /// How long a visitor has to read a reply before it is mailed (`RAPPORT_MAIL_CONTINUITY_DELAY_MS`).
    pub continuity_delay: Duration,
    /// First retry delay, doubled on each failure up to an hour (`RAPPORT_MAIL_RETRY_MS`).
    pub retry_base: Duration,
    /// Attempts before a mail is marked failed (`RAPPORT_MAIL_MAX_ATTEMPTS`).
    pub max_attempts: i64,
}

impl MailSettings {
    /// From the parsed variables (`crate::config`): the defaults that depend on the
    /// public URL are filled in here.
    pub fn from_env(env: &Env, public_url: &str, smtp_url: Option<&Secret>) -> Result<Self, ConfigError> {
        let transport = match smtp_url {
            None => TransportConfig::Files,
            Some(url) => {
                TransportConfig::parse(url.expose()).map_err(|problem| invalid("RAPPORT_SMTP_URL", problem))?
            }
        };
        let domain = default_domain(public_url);
        let from_address = env.mail_from.as_ref().map_or_else(|| format!("noreply@{domain}"), |from| from.0.clone());
        let inbound_domain = env.mail_inbound_domain.as_ref().map_or(domain, |inbound| inbound.0.clone());
        Ok(Self {
            transport,
            from_address,
            inbound_domain,
            poll_interval: env.mail_poll.0,
            continuity_delay: env.mail_continuity_delay.0,
            retry_base: env.mail_retry.0,
            max_attempts: env.mail_max_attempts.0 as i64,
        })
    }

    /// The domain of our `Message-ID`s.
    pub fn message_id_domain(&self) -> &str {
        self.from_address.rsplit_once('@').map_or("localhost", |(_, domain)| domain)
    }
}

/// The public URL's host when it can be a mail domain; `localhost` for IP addresses.
fn default_domain(public_url: &str) -> String {
    let rest = public_url.split_once("://").map_or(public_url, |(_, rest)| rest);
    let host = rest.split(['/', ':']).next().unwrap_or_default().to_lowercase();
    let is_ip = host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[');
    if host.is_empty() || is_ip { "localhost".to_owned() } else { host }
}

/// How a kind is spelled in `mail_outbox.kind`.
pub fn kind_as_db(kind: MailKind) -> &'static str {
    match kind {
        MailKind::OfflineMessage => "offline_message",
        MailKind::Continuity => "continuity",
        MailKind::Transcript => "transcript",
        MailKind::Assigned => "assigned",
        MailKind::TranscriptConfirmation => "transcript_confirmation",
        MailKind::VisitorMailLimited => "visitor_mail_limited",
        MailKind::PasswordReset => "password_reset",
        MailKind::Invitation => "invitation",
        MailKind::AccountNotice => "account_notice",
    }
}

fn kind_from_db(value: &str) -> Result<MailKind> {
    Ok(match value {
        "offline_message" => MailKind::OfflineMessage,
        "continuity" => MailKind::Continuity,
        "transcript" => MailKind::Transcript,
        "assigned" => MailKind::Assigned,
        "transcript_confirmation" => MailKind::TranscriptConfirmation,
        "visitor_mail_limited" => MailKind::VisitorMailLimited,
        "password_reset" => MailKind::PasswordReset,
        "invitation" => MailKind::Invitation,
        "account_notice" => MailKind::AccountNotice,
        other => return Err(Error::Internal(format!("unknown mail kind `{other}` in the database"))),
    })
}

fn state_from_db(value: &str) -> Result<MailState> {
    Ok(match value {
        "pending" => MailState::Pending,
        "queued" => MailState::Queued,
        "sent" => MailState::Sent,
        "failed" => MailState::Failed,
        "skipped" => MailState::Skipped,
        other => return Err(Error::Internal(format!("unknown mail state `{other}` in the database"))),
    })
}

/// One outbox row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub kind: String,
    pub agent_id: Option<Uuid>,
    pub recipient: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Millis,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub through_seq: Option<i64>,
    pub raw: Option<Vec<u8>>,
    pub created_at: Millis,
    pub sent_at: Option<Millis>,
}

macro_rules! columns {
    () => {
        "id, workspace_id, conversation_id, kind, agent_id, recipient, state, attempts, last_error, next_attempt_at, \
         subject, message_id, through_seq, raw, created_at, sent_at"
    };
}
pub(crate) use columns;

impl OutboxRow {
    pub fn kind(&self) -> Result<MailKind> {
        kind_from_db(&self.kind)
    }

    pub fn to_wire(&self) -> Result<Mail> {
        Ok(Mail {
            id: self.id,
            kind: self.kind()?,
            state: state_from_db(&self.state)?,
            conversation_id: self.conversation_id,
            recipient: self.recipient.clone(),
            subject: self.subject.clone(),
            message_id: self.message_id.clone(),
            attempts: self.attempts,
            last_error: self.last_error.clone(),
            next_attempt_at: self.next_attempt_at.to_utc(),
            created_at: self.created_at.to_utc(),
            sent_at: self.sent_at.map(Millis::to_utc),
        })
    }
}

/// A workspace's mail, newest first, but for account notices: one is written to an address
/// only when it has accounts in other workspaces, so listing it would tell this workspace's
/// admins what the notice exists to keep from them (it is filed under the workspace the
/// new account is in because every mail is filed under one).
pub async fn list(
    store: &Store,
    workspace_id: Uuid,
    state: Option<MailState>,
    page: PageRequest,
) -> Result<Vec<OutboxRow>> {
    let state = state.map(|s| match s {
        MailState::Pending => "pending",
        MailState::Queued => "queued",
        MailState::Sent => "sent",
        MailState::Failed => "failed",
        MailState::Skipped => "skipped",
    });
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM mail_outbox
         WHERE workspace_id = $1 AND kind <> 'account_notice' AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR state = $3)
         ORDER BY id DESC LIMIT $4"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(workspace_id)
            .bind(page.after)
            .bind(state)
            .bind(page.fetch_limit())
            .fetch_all(pool)
            .await
    })?)
}

/// Validates an address we will send to: our own rules, then the mail library's, so
/// nothing stored can make rendering fail later.
pub fn parse_address(field: &'static str, raw: &str) -> Result<String> {
    let email = crate::input::Email::parse(field, raw)?;
    email
        .as_str()
        .parse::<lettre::Address>()
        .map_err(|_| Error::invalid(field, format!("`{raw}` is not an email address we can send to")))?;
    Ok(email.as_str().to_owned())
}
