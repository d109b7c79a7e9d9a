//! Business hours: when a site's team answers. Outside them the widget shows its offline
//! form (the session says no agent is online), a visitor who writes anyway gets an
//! auto-reply saying when the team is back, and reports can count first responses in
//! business time only.

use serde::{Deserialize, Serialize};

/// One opening of one weekday, in the workspace's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct OpeningHours {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// `HH:MM`, 24-hour.
    pub opens: String,
    /// `HH:MM` after `opens`; `24:00` for midnight.
    pub closes: String,
}

/// A day the team does not answer at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Holiday {
    pub date: chrono::NaiveDate,
    /// Up to 100 characters, for the team's eyes.
    pub name: Option<String>,
}

/// A site's business hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct BusinessHours {
    /// Off: the site is open whenever an agent is online (hours are kept).
    pub enabled: bool,
    /// The weekly openings; several per day are allowed (a lunch break).
    pub hours: Vec<OpeningHours>,
    pub holidays: Vec<Holiday>,
    /// What a visitor who writes outside hours is told. `{{next_open}}` becomes when the
    /// team is back ("Monday at 09:00 (Europe/Paris)").
    pub auto_reply: String,
    /// The workspace's time zone, which the hours are in (`PATCH /workspace`).
    pub time_zone: String,
    /// Whether the site is open now (always true when not enabled).
    pub open_now: bool,
    /// When it opens next, while closed.
    pub next_open: Option<crate::Timestamp>,
}

/// Replaces a site's business hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct BusinessHoursUpdate {
    pub enabled: bool,
    /// Up to 28 openings; openings of one day must not overlap.
    pub hours: Vec<OpeningHours>,
    /// Up to 100 days.
    pub holidays: Vec<Holiday>,
    /// 1 to 1,000 characters; absent keeps the current text.
    pub auto_reply: Option<String>,
}
