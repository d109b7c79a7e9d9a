//! Per-credential rate limits on the REST API: a token bucket per API key, agent session
//! or visitor token (whatever the request authenticates with), kept in memory on each
//! node. Over the limit a request gets `429` with `Retry-After` (whole seconds) and the
//! usual error body (`rate_limited`).
//!
//! Per node rather than shared: behind a load balancer of N nodes a credential gets up to
//! N times the rate, which bounds abuse just as well without a Redis round trip per
//! request. Requests without credentials (sign-up, sign-in, widget session start) are not
//! limited here.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use openapi::error::ErrorBody;
use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};
use sha2::{Digest, Sha256};

use crate::config::{ConfigError, invalid};

/// How fast each credential may call.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitSettings {
    /// Sustained requests per minute per credential (`RAPPORT_RATE_LIMIT_PER_MINUTE`,
    /// default 1200; 0 turns limiting off).
    pub per_minute: u32,
    /// Requests a credential may make at once before the rate applies
    /// (`RAPPORT_RATE_LIMIT_BURST`, default 600).
    pub burst: u32,
}

impl RateLimitSettings {
    pub(crate) fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let number = |name: &'static str, default: u32| match get(name) {
            None => Ok(default),
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 1_000_000)
                .ok_or_else(|| invalid(name, format!("`{value}` is not a whole number from 0 to 1000000"))),
        };
        Ok(Self {
            per_minute: number("RAPPORT_RATE_LIMIT_PER_MINUTE", 1200)?,
            burst: number("RAPPORT_RATE_LIMIT_BURST", 600)?.max(1),
        })
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of one node.
#[derive(Clone)]
pub struct RateLimiter {
    settings: RateLimitSettings,
    buckets: Arc<Mutex<HashMap<[u8; 32], Bucket>>>,
}

/// Buckets kept before idle full ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn new(settings: RateLimitSettings) -> Self {
        Self { settings, buckets: Arc::default() }
    }

    /// Takes a token for `credential`; `Err(seconds)` to wait when there is none.
    pub fn take(&self, credential: &str) -> Result<(), u64> {
        if self.settings.per_minute == 0 {
            return Ok(());
        }
        let per_second = f64::from(self.settings.per_minute) / 60.0;
        let burst = f64::from(self.settings.burst);
        let key: [u8; 32] = Sha256::digest(credential.as_bytes()).into();
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| b.tokens + now.duration_since(b.updated).as_secs_f64() * per_second < burst);
        }
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: burst, updated: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * per_second).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// The credential a request presents: its bearer token or its session cookie.
pub(crate) fn credential(req: &Request) -> Option<String> {
    if let Some(bearer) = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
    {
        return Some(bearer.trim().to_owned());
    }
    // Read from the header: the cookie jar exists only inside the API endpoint.
    req.headers().get_all(poem::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|header| {
        header.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == crate::auth::SESSION_COOKIE).then(|| value.to_owned())
        })
    })
}

/// Middleware: refuses a request over its credential's limit.
pub async fn limit<E: Endpoint>(next: E, req: Request, limiter: RateLimiter) -> poem::Result<Response> {
    if let Some(credential) = credential(&req)
        && let Err(retry_after) = limiter.take(&credential)
    {
        let body = ErrorBody {
            code: "rate_limited".into(),
            message: format!("too many requests with this credential; retry in {retry_after} s"),
            field: None,
        };
        let mut response = poem_openapi::payload::Json(body).into_response();
        response.set_status(StatusCode::TOO_MANY_REQUESTS);
        response.headers_mut().insert("retry-after", retry_after.into());
        return Ok(response);
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_says_when_to_retry() {
        let limiter = RateLimiter::new(RateLimitSettings { per_minute: 60, burst: 3 });
        for _ in 0..3 {
            assert!(limiter.take("key-a").is_ok());
        }
        assert_eq!(limiter.take("key-a"), Err(1));
        assert!(limiter.take("key-b").is_ok(), "buckets are per credential");
        let off = RateLimiter::new(RateLimitSettings { per_minute: 0, burst: 1 });
        assert!((0..100).all(|_| off.take("k").is_ok()));
    }
}
