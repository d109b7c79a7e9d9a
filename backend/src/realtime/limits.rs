//! What a connection may do, and how fast.

use std::{
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use governor::{
    Quota,
    clock::Clock,
    middleware::NoOpMiddleware,
    nanos::Nanos,
    state::{InMemoryState, NotKeyed},
};

use openapi::realtime::Limits;

/// Frames above this size close the connection with 1009 (OWASP: bound what one peer can
/// make the server buffer). A 10,000-character message in JSON fits with room to spare.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Sustained inbound frames per second per connection.
pub const FRAMES_PER_SECOND: u32 = 10;
/// Inbound frames allowed in a burst (a widget's outbox flushing after a reconnect).
pub const FRAME_BURST: u32 = 30;
/// `resume`, `feed` and `ping` frames have their own, larger allowance: a client
/// reconnecting with many open conversations resumes them all at once, a replay is a read, not a
/// write, and a client that was rate limited for sending must still get its heartbeats
/// answered.
pub const SYNCS_PER_SECOND: u32 = 50;
pub const SYNC_BURST: u32 = 500;
/// Refused frames in a row after which the connection is closed (1008): a client that
/// ignores `rate_limited` is not a chat client.
pub const MAX_REFUSED_IN_A_ROW: u32 = 100;
/// How often the server pings, refreshes presence and expects traffic.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// A connection with no inbound traffic at all (frames, pongs) for this long is dead.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A frame the client does not take within this long marks it as too slow to keep:
/// it is dropped (to resume later) instead of making the server buffer for it.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Bus events a socket handles before it writes what they produced: the frames of
/// events already waiting go out in one write (see `Connection::on_events`).
pub const EVENTS_PER_WRITE: usize = 64;
/// How long a closing socket waits for the client's close reply.
pub const CLOSE_LINGER: Duration = Duration::from_secs(1);
/// How often credentials are checked again (sessions expire, agents get deactivated)
/// in case the bus event that closes the socket at once was missed.
pub const RECHECK_CREDENTIALS: Duration = Duration::from_secs(60);
/// A typing indicator counts as stopped after this long without a new one.
pub const TYPING_EXPIRES: Duration = Duration::from_secs(6);
/// Typing frames for one conversation are forwarded at most this often, unless the
/// state flips (started ↔ stopped).
pub const TYPING_THROTTLE: Duration = Duration::from_millis(1500);
/// The longest `ref` a client frame may carry to have it echoed in an `error`.
pub const MAX_REF_CHARS: usize = 64;
/// The longest typing preview forwarded (longer ones are cut).
pub const PREVIEW_CHARS: usize = 500;
/// Messages replayed per database read.
pub const REPLAY_PAGE: u32 = 200;

pub fn announced() -> Limits {
    Limits {
        max_frame_bytes: MAX_FRAME_BYTES as u32,
        max_body_chars: crate::messages::MAX_BODY_CHARS as u32,
        frames_per_second: FRAMES_PER_SECOND,
        frame_burst: FRAME_BURST,
    }
}

/// A token bucket: `burst` frames at once, refilled at `per_second` (`governor`'s GCRA),
/// on the connection's own clock: the instant each frame is checked at, so tests can
/// step time.
pub struct RateLimiter {
    bucket: governor::RateLimiter<NotKeyed, InMemoryState, FrameClock, NoOpMiddleware<Nanos>>,
    clock: FrameClock,
    /// The first instant checked: the clock's zero.
    origin: Option<Instant>,
}

/// Time as the frames see it: nanoseconds since the first check, only moving forward.
#[derive(Clone, Debug, Default)]
struct FrameClock(Arc<AtomicU64>);

impl Clock for FrameClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(self.0.load(Ordering::Relaxed))
    }
}

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let clock = FrameClock::default();
        let bucket =
            governor::RateLimiter::direct_with_clock(Quota::per_second(per_second).allow_burst(burst), clock.clone());
        Self { bucket, clock, origin: None }
    }

    /// Takes one token at `now`, or says how long until one is available.
    pub fn check(&mut self, now: Instant) -> Result<(), Duration> {
        let origin = *self.origin.get_or_insert(now);
        let since = u64::try_from(now.saturating_duration_since(origin).as_nanos()).unwrap_or(u64::MAX);
        self.clock.0.fetch_max(since, Ordering::Relaxed);
        self.bucket.check().map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").field("clock", &self.clock).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_sustained_rate() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 3);
        for _ in 0..3 {
            assert!(limiter.check(start).is_ok());
        }
        let wait = limiter.check(start).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(100));
        assert!(limiter.check(start + Duration::from_millis(100)).is_ok());
        assert!(limiter.check(start + Duration::from_millis(100)).is_err());
        // Idle time refills up to the burst, not beyond.
        let later = start + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(limiter.check(later).is_ok());
        }
        assert!(limiter.check(later).is_err());
    }
}
