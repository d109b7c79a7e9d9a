//! The client's side of the server's `resume` rate limit: a console resuming thousands
//! of conversations sends them as fast as it may, and no faster, because a hundred
//! refused frames in a row close the socket (PROTOCOL.md §6).

use std::time::{Duration, Instant};

/// `resume` and `ping` frames per second per connection (PROTOCOL.md §6; `hello` only
/// announces the limits of the other frames).
const RESUMES_PER_SECOND: f64 = 50.0;
/// Frames allowed at once above that rate.
const RESUME_BURST: f64 = 500.0;

/// A token bucket matching the server's, started full like the server's.
pub struct Pacer {
    tokens: f64,
    updated: Instant,
    /// A `rate_limited` answer said to wait until then.
    paused_until: Option<Instant>,
}

impl Pacer {
    pub fn new() -> Self {
        Self { tokens: RESUME_BURST, updated: Instant::now(), paused_until: None }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * RESUMES_PER_SECOND).min(RESUME_BURST);
        self.updated = now;
    }

    /// Takes a token if one is available now.
    pub fn try_take(&mut self) -> bool {
        let now = Instant::now();
        if self.paused_until.is_some_and(|until| now < until) {
            return false;
        }
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// How long until [`Pacer::try_take`] may succeed.
    pub fn next_in(&mut self) -> Duration {
        let now = Instant::now();
        self.refill(now);
        let refill = Duration::from_secs_f64(((1.0 - self.tokens) / RESUMES_PER_SECOND).max(0.0));
        let pause = self.paused_until.map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        refill.max(pause)
    }

    /// The server refused a frame: send nothing for `wait`.
    pub fn pause(&mut self, wait: Duration) {
        self.paused_until = Some(Instant::now() + wait);
        self.tokens = 0.0;
    }
}
