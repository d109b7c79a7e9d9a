//! Throttles for what a client can do before it has a credential: sign in, sign up, ask for
//! a password reset, start widget sessions. The per-credential rate limit
//! ([`crate::http::rate_limit`]) never sees these requests, and a fresh visitor token or a guess
//! at a password costs an attacker nothing, so they are counted per client address and,
//! where there is one, per account:
//!
//! | what | per client address | per account (email) |
//! |---|---|---|
//! | sign-in | `RAPPORT_AUTH_ATTEMPTS_PER_MINUTE` (10) | `RAPPORT_SIGNIN_ATTEMPTS_PER_ACCOUNT_PER_HOUR` (20) |
//! | sign-up | `RAPPORT_SIGNUPS_PER_HOUR` (10) | — |
//! | password reset request | `RAPPORT_AUTH_ATTEMPTS_PER_MINUTE` (10) | 3 per hour |
//! | new widget session | `RAPPORT_WIDGET_SESSIONS_PER_MINUTE` (60) | — |
//!
//! Each is a token bucket (`governor`) whose burst is its hourly or per-minute figure.
//! The address bucket is taken first, so a flood from one address spends only its own
//! few tries at the account: the account's owner, signing in from elsewhere, is not locked
//! out by one noisy address. Buckets live in memory per node (several nodes multiply the
//! figures, which still bounds guessing); client addresses come from [`client`].

pub mod client;

use std::{hash::Hash, net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use poem::Request;
use sha2::{Digest, Sha256};

pub use self::client::TrustedProxies;
use crate::{
    config::{Env, Number},
    error::{Error, Result},
};

/// The throttles' configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Proxies whose `X-Forwarded-For` is believed (`RAPPORT_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// Sign-in and password-reset attempts per client address per minute; 0 is off.
    pub auth_per_minute: u32,
    /// Sign-in attempts at one account per hour, from all addresses; 0 is off.
    pub signin_per_account_per_hour: u32,
    /// Workspaces one client address may create per hour; 0 is off.
    pub signups_per_hour: u32,
    /// New visitors one client address may start per minute; 0 is off.
    pub widget_sessions_per_minute: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            trusted_proxies: TrustedProxies::default(),
            auth_per_minute: 10,
            signin_per_account_per_hour: 20,
            signups_per_hour: 10,
            widget_sessions_per_minute: 60,
        }
    }
}

impl ThrottleSettings {
    /// Each figure is its variable's value when set; unset, the default, or 0 (off) when
    /// `RAPPORT_RATE_LIMIT_PER_MINUTE` is 0: whoever turns limiting off for a load test
    /// that starts thousands of visitors from one address means these too.
    pub(crate) fn from_env(env: &Env) -> Self {
        let limiting = env.rate_limit_per_minute.0 > 0;
        let defaults = Self::default();
        let figure = |set: Option<Number<0, 1_000_000>>, default: u32| match set {
            Some(n) => u32::try_from(n.0).unwrap_or(u32::MAX),
            None if limiting => default,
            None => 0,
        };
        Self {
            trusted_proxies: env.trusted_proxies.clone(),
            auth_per_minute: figure(env.auth_attempts_per_minute, defaults.auth_per_minute),
            signin_per_account_per_hour: figure(
                env.signin_attempts_per_account_per_hour,
                defaults.signin_per_account_per_hour,
            ),
            signups_per_hour: figure(env.signups_per_hour, defaults.signups_per_hour),
            widget_sessions_per_minute: figure(env.widget_sessions_per_minute, defaults.widget_sessions_per_minute),
        }
    }
}

/// Password reset mails one account may be sent per hour.
const RESETS_PER_ACCOUNT_PER_HOUR: u32 = 3;
/// Keys kept before idle ones are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// One keyed token bucket, or nothing when turned off.
struct Bucket<K: Hash + Eq + Clone> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Bucket<K> {
    /// `count` tries per `period`, all of them available at once.
    fn new(count: u32, period: Duration) -> Self {
        let limiter = NonZeroU32::new(count).and_then(|burst| {
            let quota = Quota::with_period(period / count)?.allow_burst(burst);
            Some(RateLimiter::keyed(quota))
        });
        Self { limiter }
    }

    /// Takes a try for `key`; `Err(seconds)` until the next one.
    fn take(&self, key: &K) -> std::result::Result<(), u64> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        if limiter.len() > PRUNE_ABOVE {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            not_until.wait_time_from(DefaultClock::default().now()).as_secs_f64().ceil().max(1.0) as u64
        })
    }
}

/// The node's throttles.
pub struct Throttles {
    trusted_proxies: TrustedProxies,
    signin_by_address: Bucket<IpAddr>,
    signin_by_account: Bucket<[u8; 32]>,
    signup_by_address: Bucket<IpAddr>,
    reset_by_address: Bucket<IpAddr>,
    reset_by_account: Bucket<[u8; 32]>,
    widget_session_by_address: Bucket<IpAddr>,
}

/// Something a client without credentials does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    SignIn,
    SignUp,
    PasswordReset,
    WidgetSession,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl Throttles {
    pub fn new(settings: &ThrottleSettings) -> Self {
        Self {
            trusted_proxies: settings.trusted_proxies.clone(),
            signin_by_address: Bucket::new(settings.auth_per_minute, MINUTE),
            signin_by_account: Bucket::new(settings.signin_per_account_per_hour, HOUR),
            signup_by_address: Bucket::new(settings.signups_per_hour, HOUR),
            reset_by_address: Bucket::new(settings.auth_per_minute, MINUTE),
            reset_by_account: Bucket::new(RESETS_PER_ACCOUNT_PER_HOUR, HOUR),
            widget_session_by_address: Bucket::new(settings.widget_sessions_per_minute, MINUTE),
        }
    }

    /// The client address of `req`, as the throttles count it.
    pub fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        client::client_ip(req, &self.trusted_proxies)
    }

    /// Counts an attempt from the client of `req`.
    pub fn from_client(&self, attempt: Attempt, req: &Request) -> Result<()> {
        let Some(ip) = self.client_ip(req) else { return Ok(()) };
        let key = client::throttle_key(ip);
        let bucket = match attempt {
            Attempt::SignIn => &self.signin_by_address,
            Attempt::SignUp => &self.signup_by_address,
            Attempt::PasswordReset => &self.reset_by_address,
            Attempt::WidgetSession => &self.widget_session_by_address,
        };
        bucket.take(&key).map_err(|retry_after_secs| Error::Throttled {
            message: format!("too many attempts from your address; retry in {retry_after_secs} s"),
            retry_after_secs,
        })
    }

    /// Counts an attempt at the account of `email` (as typed: known or not, the answer is
    /// the same, so throttling tells nobody whether an account exists).
    pub fn at_account(&self, attempt: Attempt, email: &str) -> Result<()> {
        let key: [u8; 32] = Sha256::digest(email.trim().to_lowercase().as_bytes()).into();
        let bucket = match attempt {
            Attempt::SignIn => &self.signin_by_account,
            Attempt::PasswordReset => &self.reset_by_account,
            Attempt::SignUp | Attempt::WidgetSession => return Ok(()),
        };
        bucket.take(&key).map_err(|retry_after_secs| Error::Throttled {
            message: format!("too many attempts for this account; retry in {retry_after_secs} s"),
            retry_after_secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_says_when() {
        let bucket: Bucket<u8> = Bucket::new(3, MINUTE);
        assert!((0..3).all(|_| bucket.take(&1).is_ok()));
        let wait = bucket.take(&1).unwrap_err();
        assert!((1..=20).contains(&wait), "one try comes back every 20 s: {wait}");
        assert!(bucket.take(&2).is_ok(), "keys are counted apart");
        let off: Bucket<u8> = Bucket::new(0, MINUTE);
        assert!((0..1000).all(|_| off.take(&1).is_ok()));
    }

    #[test]
    fn accounts_are_counted_whatever_the_case() {
        let throttles = Throttles::new(&ThrottleSettings { signin_per_account_per_hour: 2, ..Default::default() });
        assert!(throttles.at_account(Attempt::SignIn, "Bo@Acme.test").is_ok());
        assert!(throttles.at_account(Attempt::SignIn, " bo@acme.test").is_ok());
        let err = throttles.at_account(Attempt::SignIn, "bo@acme.test").unwrap_err();
        assert!(matches!(err, Error::Throttled { retry_after_secs, .. } if retry_after_secs >= 1));
        assert!(throttles.at_account(Attempt::SignIn, "jo@acme.test").is_ok());
    }
}
