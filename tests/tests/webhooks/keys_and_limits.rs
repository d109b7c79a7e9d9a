//! The rest of the integration surface: API keys and rate limits.

use reqwest::StatusCode;
use serde_json::json;
use system_tests::{AppOptions, assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn api_keys_are_shown_once_scoped_and_refused_at_once_when_revoked() {
    let app = spawn_app().await;
    let ws = app.signup("Keys").await;
    let (status, created) = app.post("/api-keys", &ws.token, json!({"name": "CRM", "scope": "write"})).await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    let key_id = created["api_key"]["id"].as_str().unwrap().to_owned();
    assert!(created["api_key"]["last_used_at"].is_null());

    let (status, body) = app.get("/conversations", &secret).await;
    assert_eq!(status, 200, "{body}");
    let (_, keys) = app.get("/api-keys", &ws.token).await;
    let listed = &keys["items"][0];
    assert_eq!(listed["id"], key_id.as_str());
    assert!(listed["last_used_at"].is_string(), "use is recorded: {listed}");
    assert!(!keys.to_string().contains(&secret), "the secret is never shown again");

    let (status, read_only) = app.post("/api-keys", &ws.token, json!({"name": "BI", "scope": "read"})).await;
    assert_eq!(status, 201);
    let read_only = read_only["secret"].as_str().unwrap();
    let (status, _) = app.get("/conversations", read_only).await;
    assert_eq!(status, 200);
    let (status, body) =
        app.patch(&format!("/conversations/{}", uuid::Uuid::now_v7()), read_only, json!({"status": "resolved"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let (status, body) = app.post(&format!("/api-keys/{key_id}/revoke"), &ws.token, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["revoked_at"].is_string());
    // The very next request with it is refused.
    let (status, body) = app.get("/conversations", &secret).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(body["message"].as_str().unwrap().contains("revoked"), "{body}");
}

#[tokio::test]
async fn a_credential_over_its_rate_gets_429_with_retry_after() {
    let env = [("RAPPORT_RATE_LIMIT_PER_MINUTE", "60"), ("RAPPORT_RATE_LIMIT_BURST", "3")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec();
    let app = spawn_app_with(AppOptions { env, ..AppOptions::default() }).await;
    let ws = app.signup("Limits").await;
    let (status, key) = app.post("/api-keys", &ws.token, json!({"name": "CRM", "scope": "read"})).await;
    assert_eq!(status, 201);
    let key = key["secret"].as_str().unwrap();
    for _ in 0..3 {
        let (status, body) = app.get("/conversations", key).await;
        assert_eq!(status, 200, "{body}");
    }
    let response = app.request(reqwest::Method::GET, "/conversations", Some(key)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_error(StatusCode::TOO_MANY_REQUESTS, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");

    // Limits are per credential: the owner's session still works.
    let (status, _) = app.get("/conversations", &ws.token).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_response_and_refuses_another_request() {
    let app = spawn_app().await;
    let ws = app.signup("Idem").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello").await;
    let path = format!("/conversations/{conversation}/messages");
    let send = |body: serde_json::Value| {
        app.request(reqwest::Method::POST, &path, Some(&ws.token))
            .header("Idempotency-Key", "order-42")
            .json(&body)
            .send()
    };

    let first = send(json!({"body": "Your order shipped"})).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: serde_json::Value = first.json().await.unwrap();
    let again = send(json!({"body": "Your order shipped"})).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED, "the first response, replayed");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again, first);
    let (_, messages) = app.get(&path, &ws.token).await;
    assert_eq!(messages["items"].as_array().unwrap().len(), 2, "one greeting, one reply: stored once");

    let other = send(json!({"body": "Something else"})).await.unwrap();
    let status = other.status();
    let body: serde_json::Value = other.json().await.unwrap();
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");

    // Keys belong to their credential: another caller's same key is a new request.
    let (_, key) = app.post("/api-keys", &ws.token, json!({"name": "CRM", "scope": "write"})).await;
    let response = app
        .request(reqwest::Method::POST, &path, Some(key["secret"].as_str().unwrap()))
        .header("Idempotency-Key", "order-42")
        .json(&json!({"body": "Something else"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}
