//! A week of openings and a list of holidays, in a time zone, as pure functions over
//! instants: whether the site is open at a moment, when it opens next, and how much
//! business time lies between two moments (what a business-hours first response counts).

use chrono::Datelike;
use jiff::{Timestamp, civil::Date, tz::TimeZone};
use openapi::business_hours::{Holiday, OpeningHours};

use crate::error::{Error, Result};

/// Openings per week at most (four a day).
pub const MAX_OPENINGS: usize = 28;
/// Holidays kept at most.
pub const MAX_HOLIDAYS: usize = 100;
/// How far ahead "next opening" looks (a year of holidays cannot hide every day).
const LOOKAHEAD_DAYS: i32 = 400;

/// One opening, in minutes after local midnight, `opens < closes ≤ 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub opens: u16,
    pub closes: u16,
}

/// A validated schedule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    pub openings: Vec<Opening>,
    pub holidays: Vec<(Date, Option<String>)>,
}

fn minutes(field: &'static str, text: &str) -> Result<u16> {
    let bad = || Error::invalid(field, format!("`{text}` is not a time like 09:00 (24-hour, 24:00 for midnight)"));
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl Schedule {
    /// Parses the wire form: times as `HH:MM`, openings of a day not overlapping.
    pub fn parse(hours: &[OpeningHours], holidays: &[Holiday]) -> Result<Self> {
        if hours.len() > MAX_OPENINGS {
            return Err(Error::invalid("hours", format!("at most {MAX_OPENINGS} openings")));
        }
        if holidays.len() > MAX_HOLIDAYS {
            return Err(Error::invalid("holidays", format!("at most {MAX_HOLIDAYS} holidays")));
        }
        let mut openings = Vec::with_capacity(hours.len());
        for h in hours {
            if !(1..=7).contains(&h.weekday) {
                return Err(Error::invalid("hours", "weekday is 1 (Monday) to 7 (Sunday)"));
            }
            let (opens, closes) = (minutes("hours", &h.opens)?, minutes("hours", &h.closes)?);
            if opens >= closes {
                return Err(Error::invalid("hours", format!("{} closes before it opens", h.opens)));
            }
            openings.push(Opening { weekday: h.weekday, opens, closes });
        }
        openings.sort_by_key(|o| (o.weekday, o.opens));
        for pair in openings.windows(2) {
            if pair[0].weekday == pair[1].weekday && pair[1].opens < pair[0].closes {
                return Err(Error::invalid("hours", "two openings of one day overlap"));
            }
        }
        let mut days = Vec::with_capacity(holidays.len());
        for holiday in holidays {
            let date = Date::new(holiday.date.year() as i16, holiday.date.month() as i8, holiday.date.day() as i8)
                .map_err(|_| Error::invalid("holidays", "not a date"))?;
            let name = holiday.name.as_deref().map(|n| crate::input::name("holidays", n, 100)).transpose()?;
            if !days.iter().any(|(d, _)| *d == date) {
                days.push((date, name));
            }
        }
        days.sort_by_key(|(d, _)| *d);
        Ok(Self { openings, holidays: days })
    }

    pub fn hours_to_wire(&self) -> Vec<OpeningHours> {
        self.openings
            .iter()
            .map(|o| OpeningHours { weekday: o.weekday, opens: clock(o.opens), closes: clock(o.closes) })
            .collect()
    }

    pub fn holidays_to_wire(&self) -> Vec<Holiday> {
        self.holidays
            .iter()
            .filter_map(|(date, name)| {
                let date =
                    chrono::NaiveDate::from_ymd_opt(i32::from(date.year()), date.month() as u32, date.day() as u32)?;
                Some(Holiday { date, name: name.clone() })
            })
            .collect()
    }

    fn is_holiday(&self, date: Date) -> bool {
        self.holidays.iter().any(|(d, _)| *d == date)
    }

    /// A day's openings as instants (empty on holidays). Local times that a DST change
    /// skips or repeats resolve the way jiff's `compatible` strategy does.
    fn day(&self, tz: &TimeZone, date: Date) -> Vec<(Timestamp, Timestamp)> {
        if self.is_holiday(date) {
            return Vec::new();
        }
        let weekday = date.weekday().to_monday_one_offset() as u8;
        let at = |m: u16| -> Option<Timestamp> {
            if m == 24 * 60 {
                let next = date.tomorrow().ok()?;
                return next.to_zoned(tz.clone()).ok().map(|z| z.timestamp());
            }
            let time = jiff::civil::Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).ok()?;
            date.to_datetime(time).to_zoned(tz.clone()).ok().map(|z| z.timestamp())
        };
        self.openings
            .iter()
            .filter(|o| o.weekday == weekday)
            .filter_map(|o| Some((at(o.opens)?, at(o.closes)?)))
            .collect()
    }

    /// Whether `now` falls in an opening.
    pub fn is_open(&self, tz: &TimeZone, now: Timestamp) -> bool {
        let date = now.to_zoned(tz.clone()).date();
        self.day(tz, date).iter().any(|(opens, closes)| *opens <= now && now < *closes)
    }

    /// When the site opens next after `now` (now itself when open); `None` without
    /// openings in the year ahead.
    pub fn next_open(&self, tz: &TimeZone, now: Timestamp) -> Option<Timestamp> {
        let today = now.to_zoned(tz.clone()).date();
        for offset in 0..LOOKAHEAD_DAYS {
            let date = today.checked_add(jiff::Span::new().days(offset)).ok()?;
            for (opens, closes) in self.day(tz, date) {
                if opens <= now && now < closes {
                    return Some(now);
                }
                if opens > now {
                    return Some(opens);
                }
            }
        }
        None
    }

    /// Milliseconds of opening hours between `start` and `end`.
    pub fn business_ms(&self, tz: &TimeZone, start: Timestamp, end: Timestamp) -> i64 {
        if end <= start {
            return 0;
        }
        let mut date = start.to_zoned(tz.clone()).date();
        let last = end.to_zoned(tz.clone()).date();
        let mut total = 0i64;
        let mut guard = 0;
        while date <= last && guard < 3660 {
            for (opens, closes) in self.day(tz, date) {
                let from = opens.max(start);
                let to = closes.min(end);
                if to > from {
                    total += to.as_millisecond() - from.as_millisecond();
                }
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
            guard += 1;
        }
        total
    }
}

/// "Monday at 09:00": a moment as visitors read it, in the zone.
pub fn describe(tz: &TimeZone, at: Timestamp, now: Timestamp) -> String {
    let local = at.to_zoned(tz.clone());
    let today = now.to_zoned(tz.clone()).date();
    let day = if local.date() == today {
        "today".to_owned()
    } else if today.tomorrow().ok() == Some(local.date()) {
        "tomorrow".to_owned()
    } else if local.date() < today.checked_add(jiff::Span::new().days(7)).unwrap_or(today) {
        format!("{:?}", local.date().weekday())
    } else {
        local.date().strftime("%A %-d %B").to_string()
    };
    format!("{day} at {}", local.strftime("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    fn at(text: &str) -> Timestamp {
        // Local Paris time, e.g. "2026-11-23T08:00".
        jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", text).unwrap().to_zoned(paris()).unwrap().timestamp()
    }

    fn week() -> Schedule {
        let mut hours: Vec<OpeningHours> =
            (1..=5).map(|weekday| OpeningHours { weekday, opens: "09:00".into(), closes: "12:00".into() }).collect();
        hours.extend((1..=5).map(|weekday| OpeningHours { weekday, opens: "13:00".into(), closes: "17:00".into() }));
        let christmas = Holiday { date: chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(), name: None };
        Schedule::parse(&hours, &[christmas]).unwrap()
    }

    #[test]
    fn open_inside_openings_only() {
        let s = week();
        // 2026-11-23 is a Monday.
        assert!(!s.is_open(&paris(), at("2026-11-23T08:59")));
        assert!(s.is_open(&paris(), at("2026-11-23T09:00")));
        assert!(!s.is_open(&paris(), at("2026-11-23T12:30")), "lunch");
        assert!(!s.is_open(&paris(), at("2026-11-28T10:00")), "Saturday");
        assert!(!s.is_open(&paris(), at("2026-12-25T10:00")), "a holiday");
    }

    #[test]
    fn next_opening_skips_lunch_weekends_and_holidays() {
        let s = week();
        assert_eq!(s.next_open(&paris(), at("2026-11-23T12:30")), Some(at("2026-11-23T13:00")));
        assert_eq!(s.next_open(&paris(), at("2026-11-27T17:30")), Some(at("2026-11-30T09:00")), "Friday night");
        assert_eq!(s.next_open(&paris(), at("2026-12-24T18:00")), Some(at("2026-12-28T09:00")), "Christmas Friday");
        assert_eq!(s.next_open(&paris(), at("2026-11-23T10:00")), Some(at("2026-11-23T10:00")), "open now");
        assert_eq!(Schedule::default().next_open(&paris(), at("2026-11-23T10:00")), None);
    }

    #[test]
    fn business_time_counts_only_openings() {
        let s = week();
        let hour = 3_600_000;
        // Friday 16:00 → Monday 10:00: one hour on Friday and one on Monday.
        assert_eq!(s.business_ms(&paris(), at("2026-11-27T16:00"), at("2026-11-30T10:00")), 2 * hour);
        // Across lunch: 11:30 → 13:30 is one hour.
        assert_eq!(s.business_ms(&paris(), at("2026-11-23T11:30"), at("2026-11-23T13:30")), hour);
        assert_eq!(s.business_ms(&paris(), at("2026-11-28T10:00"), at("2026-11-28T11:00")), 0, "Saturday");
    }

    #[test]
    fn bad_hours_are_refused_with_the_field() {
        let bad = |opens: &str, closes: &str| {
            Schedule::parse(&[OpeningHours { weekday: 1, opens: opens.into(), closes: closes.into() }], &[])
        };
        assert!(bad("9:00", "17:00").is_err());
        assert!(bad("17:00", "09:00").is_err());
        assert!(bad("09:00", "24:01").is_err());
        assert!(bad("09:00", "24:00").is_ok());
        let overlapping = [
            OpeningHours { weekday: 2, opens: "09:00".into(), closes: "13:00".into() },
            OpeningHours { weekday: 2, opens: "12:00".into(), closes: "18:00".into() },
        ];
        assert!(Schedule::parse(&overlapping, &[]).is_err());
        assert!(
            Schedule::parse(&[OpeningHours { weekday: 8, opens: "09:00".into(), closes: "10:00".into() }], &[])
                .is_err()
        );
    }

    #[test]
    fn moments_read_as_days_and_times() {
        let now = at("2026-11-27T18:00");
        assert_eq!(describe(&paris(), at("2026-11-30T09:00"), now), "Monday at 09:00");
        assert_eq!(describe(&paris(), at("2026-11-28T09:00"), now), "tomorrow at 09:00");
        assert_eq!(describe(&paris(), at("2026-11-27T19:00"), now), "today at 19:00");
    }
}
