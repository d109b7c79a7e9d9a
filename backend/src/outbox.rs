//! What every outbox worker shares (mail in [`crate::mail::worker`], webhooks in
//! [`crate::webhooks::worker`]): the lease a claimed row is held under, the retry
//! schedule of a failed attempt, and the polling loop that runs rounds until shutdown.
//!
//! Each outbox keeps its own claim query (what makes a row due differs: continuity
//! delays for mail, per-conversation ordering for webhooks), but both claim the same
//! way: a conditional `UPDATE` that sets `claimed_until` to [`Lease::until`] and only
//! matches rows with no live lease (`claimed_until IS NULL OR claimed_until < now`),
//! re-checked on the row it updates. A node that dies mid-send leaves a lease
//! that lapses, and the row is taken again: at least once, never lost.

use std::{future::Future, time::Duration};

use prometheus_client::metrics::counter::Counter;
use tokio::sync::watch;

use crate::store::Millis;

/// How long a claimed row stays out of other nodes' reach.
#[derive(Debug, Clone, Copy)]
pub struct Lease(pub Duration);

impl Lease {
    /// The `claimed_until` of a row claimed at `now`.
    pub fn until(self, now: Millis) -> Millis {
        now.plus(self.0)
    }
}

/// When a failed attempt is tried again: `base`, then twice that, four times… capped at
/// `max_delay`; after `max_attempts` attempts, never.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub base: Duration,
    pub max_attempts: u32,
    pub max_delay: Duration,
}

/// What follows a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    GiveUp,
}

impl Retry {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max_delay)
    }

    /// What to do once `attempts` attempts have failed.
    pub fn after(&self, attempts: u32) -> AfterFailure {
        if attempts >= self.max_attempts { AfterFailure::GiveUp } else { AfterFailure::RetryIn(self.delay(attempts)) }
    }
}

/// The longest wait between two attempts of any outbox.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);

/// Runs `round` until `shutdown` says stop: a round that reports more due work runs again
/// at once, otherwise the worker sleeps `interval` (or until shutdown). A failed round is
/// logged and retried after the interval: the database may be back by then. Each round
/// counts in `rounds` (`rapport_outbox_rounds_total`).
pub async fn poll<F, Fut>(
    name: &'static str,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
    rounds: Counter,
    mut round: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = crate::error::Result<bool>>,
{
    tracing::info!(worker = name, ?interval, "outbox worker started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        let result = round().await;
        rounds.inc();
        match result {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::warn!(worker = name, error = %err, "outbox round failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break; // The server is gone.
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_cap_then_give_up() {
        let retry = Retry { base: Duration::from_secs(30), max_attempts: 4, max_delay: Duration::from_secs(100) };
        assert_eq!(retry.after(1), AfterFailure::RetryIn(Duration::from_secs(30)));
        assert_eq!(retry.after(2), AfterFailure::RetryIn(Duration::from_secs(60)));
        assert_eq!(retry.after(3), AfterFailure::RetryIn(Duration::from_secs(100)));
        assert_eq!(retry.after(4), AfterFailure::GiveUp);
        assert_eq!(retry.delay(200), Duration::from_secs(100), "no overflow");
    }

    #[test]
    fn a_lease_ends_its_duration_after_the_claim() {
        assert_eq!(Lease(Duration::from_secs(2)).until(Millis(1_000)), Millis(3_000));
    }
}
