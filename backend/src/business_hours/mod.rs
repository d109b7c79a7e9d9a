//! Business hours per site (weekly openings and holidays, in the workspace's time zone).
//!
//! - [`schedule`]: the pure computations (open now? when next? business time between).
//! - this file: storage, what the widget's session says (no agent "online" outside
//!   hours, so the widget shows its offline form), and the auto-reply a visitor gets when
//!   they write outside hours, saying when the team is back.
//! - [`api`]: `GET`/`PUT /sites/{id}/business-hours`.

pub mod api;
pub mod schedule;

use jiff::Timestamp;
use openapi::{
    business_hours::{BusinessHours, BusinessHoursUpdate, Holiday, OpeningHours},
    messages::MessageKind,
};
use uuid::Uuid;

use crate::{
    auth::Caller,
    conversations::ConversationRow,
    error::{Error, Result},
    messages::{self, Author, Draft},
    on_pool,
    reports::range::Zone,
    state::AppState,
    store::{Millis, Store, now},
};
use schedule::Schedule;

/// What a visitor who writes outside hours is told, until the team writes its own.
pub const DEFAULT_AUTO_REPLY: &str =
    "Thanks for your message! We're away right now and back {{next_open}}: we'll answer then.";
const MAX_AUTO_REPLY_CHARS: usize = 1000;

#[derive(Debug, Clone, sqlx::FromRow)]
struct HoursRow {
    enabled: bool,
    hours: String,
    holidays: String,
    auto_reply: String,
}

/// A site's hours as stored, ready to ask.
#[derive(Debug, Clone)]
pub struct SiteHours {
    pub enabled: bool,
    pub schedule: Schedule,
    pub auto_reply: String,
    pub zone: Zone,
}

impl SiteHours {
    /// Open at `at`: always, unless hours are enabled and say otherwise.
    pub fn is_open(&self, at: Timestamp) -> bool {
        !self.enabled || self.schedule.is_open(&self.zone.tz, at)
    }

    fn to_wire(&self) -> BusinessHours {
        let now = Timestamp::now();
        let open_now = self.is_open(now);
        let next_open = (!open_now)
            .then(|| self.schedule.next_open(&self.zone.tz, now))
            .flatten()
            .map(|at| Millis(at.as_millisecond()).to_utc());
        BusinessHours {
            enabled: self.enabled,
            hours: self.schedule.hours_to_wire(),
            holidays: self.schedule.holidays_to_wire(),
            auto_reply: self.auto_reply.clone(),
            time_zone: self.zone.name.clone(),
            open_now,
            next_open,
        }
    }
}

/// A site's hours (the site must be the workspace's: callers check).
pub async fn get(store: &Store, workspace_id: Uuid, site_id: Uuid) -> Result<SiteHours> {
    let row: Option<HoursRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT enabled, hours, holidays, auto_reply FROM site_business_hours WHERE workspace_id = $1 AND site_id = $2",
        )
        .bind(workspace_id)
        .bind(site_id)
        .fetch_optional(pool)
        .await
    })?;
    let zone = Zone::stored(&crate::reports::facts::time_zone(store, workspace_id).await?);
    Ok(match row {
        None => {
            SiteHours { enabled: false, schedule: Schedule::default(), auto_reply: DEFAULT_AUTO_REPLY.into(), zone }
        }
        Some(row) => {
            let hours: Vec<OpeningHours> = serde_json::from_str(&row.hours).unwrap_or_default();
            let holidays: Vec<Holiday> = serde_json::from_str(&row.holidays).unwrap_or_default();
            // Stored only after validation; should it ever not parse, the site stays open.
            let schedule = Schedule::parse(&hours, &holidays).unwrap_or_default();
            SiteHours { enabled: row.enabled, schedule, auto_reply: row.auto_reply, zone }
        }
    })
}

pub async fn get_wire(store: &Store, caller: &Caller, site_id: Uuid) -> Result<BusinessHours> {
    crate::sites::get(store, caller.workspace_id, site_id).await?;
    Ok(get(store, caller.workspace_id, site_id).await?.to_wire())
}

/// Replaces a site's hours (owners and admins).
pub async fn put(store: &Store, caller: &Caller, site_id: Uuid, update: &BusinessHoursUpdate) -> Result<BusinessHours> {
    caller.require_admin()?;
    crate::sites::get(store, caller.workspace_id, site_id).await?;
    let schedule = Schedule::parse(&update.hours, &update.holidays)?;
    if update.enabled && schedule.openings.is_empty() {
        return Err(Error::invalid("hours", "list at least one opening to turn business hours on"));
    }
    let current = get(store, caller.workspace_id, site_id).await?;
    let auto_reply = match update.auto_reply.as_deref() {
        Some(text) => crate::input::text("auto_reply", text.trim(), MAX_AUTO_REPLY_CHARS)?,
        None => current.auto_reply,
    };
    let hours = serde_json::to_string(&schedule.hours_to_wire()).expect("hours serialise");
    let holidays = serde_json::to_string(&schedule.holidays_to_wire()).expect("holidays serialise");
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO site_business_hours (site_id, workspace_id, enabled, hours, holidays, auto_reply, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (site_id) DO UPDATE SET enabled = excluded.enabled, hours = excluded.hours,
                holidays = excluded.holidays, auto_reply = excluded.auto_reply, updated_at = excluded.updated_at",
        )
        .bind(site_id)
        .bind(caller.workspace_id)
        .bind(update.enabled)
        .bind(&hours)
        .bind(&holidays)
        .bind(&auto_reply)
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(get(store, caller.workspace_id, site_id).await?.to_wire())
}

/// Whether a site is open now (what the widget's session reports as agents online,
/// together with presence). Open when it cannot tell: a lookup failure must not hide
/// the chat.
pub async fn open_now(store: &Store, workspace_id: Uuid, site_id: Uuid) -> bool {
    match get(store, workspace_id, site_id).await {
        Ok(hours) => hours.is_open(Timestamp::now()),
        Err(err) => {
            tracing::warn!(error = %err, "reading business hours failed; the site counts as open");
            true
        }
    }
}

/// A conversation just started: outside business hours the visitor gets the auto-reply,
/// once per conversation and local day, saying when the team is back.
pub async fn after_start(state: &AppState, conversation: &ConversationRow) {
    if let Err(err) = auto_reply(state, conversation).await {
        tracing::warn!(error = %err, conversation_id = %conversation.id, "the outside-hours auto-reply failed");
    }
}

async fn auto_reply(state: &AppState, conversation: &ConversationRow) -> Result<()> {
    let hours = get(&state.store, conversation.workspace_id, conversation.site_id).await?;
    let now = Timestamp::now();
    if hours.is_open(now) {
        return Ok(());
    }
    let back = match hours.schedule.next_open(&hours.zone.tz, now) {
        Some(at) => format!("{} ({})", schedule::describe(&hours.zone.tz, at, now), hours.zone.name),
        None => "as soon as we can".to_owned(),
    };
    let body = hours.auto_reply.replace("{{next_open}}", &back);
    // One per local day: a retry or a second start the same day does not repeat it.
    let key = format!("outside-hours-{}", now.to_zoned(hours.zone.tz.clone()).date());
    let draft = Draft::parse(Author::SYSTEM, MessageKind::Text, &body, Some(&key))?;
    let outgoing =
        messages::Outgoing { workspace_id: conversation.workspace_id, conversation_id: conversation.id, draft };
    // Stored like every message: the dispatcher announces it after the commit.
    messages::send(&state.store, outgoing).await?;
    Ok(())
}
