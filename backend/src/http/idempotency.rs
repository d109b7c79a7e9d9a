//! `Idempotency-Key` on POST requests: a client that retries a POST (after a timeout, a
//! dropped connection) with the same key gets the first response again instead of a
//! second resource.
//!
//! Keys are per credential (the bearer token or session cookie): the first response to
//! (credential, key) is stored for 24 hours. The same key with the same request (method,
//! path, query and body) replays it, marked `Idempotent-Replayed: true`; with a different
//! request it is refused with 422 `idempotency_key_reused`; while the first request is
//! still running, with 409 `idempotency_key_in_use`. A 5xx response is not kept, so the
//! client may retry. Requests without credentials and without the header are untouched.

use openapi::error::ErrorBody;
use poem::{Body, Endpoint, IntoResponse, Request, Response, http::StatusCode};
use sha2::{Digest, Sha256};

use crate::{
    on_pool,
    state::AppState,
    store::{Millis, Store, is_unique_violation, now},
};

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_CHARS: usize = 255;
/// How long a stored response is replayed.
const KEPT_MS: i64 = 24 * 3600 * 1000;

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody { code: code.into(), message: message.into(), field: None };
    let mut response = poem_openapi::payload::Json(body).into_response();
    response.set_status(status);
    response
}

#[derive(sqlx::FromRow)]
struct Stored {
    request_hash: String,
    status: Option<i64>,
    response_body: Option<String>,
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

pub async fn guard<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let Some(key) = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_owned)) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    if req.method() != poem::http::Method::POST {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let Some(credential) = crate::http::rate_limit::credential(&req) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let key = match key {
        Ok(key) if !key.trim().is_empty() && key.chars().count() <= MAX_KEY_CHARS => key,
        _ => {
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)",
            ));
        }
    };
    let Some(state) = req.data::<AppState>().cloned() else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let store = &state.store;
    // The body is already bounded by the body size limit, which runs first.
    let body = req.take_body().into_vec().await?;
    let target = req.uri().path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default();
    let request_hash = hex_sha256(&[req.method().as_str().as_bytes(), target.as_bytes(), &body]);
    let credential_hash = hex_sha256(&[credential.as_bytes()]);
    req.set_body(Body::from(body));

    let now = now();
    match claim(store, &credential_hash, &key, &request_hash, now).await {
        Err(err) => {
            tracing::error!(error = %err, "idempotency store failed");
            return Ok(refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on the server; it has been logged",
            ));
        }
        Ok(Some(earlier)) if earlier.request_hash != request_hash => {
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request in the last 24 hours; use a fresh key per request",
            ));
        }
        Ok(Some(Stored { status: Some(status), response_body, .. })) => {
            let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
            let mut response = Response::builder()
                .status(status)
                .content_type("application/json; charset=utf-8")
                .header("idempotent-replayed", "true")
                .body(response_body.unwrap_or_default());
            response.set_status(status);
            return Ok(response);
        }
        Ok(Some(_)) => {
            return Ok(refuse(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed; retry shortly",
            ));
        }
        Ok(None) => {}
    }

    let response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(err) => {
            // Refused before producing a response (credentials, parsing): nothing to keep.
            if let Err(err) = forget(store, &credential_hash, &key).await {
                tracing::error!(error = %err, "forgetting an idempotency key failed");
            }
            return Err(err);
        }
    };
    let status = response.status();
    let (parts, body) = response.into_parts();
    let bytes = body.into_vec().await.unwrap_or_default();
    let keep = !status.is_server_error() && std::str::from_utf8(&bytes).is_ok();
    let outcome = if keep {
        finish(store, &credential_hash, &key, status.as_u16(), std::str::from_utf8(&bytes).unwrap_or_default()).await
    } else {
        forget(store, &credential_hash, &key).await
    };
    if let Err(err) = outcome {
        tracing::error!(error = %err, "recording an idempotent response failed");
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Inserts a claim for (credential, key), or returns the live earlier one.
async fn claim(
    store: &Store,
    credential_hash: &str,
    key: &str,
    request_hash: &str,
    now: Millis,
) -> Result<Option<Stored>, sqlx::Error> {
    // An expired entry no longer counts.
    on_pool!(store, |pool| {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE credential_hash = $1 AND idempotency_key = $2 AND created_at < $3",
        )
        .bind(credential_hash)
        .bind(key)
        .bind(Millis(now.0 - KEPT_MS))
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    let inserted = on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO idempotency_keys (credential_hash, idempotency_key, request_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(credential_hash)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    });
    match inserted {
        Ok(_) => Ok(None),
        Err(err) if is_unique_violation(&err) => {
            let earlier: Option<Stored> = on_pool!(store, |pool| {
                sqlx::query_as(
                    "SELECT request_hash, status, response_body FROM idempotency_keys
                     WHERE credential_hash = $1 AND idempotency_key = $2",
                )
                .bind(credential_hash)
                .bind(key)
                .fetch_optional(pool)
                .await
            })?;
            // Gone in between (expired, or the first attempt failed): treat as in use, so
            // the client retries rather than this request running unguarded.
            Ok(Some(earlier.unwrap_or(Stored {
                request_hash: request_hash.to_owned(),
                status: None,
                response_body: None,
            })))
        }
        Err(err) => Err(err),
    }
}

async fn finish(store: &Store, credential_hash: &str, key: &str, status: u16, body: &str) -> Result<(), sqlx::Error> {
    on_pool!(store, |pool| {
        sqlx::query("UPDATE idempotency_keys SET status = $3, response_body = $4 WHERE credential_hash = $1 AND idempotency_key = $2")
            .bind(credential_hash)
            .bind(key)
            .bind(i64::from(status))
            .bind(body)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

async fn forget(store: &Store, credential_hash: &str, key: &str) -> Result<(), sqlx::Error> {
    on_pool!(store, |pool| {
        sqlx::query("DELETE FROM idempotency_keys WHERE credential_hash = $1 AND idempotency_key = $2")
            .bind(credential_hash)
            .bind(key)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}
