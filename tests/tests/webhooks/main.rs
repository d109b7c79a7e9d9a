//! Webhooks end to end: a real server sends signed requests to a real HTTP receiver on
//! loopback (allowed by `RAPPORT_WEBHOOKS_ALLOW_PRIVATE=true`, which these tests set),
//! and every signature is recomputed here from the raw bytes received.
//!
//! - [`delivery`]: signatures, every event type, retries with the same id, ordering per
//!   conversation, disabling after repeated failure, replay, secret rotation.
//! - [`subscriptions`]: the SSRF guard, tenant isolation, the site filter, roles, ratings.
//! - [`keys_and_limits`]: API keys (shown once, scoped, revoked at once) and rate limits.

mod delivery;
mod keys_and_limits;
use system_tests::webhook_receiver as receiver;
mod subscriptions;

use receiver::Receiver;
use serde_json::{Value, json};
use system_tests::{AppOptions, TestApp, Workspace, spawn_app_with};

/// A server whose webhook worker polls and retries quickly, allowed to call loopback.
pub async fn hooks_app(extra: &[(&str, &str)]) -> TestApp {
    let mut env: Vec<(String, String)> = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    env.extend(
        [
            ("RAPPORT_WEBHOOKS_ALLOW_PRIVATE", "true"),
            ("RAPPORT_WEBHOOKS_POLL_MS", "50"),
            ("RAPPORT_WEBHOOKS_RETRY_BASE_MS", "100"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    spawn_app_with(AppOptions { env, ..AppOptions::default() }).await
}

/// Subscribes `receiver` to `events` (all when empty); returns (webhook, secret).
pub async fn subscribe(app: &TestApp, workspace: &Workspace, receiver: &Receiver, events: &[&str]) -> (Value, String) {
    let events: Vec<&str> = if events.is_empty() {
        vec![
            "conversation.created",
            "conversation.assigned",
            "conversation.status_changed",
            "message.created",
            "visitor.identified",
            "rating.submitted",
        ]
    } else {
        events.to_vec()
    };
    let (status, body) = app.post("/webhooks", &workspace.token, json!({"url": receiver.url, "events": events})).await;
    assert_eq!(status, 201, "{body}");
    (body["webhook"].clone(), body["secret"].as_str().unwrap().to_owned())
}
