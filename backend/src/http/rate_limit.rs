//! Per-credential rate limits on the REST API: a token bucket per API key, agent session
//! or visitor token (whatever the request authenticates with), kept in memory on each
//! node. Over the limit a request gets `429` with `Retry-After` (whole seconds) and the
//! usual error body (`rate_limited`).
//!
//! Per node rather than shared: behind a load balancer of N nodes a credential gets up to
//! N times the rate, which bounds abuse just as well without a Redis round trip per
//! request. Requests without credentials (sign-up, sign-in, widget session start) are not
//! limited here.

use std::{num::NonZeroU32, sync::Arc};

use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};

use openapi::error::ErrorBody;
use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};
use sha2::{Digest, Sha256};

use crate::config::Env;

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
    pub(crate) fn from_env(env: &Env) -> Self {
        Self { per_minute: env.rate_limit_per_minute.0 as u32, burst: env.rate_limit_burst.0 as u32 }
    }
}

/// The buckets of one node: `governor`'s keyed GCRA limiter (a token bucket without a
/// timer), one cell per credential hash. `None` when limiting is off.
#[derive(Clone)]
pub struct RateLimiter {
    buckets: Option<Arc<DefaultKeyedRateLimiter<[u8; 32]>>>,
}

/// Buckets kept before idle full ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn new(settings: RateLimitSettings) -> Self {
        let buckets = NonZeroU32::new(settings.per_minute).map(|per_minute| {
            let burst = NonZeroU32::new(settings.burst).unwrap_or(NonZeroU32::MIN);
            Arc::new(governor::RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)))
        });
        Self { buckets }
    }

    /// Takes a token for `credential`; `Err(seconds)` to wait when there is none.
    pub fn take(&self, credential: &str) -> Result<(), u64> {
        let Some(buckets) = &self.buckets else {
            return Ok(());
        };
        // Hashed: the map never holds a usable credential.
        let key: [u8; 32] = Sha256::digest(credential.as_bytes()).into();
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain_recent();
        }
        buckets.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(buckets.clock().now());
            wait.as_secs_f64().ceil().max(1.0) as u64
        })
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
