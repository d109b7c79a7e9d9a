//! What a report covers: whole days in the workspace's time zone, turned into the stored
//! time (Unix milliseconds) they span, and the optional site, team and agent filters.

use chrono::NaiveDate;
use jiff::{Timestamp, civil::Date, tz::TimeZone};
use openapi::reports::ReportRange;
use uuid::Uuid;

use crate::{
    error::{Error, Result},
    store::Millis,
};

/// The longest range a report covers, in days (a leap year).
pub const MAX_DAYS: i64 = 366;

/// Days shown when the request names no range: the last 7, today included.
pub const DEFAULT_DAYS: i64 = 7;

/// A valid IANA time zone, by its name.
#[derive(Debug, Clone)]
pub struct Zone {
    pub name: String,
    pub tz: TimeZone,
}

impl Zone {
    /// Parses an IANA name such as `Europe/Paris` (as the tz database spells it).
    pub fn parse(field: &'static str, name: &str) -> Result<Self> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(Error::invalid(field, "must be an IANA time zone name such as `Europe/Paris`"));
        }
        let tz = TimeZone::get(name).map_err(|_| {
            Error::invalid(field, format!("`{name}` is not an IANA time zone name such as `Europe/Paris`"))
        })?;
        // Stored as the database spells it (`europe/paris` is found, `Europe/Paris` kept).
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Ok(Self { name, tz })
    }

    /// A zone already stored; an unknown one (the tz database dropped it) falls back to UTC
    /// rather than making every report fail.
    pub fn stored(name: &str) -> Self {
        Self::parse("time_zone", name).unwrap_or_else(|_| Self { name: "UTC".to_owned(), tz: TimeZone::UTC })
    }

    /// Today's date in this zone.
    pub fn today(&self) -> Date {
        Timestamp::now().to_zoned(self.tz.clone()).date()
    }

    /// The instant `date` starts here (its first existing moment when a DST gap swallows
    /// midnight).
    pub fn start_of(&self, date: Date) -> Result<Millis> {
        let zoned = date.to_zoned(self.tz.clone()).map_err(|err| Error::Internal(format!("start of {date}: {err}")))?;
        let zoned = zoned.start_of_day().map_err(|err| Error::Internal(format!("start of {date}: {err}")))?;
        Ok(Millis(zoned.timestamp().as_millisecond()))
    }

    /// The local date, weekday (Monday = 0) and hour of a stored time.
    pub fn local(&self, at: Millis) -> (Date, usize, usize) {
        let zoned = Timestamp::from_millisecond(at.0).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(self.tz.clone());
        (zoned.date(), zoned.weekday().to_monday_zero_offset() as usize, zoned.hour() as usize)
    }
}

/// The filters a report request may carry, as ids (checked against the workspace later).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filters {
    pub site_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    /// First responses count only the time their site was open (business hours).
    pub business_hours: bool,
}

/// A parsed report request: which workspace, which days, which conversations.
#[derive(Debug, Clone)]
pub struct Scope {
    pub workspace_id: Uuid,
    pub zone: Zone,
    pub from: Date,
    pub to: Date,
    /// When `from` starts, inclusive.
    pub start: Millis,
    /// When the day after `to` starts, exclusive.
    pub end: Millis,
    pub filters: Filters,
}

fn parse_date(field: &'static str, raw: &str) -> Result<Date> {
    let bad = || Error::bad_query("invalid_date", field, format!("`{raw}` is not a date as YYYY-MM-DD"));
    // jiff also accepts forms such as `2026-11-23T10:00`; a report takes a bare day only.
    if raw.len() != 10 {
        return Err(bad());
    }
    raw.parse::<Date>().map_err(|_| bad())
}

impl Scope {
    /// Parses `from`/`to` (`YYYY-MM-DD`, inclusive) in the workspace's zone. Either may be
    /// left out: `to` defaults to today, `from` to the 7 days ending on `to`.
    pub fn parse(
        workspace_id: Uuid,
        zone: Zone,
        from: Option<&str>,
        to: Option<&str>,
        filters: Filters,
    ) -> Result<Self> {
        let to = match to {
            Some(raw) => parse_date("to", raw)?,
            None => zone.today(),
        };
        let from = match from {
            Some(raw) => parse_date("from", raw)?,
            None => to.checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1)).unwrap_or(to),
        };
        if to < from {
            return Err(Error::bad_query("invalid_range", "to", format!("`to` ({to}) is before `from` ({from})")));
        }
        let days = from.until(to).map(|span| span.get_days() as i64 + 1).unwrap_or(i64::MAX);
        if days > MAX_DAYS {
            return Err(Error::bad_query(
                "range_too_long",
                "to",
                format!("the range covers {days} days; a report covers at most {MAX_DAYS}"),
            ));
        }
        let day_after =
            to.tomorrow().map_err(|_| Error::bad_query("invalid_date", "to", "is the last day there is"))?;
        let start = zone.start_of(from)?;
        let end = zone.start_of(day_after)?;
        Ok(Self { workspace_id, zone, from, to, start, end, filters })
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> Vec<Date> {
        let mut days = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            days.push(day);
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        days
    }

    /// The range as the wire shows it.
    pub fn to_wire(&self) -> ReportRange {
        ReportRange {
            from: naive(self.from),
            to: naive(self.to),
            time_zone: self.zone.name.clone(),
            today: naive(self.zone.today()),
        }
    }
}

/// A jiff date as the wire's chrono date.
pub fn naive(date: Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(i32::from(date.year()), date.month() as u32, date.day() as u32).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(zone: &str, from: &str, to: &str) -> Result<Scope> {
        Scope::parse(Uuid::nil(), Zone::parse("time_zone", zone)?, Some(from), Some(to), Filters::default())
    }

    #[test]
    fn a_day_in_paris_starts_an_hour_before_utc_in_winter() {
        let scope = scope("Europe/Paris", "2026-01-15", "2026-01-15").unwrap();
        // 2026-01-14T23:00:00Z and 2026-01-15T23:00:00Z.
        assert_eq!(scope.start, Millis(1_768_431_600_000));
        assert_eq!(scope.end, Millis(1_768_518_000_000));
    }

    #[test]
    fn bad_ranges_have_their_own_codes() {
        let code = |result: Result<Scope>| match result {
            Err(Error::BadQuery { code, .. }) => code,
            other => panic!("expected a bad query, got {other:?}"),
        };
        assert_eq!(code(scope("UTC", "2026-01-02", "2026-01-01")), "invalid_range");
        assert_eq!(code(scope("UTC", "2025-01-01", "2026-01-02")), "range_too_long");
        assert_eq!(code(scope("UTC", "2026-02-30", "2026-03-01")), "invalid_date");
        assert_eq!(code(scope("UTC", "2026-1-1", "2026-03-01")), "invalid_date");
        assert!(scope("UTC", "2025-01-01", "2026-01-01").is_ok(), "366 days are allowed");
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(Zone::parse("time_zone", "Mars/Olympus").is_err());
        assert!(Zone::parse("time_zone", "").is_err());
        assert!(Zone::parse("time_zone", "America/New_York").is_ok());
    }
}
