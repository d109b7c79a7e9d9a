//! Exact percentiles, computed in Rust from the fetched durations so both engines give the
//! same answer (SQLite has no `percentile_disc`).
//!
//! Nearest-rank definition: of n values sorted ascending, the p-th percentile is the value
//! at rank ⌈p/100 · n⌉ (1-based). The median (p = 50) of an even count is therefore the
//! lower of the two middle values, never an average that no conversation actually had.

use openapi::reports::DurationStats;

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of `sorted` (ascending), or `None`
/// when it is empty.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    // ⌈p·n/100⌉ in integers, at least rank 1.
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    sorted.get((rank - 1) as usize).copied()
}

/// Median and p90 of durations in milliseconds, reported in whole seconds (rounded down).
pub fn duration_stats(mut millis: Vec<i64>) -> DurationStats {
    millis.sort_unstable();
    DurationStats {
        count: millis.len() as u64,
        median_seconds: nearest_rank(&millis, 50).map(|ms| ms.div_euclid(1000)),
        p90_seconds: nearest_rank(&millis, 90).map(|ms| ms.div_euclid(1000)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_real_values() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 50), Some(7));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        // Even count: the lower middle value.
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4, 5], 50), Some(3));
        // p90 of 10 values is the 9th, of 11 values the 10th.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10));
        assert_eq!(nearest_rank(&ten, 100), Some(10));
    }

    #[test]
    fn stats_are_in_whole_seconds() {
        let stats = duration_stats(vec![90_000, 30_500, 60_999]);
        assert_eq!(stats.count, 3);
        assert_eq!(stats.median_seconds, Some(60));
        assert_eq!(stats.p90_seconds, Some(90));
    }
}
