//! Per-site and per-recipient limits on the mail visitors cause, and the owners' notice
//! when one trips.

use std::time::Duration;

use openapi::mail::MailKind;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    config::Env,
    error::{Error, Result},
    mail::flows::{self, Notice},
    on_tx,
    sites::SiteRow,
    state::AppState,
    store::{Millis, Tx, now},
};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// `RAPPORT_VISITOR_MAIL_PER_SITE_PER_HOUR`, `RAPPORT_VISITOR_MAIL_PER_RECIPIENT_PER_DAY`
/// (0 turns one off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitorMailSettings {
    pub per_site_per_hour: u32,
    pub per_recipient_per_day: u32,
}

impl VisitorMailSettings {
    pub(crate) fn from_env(env: &Env) -> Self {
        Self {
            per_site_per_hour: u32::try_from(env.visitor_mail_per_site_per_hour.0).unwrap_or(u32::MAX),
            per_recipient_per_day: u32::try_from(env.visitor_mail_per_recipient_per_day.0).unwrap_or(u32::MAX),
        }
    }
}

/// What a counted mail is, in `visitor_mail_log.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Transcript,
    Confirmation,
    OfflineMessage,
}

impl Counted {
    fn as_db(self) -> &'static str {
        match self {
            Self::Transcript => "transcript",
            Self::Confirmation => "transcript_confirmation",
            Self::OfflineMessage => "offline_message",
        }
    }
}

/// A limit that tripped, and when a mail will be allowed again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub per: &'static str,
    pub retry_after_secs: u64,
}

impl From<Limited> for Error {
    fn from(limited: Limited) -> Self {
        Error::Throttled {
            message: format!(
                "this {} has been sent as much mail as visitors may cause for now; try again later",
                limited.per
            ),
            retry_after_secs: limited.retry_after_secs,
        }
    }
}

fn recipient_hash(email: &str) -> String {
    hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()))
}

/// Counts one mail of `kind` that a visitor of `site` is causing (to `recipient`, an address
/// a visitor typed, when there is one) inside `tx`, before the mail is written there. Over
/// a limit nothing is counted, the owners are told (at most once an hour per site) and
/// `Ok(Err(Limited))` says which limit and for how long; commit `tx` either way.
pub async fn take(
    tx: &mut Tx,
    state: &AppState,
    site: &SiteRow,
    kind: Counted,
    recipient: Option<&str>,
) -> Result<std::result::Result<(), Limited>> {
    let settings = state.settings.visitor_mail;
    let at = now();
    // The site's row, written first: PostgreSQL holds its lock to the end of `tx`, so the
    // counting below runs one request at a time per site (SQLite has one writer anyway).
    let last_notice: Option<Millis> = on_tx!(&mut *tx, |conn| {
        sqlx::query_scalar(
            "INSERT INTO visitor_mail_sites (site_id, workspace_id, touched_at) VALUES ($1, $2, $3)
             ON CONFLICT (site_id) DO UPDATE SET touched_at = $3 RETURNING last_notice_at",
        )
        .bind(site.id)
        .bind(site.workspace_id)
        .bind(at)
        .fetch_one(conn)
        .await
    })?;
    let site_window = Millis(at.0 - HOUR.as_millis() as i64);
    let mut limited = None;
    if settings.per_site_per_hour > 0 {
        let (count, oldest): (i64, Option<Millis>) = on_tx!(&mut *tx, |conn| {
            sqlx::query_as(
                "SELECT COUNT(*), MIN(created_at) FROM visitor_mail_log WHERE site_id = $1 AND created_at > $2",
            )
            .bind(site.id)
            .bind(site_window)
            .fetch_one(conn)
            .await
        })?;
        if count >= i64::from(settings.per_site_per_hour) {
            limited = Some(Limited { per: "site", retry_after_secs: wait(oldest, HOUR, at) });
        }
    }
    let hash = recipient.map(recipient_hash);
    if limited.is_none()
        && settings.per_recipient_per_day > 0
        && let Some(hash) = &hash
    {
        let day_window = Millis(at.0 - DAY.as_millis() as i64);
        let (count, oldest): (i64, Option<Millis>) = on_tx!(&mut *tx, |conn| {
            sqlx::query_as(
                "SELECT COUNT(*), MIN(created_at) FROM visitor_mail_log WHERE recipient_hash = $1 AND created_at > $2",
            )
            .bind(hash)
            .bind(day_window)
            .fetch_one(conn)
            .await
        })?;
        if count >= i64::from(settings.per_recipient_per_day) {
            limited = Some(Limited { per: "address", retry_after_secs: wait(oldest, DAY, at) });
        }
    }
    if let Some(limited) = limited {
        let told_lately = last_notice.is_some_and(|last| last.0 > site_window.0);
        if !told_lately {
            tell_owners(tx, state, site, &limited).await?;
        }
        return Ok(Err(limited));
    }
    record(tx, site.id, kind, hash.as_deref()).await?;
    Ok(Ok(()))
}

/// Counts a mail that is sent whatever the limits (the recipient asked for it themselves,
/// by following a confirmation link), so it still weighs on what visitors may cause next.
pub async fn count(tx: &mut Tx, site_id: Uuid, kind: Counted, recipient: &str) -> Result<()> {
    record(tx, site_id, kind, Some(&recipient_hash(recipient))).await
}

async fn record(tx: &mut Tx, site_id: Uuid, kind: Counted, hash: Option<&str>) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO visitor_mail_log (id, site_id, recipient_hash, kind, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(Uuid::now_v7())
        .bind(site_id)
        .bind(hash)
        .bind(kind.as_db())
        .bind(now())
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Seconds until the oldest counted mail leaves its window (at least one).
fn wait(oldest: Option<Millis>, window: Duration, at: Millis) -> u64 {
    let frees_at = oldest.map_or(at.0, |oldest| oldest.0 + window.as_millis() as i64);
    (((frees_at - at.0).max(0) as u64).div_ceil(1000)).max(1)
}

/// One mail to every active owner of the workspace: what tripped, what it means.
async fn tell_owners(tx: &mut Tx, state: &AppState, site: &SiteRow, limited: &Limited) -> Result<()> {
    let owners: Vec<String> = on_tx!(&mut *tx, |conn| {
        sqlx::query_scalar(
            "SELECT email FROM agents WHERE workspace_id = $1 AND role = 'owner' AND active = TRUE
               AND password_hash IS NOT NULL ORDER BY id",
        )
        .bind(site.workspace_id)
        .fetch_all(conn)
        .await
    })?;
    let limits = state.settings.visitor_mail;
    let what = match limited.per {
        "site" => format!(
            "Visitors of {} caused {} mails within the last hour (transcripts, confirmation mails and the \
             team's mail about offline messages), the most Rapport sends for one site.",
            site.name, limits.per_site_per_hour
        ),
        _ => format!(
            "A visitor of {} asked for mail to an address that already received {} mails caused by visitors \
             today, the most Rapport sends to one address.",
            site.name, limits.per_recipient_per_day
        ),
    };
    for owner in owners {
        let notice = Notice {
            to: owner,
            subject: format!("[{}] Mail from visitors paused", site.name),
            heading: site.name.clone(),
            intro: format!(
                "{what}\n\nFurther requests are refused for now; offline messages still reach the console, \
                 without a mail. If this is unexpected, someone may be using your site's chat to send mail to \
                 strangers. This notice is sent at most once an hour per site."
            ),
            action: Some(("Open the console".into(), format!("{}/", state.settings.public_url))),
            footer: "Sent by Rapport to the owners of this workspace.".into(),
        };
        flows::queue_notice(tx, &state.settings.mail, site.workspace_id, None, MailKind::VisitorMailLimited, notice)
            .await?;
    }
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE visitor_mail_sites SET last_notice_at = $2 WHERE site_id = $1")
            .bind(site.id)
            .bind(now())
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Forgets counted mail older than any window (the retention worker calls this).
pub async fn forget_old(store: &crate::store::Store) -> Result<u64> {
    let before = Millis(now().0 - DAY.as_millis() as i64);
    let deleted = crate::on_pool!(store, |pool| {
        sqlx::query("DELETE FROM visitor_mail_log WHERE created_at < $1")
            .bind(before)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_until_the_oldest_mail_leaves_the_window() {
        let at = Millis(10_000_000);
        assert_eq!(wait(Some(Millis(at.0 - 3_000_000)), HOUR, at), 600);
        assert_eq!(wait(Some(Millis(at.0 - 3_599_999)), HOUR, at), 1);
        assert_eq!(wait(None, HOUR, at), 1);
    }

    #[test]
    fn addresses_are_counted_whatever_the_case() {
        assert_eq!(recipient_hash("Ana@Example.com "), recipient_hash("ana@example.com"));
    }
}
