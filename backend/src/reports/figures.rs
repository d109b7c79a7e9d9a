//! The figures, computed from the facts of the conversations in range. Pure functions:
//! what a conversation counts as is defined once, on [`ConversationFacts`].

use std::collections::BTreeMap;

use openapi::reports::{BusiestHours, Csat, DailyFigures, ReportSummary, ResponseTimeBucket};

use super::{
    facts::ConversationFacts,
    percentile::{duration_stats, nearest_rank},
    range::{Scope, naive},
};
use crate::store::Millis;

/// The first-response distribution's buckets: (label, from, to) in seconds.
const BUCKETS: [(&str, i64, Option<i64>); 7] = [
    ("< 30 s", 0, Some(30)),
    ("30 s–1 min", 30, Some(60)),
    ("1–2 min", 60, Some(120)),
    ("2–5 min", 120, Some(300)),
    ("5–15 min", 300, Some(900)),
    ("15–60 min", 900, Some(3600)),
    ("≥ 1 h", 3600, None),
];

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// CSAT of some conversations.
pub fn csat<'a>(conversations: impl IntoIterator<Item = &'a ConversationFacts>) -> Csat {
    let (mut ratings, mut good) = (0u64, 0u64);
    for score in conversations.into_iter().filter_map(|c| c.score) {
        ratings += 1;
        if score >= 4 {
            good += 1;
        }
    }
    let good_share = (ratings > 0).then(|| round(good as f64 / ratings as f64, 4));
    Csat { ratings, good, good_share }
}

/// The headline figures.
pub fn summary(scope: &Scope, conversations: &[ConversationFacts], messages: u64) -> ReportSummary {
    let started = conversations.len() as u64;
    let answered = conversations.iter().filter(|c| c.answered()).count() as u64;
    let missed = conversations.iter().filter(|c| c.missed()).count() as u64;
    let first_responses: Vec<i64> = conversations.iter().filter_map(ConversationFacts::first_response_ms).collect();
    let first_response_distribution = BUCKETS
        .iter()
        .map(|&(label, from, to)| ResponseTimeBucket {
            label: label.to_owned(),
            from_seconds: from,
            to_seconds: to,
            conversations: first_responses
                .iter()
                .filter(|&&ms| ms / 1000 >= from && to.is_none_or(|to| ms / 1000 < to))
                .count() as u64,
        })
        .collect();
    ReportSummary {
        range: scope.to_wire(),
        conversations_started: started,
        answered,
        missed,
        waiting: started - answered - missed,
        first_response: duration_stats(first_responses),
        resolution: duration_stats(conversations.iter().filter_map(ConversationFacts::resolution_ms).collect()),
        queue_wait: duration_stats(conversations.iter().filter_map(ConversationFacts::queue_wait_ms).collect()),
        messages,
        messages_per_conversation: (started > 0).then(|| round(messages as f64 / started as f64, 2)),
        csat: csat(conversations),
        first_response_distribution,
    }
}

/// One row per day of the range, days without conversations included.
pub fn daily(scope: &Scope, conversations: &[ConversationFacts]) -> Vec<DailyFigures> {
    let mut by_day: BTreeMap<jiff::civil::Date, Vec<&ConversationFacts>> = BTreeMap::new();
    for conversation in conversations {
        let (date, _, _) = scope.zone.local(conversation.created_at);
        by_day.entry(date).or_default().push(conversation);
    }
    scope
        .days()
        .into_iter()
        .map(|date| {
            let day = by_day.remove(&date).unwrap_or_default();
            let rated = csat(day.iter().copied());
            let mut first: Vec<i64> = day.iter().filter_map(|c| c.first_response_ms()).collect();
            first.sort_unstable();
            DailyFigures {
                date: naive(date),
                conversations_started: day.len() as u64,
                answered: day.iter().filter(|c| c.answered()).count() as u64,
                missed: day.iter().filter(|c| c.missed()).count() as u64,
                ratings: rated.ratings,
                good_ratings: rated.good,
                median_first_response_seconds: nearest_rank(&first, 50).map(|ms| ms / 1000),
            }
        })
        .collect()
}

/// Conversations started per local weekday (Monday first) and hour.
pub fn busiest_hours(scope: &Scope, conversations: &[ConversationFacts]) -> BusiestHours {
    let mut weekdays = vec![vec![0u64; 24]; 7];
    for conversation in conversations {
        let (_, weekday, hour) = scope.zone.local(conversation.created_at);
        weekdays[weekday][hour] += 1;
    }
    let max = weekdays.iter().flatten().copied().max().unwrap_or(0);
    BusiestHours { range: scope.to_wire(), weekdays, max }
}

/// The most conversations open at once, each from `start` to `end` (exclusive).
pub fn peak_concurrent(intervals: impl IntoIterator<Item = (Millis, Millis)>) -> u64 {
    // Ends sort before starts at the same instant: a hand-over is not an overlap.
    let mut events: Vec<(i64, i8)> = Vec::new();
    for (start, end) in intervals {
        if end > start {
            events.push((start.0, 1));
            events.push((end.0, -1));
        }
    }
    events.sort_unstable();
    let (mut open, mut peak) = (0i64, 0i64);
    for (_, delta) in events {
        open += i64::from(delta);
        peak = peak.max(open);
    }
    peak as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_counts_overlaps_not_hand_overs() {
        let m = Millis;
        assert_eq!(peak_concurrent([]), 0);
        assert_eq!(peak_concurrent([(m(0), m(10)), (m(10), m(20))]), 1);
        assert_eq!(peak_concurrent([(m(0), m(10)), (m(5), m(20)), (m(6), m(7))]), 3);
    }
}
