//! Signed, retried, ordered, disabled, replayed.

use std::collections::HashSet;

use serde_json::{Value, json};
use system_tests::{TestApp, eventually, id};
use uuid::Uuid;

use crate::{
    hooks_app,
    receiver::{Receiver, assert_signed_with, expected_signature},
    subscribe,
};

async fn deliveries(app: &TestApp, token: &str, webhook_id: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("/webhooks/{webhook_id}/deliveries?limit=200"), token).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// The delivery log once `n` deliveries are recorded as delivered.
async fn delivered_log(app: &TestApp, token: &str, webhook_id: &str, n: usize) -> Vec<Value> {
    eventually(&format!("{n} deliveries recorded as delivered"), || async {
        let log = deliveries(app, token, webhook_id).await;
        (log.iter().filter(|d| d["status"] == "delivered").count() >= n).then_some(log)
    })
    .await
}

async fn fetch_webhook(app: &TestApp, token: &str, webhook_id: &str) -> Value {
    let (status, body) = app.get(&format!("/webhooks/{webhook_id}"), token).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn every_event_arrives_signed_byte_for_byte() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    let ws = app.signup("Signed").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (webhook, secret) = subscribe(&app, &ws, &receiver, &[]).await;
    assert!(secret.starts_with("whsec_"));
    assert!(webhook.get("secret").is_none(), "the secret is not part of the subscription: {webhook}");

    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello").await;
    let (status, body) =
        app.patch(&format!("/conversations/{conversation}"), &ws.token, json!({"assignee_id": ws.owner_id})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        app.patch(&format!("/conversations/{conversation}"), &ws.token, json!({"status": "pending"})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.post("/widget/identify", &visitor, json!({"user_id": "u-1", "name": "Ana"})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .post(
            &format!("/widget/conversations/{conversation}/rating"),
            &visitor,
            json!({"score": 5, "comment": "Great"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let received = receiver.wait_delivered(6).await;
    let types: Vec<String> = received.iter().map(|r| r.event_type()).collect();
    for expected in [
        "conversation.created",
        "message.created",
        "conversation.assigned",
        "conversation.status_changed",
        "visitor.identified",
        "rating.submitted",
    ] {
        assert!(types.iter().any(|t| t == expected), "no {expected} in {types:?}");
    }
    let now = chrono::Utc::now().timestamp();
    for request in &received {
        assert_signed_with(request, &secret);
        // A flipped byte in the body must not verify: the test really checks the bytes.
        let mut tampered = request.body.clone();
        tampered[0] ^= 1;
        let forged = expected_signature(&secret, request.id(), request.header("webhook-timestamp"), &tampered);
        assert!(!request.header("webhook-signature").contains(&forged));
        assert!(request.id().starts_with("msg_"));
        let timestamp: i64 = request.header("webhook-timestamp").parse().unwrap();
        assert!((now - timestamp).abs() < 120, "timestamp {timestamp} is the send time in seconds");
        assert!(request.header("content-type").starts_with("application/json"));
        let payload = request.json();
        assert_eq!(id(&payload["workspace_id"]), ws.id);
        assert!(payload["timestamp"].is_string());
    }
    let by_type = |t: &str| received.iter().find(|r| r.event_type() == t).unwrap().json();
    assert_eq!(id(&by_type("conversation.created")["data"]["conversation"]["id"]), conversation);
    assert_eq!(by_type("message.created")["data"]["message"]["body"], "Hello");
    assert_eq!(id(&by_type("conversation.assigned")["data"]["conversation"]["assignee_id"]), ws.owner_id);
    assert_eq!(by_type("conversation.status_changed")["data"]["previous_status"], "open");
    assert_eq!(by_type("conversation.status_changed")["data"]["conversation"]["status"], "pending");
    assert_eq!(by_type("visitor.identified")["data"]["visitor"]["user_id"], "u-1");
    assert_eq!(by_type("rating.submitted")["data"]["rating"]["score"], 5);

    // The log records each delivery with its attempt.
    let log = delivered_log(&app, &ws.token, webhook["id"].as_str().unwrap(), 6).await;
    assert_eq!(log.len(), 6, "{log:#?}");
    for delivery in &log {
        assert_eq!(delivery["status"], "delivered", "{delivery}");
        assert_eq!(delivery["attempts"][0]["status_code"], 200);
        assert!(delivery["attempts"][0]["duration_ms"].as_i64().unwrap() >= 0);
        let sent = received.iter().find(|r| r.id() == delivery["webhook_id"]).expect("logged delivery was received");
        assert_eq!(sent.body, delivery["payload"].as_str().unwrap().as_bytes(), "the log holds the exact body sent");
    }
}

#[tokio::test]
async fn a_failing_receiver_gets_retries_with_the_same_id() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    receiver.script(&[500, 503]);
    let ws = app.signup("Retry").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (webhook, secret) = subscribe(&app, &ws, &receiver, &["conversation.created"]).await;
    let visitor = app.visitor(&site_key).await;
    app.start_conversation(&visitor, "Hello").await;

    let received = receiver.wait_for("two failures and a success", |r| r.iter().any(|r| r.answered == 200)).await;
    assert_eq!(received.iter().map(|r| r.answered).collect::<Vec<_>>(), [500, 503, 200]);
    let ids: HashSet<&str> = received.iter().map(|r| r.id()).collect();
    assert_eq!(ids.len(), 1, "every retry carries the same webhook-id");
    assert!(received.windows(2).all(|w| w[0].body == w[1].body), "every retry carries the same body");
    for request in &received {
        assert_signed_with(request, &secret);
    }

    // The receiver records a request before the worker records its answer: poll the log.
    let log = delivered_log(&app, &ws.token, webhook["id"].as_str().unwrap(), 1).await;
    assert_eq!(log.len(), 1);
    let codes: Vec<&Value> = log[0]["attempts"].as_array().unwrap().iter().map(|a| &a["status_code"]).collect();
    assert_eq!(codes, [&json!(500), &json!(503), &json!(200)]);
    assert!(log[0]["attempts"][0]["error"].as_str().unwrap().contains("500"));
    // One failure streak that ended in success leaves the subscription enabled.
    assert_eq!(fetch_webhook(&app, &ws.token, webhook["id"].as_str().unwrap()).await["enabled"], true);
}

#[tokio::test]
async fn a_conversation_s_events_arrive_in_order() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    // The first event fails twice: nothing after it may overtake it meanwhile.
    receiver.script(&[500, 500]);
    let ws = app.signup("Order").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    subscribe(&app, &ws, &receiver, &["conversation.created", "message.created"]).await;
    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "m1").await;
    for n in 2..=6 {
        let (status, body) = app
            .post(&format!("/conversations/{conversation}/messages"), &ws.token, json!({"body": format!("m{n}")}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let received = receiver.wait_delivered(7).await;
    let all = receiver.received();
    // Arrival order, retries collapsed: each event starts only after the previous succeeded.
    let mut seen: Vec<&str> = Vec::new();
    for (i, request) in all.iter().enumerate() {
        if seen.last() != Some(&request.id()) {
            assert!(i == 0 || all[i - 1].answered < 300, "a new event was sent while the previous one was failing");
            assert!(!seen.contains(&request.id()), "an event was sent again after a later one");
            seen.push(request.id());
        }
    }
    let order: Vec<String> = received
        .iter()
        .map(|r| {
            let payload = r.json();
            match payload["type"].as_str().unwrap() {
                "conversation.created" => "created".to_owned(),
                _ => payload["data"]["message"]["body"].as_str().unwrap().to_owned(),
            }
        })
        .collect();
    assert_eq!(order, ["created", "m1", "m2", "m3", "m4", "m5", "m6"]);
}

#[tokio::test]
async fn repeated_failure_disables_the_subscription_with_a_notice() {
    let app = hooks_app(&[
        ("RAPPORT_WEBHOOKS_MAX_ATTEMPTS", "2"),
        ("RAPPORT_WEBHOOKS_DISABLE_AFTER_FAILURES", "4"),
        ("RAPPORT_WEBHOOKS_DISABLE_AFTER_SECS", "0"),
    ])
    .await;
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let ws = app.signup("Disable").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (webhook, _) = subscribe(&app, &ws, &receiver, &["conversation.created"]).await;
    let webhook_id = webhook["id"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        let visitor = app.visitor(&site_key).await;
        app.start_conversation(&visitor, "Hello").await;
    }
    let disabled = eventually("the subscription to be disabled", || async {
        let current = fetch_webhook(&app, &ws.token, &webhook_id).await;
        (current["enabled"] == false).then_some(current)
    })
    .await;
    let reason = disabled["disabled_reason"].as_str().expect("a notice says why");
    assert!(reason.contains("consecutive failed delivery attempts"), "{reason}");
    assert!(reason.contains("500"), "the notice names the last error: {reason}");
    assert!(disabled["disabled_at"].is_string());
    assert!(receiver.received().len() >= 4);

    // Disabled: new events are not queued, nothing more is sent. (Attempts already in
    // flight when it was disabled may still land: a round ends when its sends have, so
    // two rounds let them.)
    app.outbox_rounds_pass("webhooks", 2).await;
    let sent = receiver.received().len();
    let visitor = app.visitor(&site_key).await;
    app.start_conversation(&visitor, "While disabled").await;
    app.outbox_rounds_pass("webhooks", 3).await;
    assert_eq!(receiver.received().len(), sent, "{:#?}", crate::receiver::summary(&receiver.received()));

    // Re-enabling clears the notice, and events flow again.
    receiver.answer(200);
    let (status, body) = app.patch(&format!("/webhooks/{webhook_id}"), &ws.token, json!({"enabled": true})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["enabled"], true);
    assert!(body["disabled_reason"].is_null() && body["disabled_at"].is_null(), "{body}");
    let visitor = app.visitor(&site_key).await;
    app.start_conversation(&visitor, "After").await;
    receiver.wait_for("a delivery after re-enabling", |r| r.iter().any(|r| r.answered == 200)).await;
    let log = delivered_log(&app, &ws.token, &webhook_id, 1).await;
    assert!(log.iter().any(|d| d["status"] == "delivered"), "{log:#?}");
}

#[tokio::test]
async fn replay_sends_the_event_again_with_the_same_id() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    let ws = app.signup("Replay").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (webhook, secret) = subscribe(&app, &ws, &receiver, &["conversation.created"]).await;
    let webhook_id = webhook["id"].as_str().unwrap();
    let visitor = app.visitor(&site_key).await;
    app.start_conversation(&visitor, "Hello").await;
    let first = receiver.wait_delivered(1).await.remove(0);

    let log = delivered_log(&app, &ws.token, webhook_id, 1).await;
    let delivery_id = log[0]["id"].as_str().unwrap();
    let (status, replayed) =
        app.post(&format!("/webhooks/{webhook_id}/deliveries/{delivery_id}/replay"), &ws.token, json!({})).await;
    assert_eq!(status, 202, "{replayed}");
    assert_eq!(replayed["webhook_id"], first.id());
    assert_eq!(replayed["status"], "pending");

    let again = receiver.wait_delivered(2).await.remove(1);
    assert_eq!(again.id(), first.id());
    assert_eq!(again.body, first.body);
    assert_signed_with(&again, &secret);
    assert_eq!(deliveries(&app, &ws.token, webhook_id).await.len(), 2, "the replay has its own log entry");

    let unknown = Uuid::now_v7();
    let (status, _) =
        app.post(&format!("/webhooks/{webhook_id}/deliveries/{unknown}/replay"), &ws.token, json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn after_rotation_both_secrets_sign_until_the_grace_period_ends() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    let ws = app.signup("Rotate").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (webhook, old_secret) = subscribe(&app, &ws, &receiver, &["conversation.created"]).await;
    let webhook_id = webhook["id"].as_str().unwrap();
    let (status, rotated) = app.post(&format!("/webhooks/{webhook_id}/rotate-secret"), &ws.token, json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, old_secret);
    assert!(rotated["webhook"]["previous_secret_expires_at"].is_string());

    let visitor = app.visitor(&site_key).await;
    app.start_conversation(&visitor, "Hello").await;
    let request = receiver.wait_delivered(1).await.remove(0);
    assert_eq!(request.header("webhook-signature").split(' ').count(), 2);
    assert_signed_with(&request, new_secret);
    assert_signed_with(&request, &old_secret);
}

#[tokio::test]
async fn a_test_event_reaches_the_endpoint_signed_whatever_the_filter() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    let ws = app.signup("Tester").await;
    let (webhook, secret) = subscribe(&app, &ws, &receiver, &["rating.submitted"]).await;
    let webhook_id = webhook["id"].as_str().unwrap();

    let (status, queued) = app.post(&format!("/webhooks/{webhook_id}/test"), &ws.token, json!({})).await;
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["event_type"], "webhook.test");
    assert_eq!(queued["status"], "pending");
    let test = receiver.wait_delivered(1).await.remove(0);
    assert_eq!(test.event_type(), "webhook.test");
    assert_eq!(test.id(), queued["webhook_id"]);
    assert_eq!(test.json()["data"]["webhook_id"], webhook["id"]);
    assert_signed_with(&test, &secret);
    let log = delivered_log(&app, &ws.token, webhook_id, 1).await;
    assert_eq!(log[0]["id"], queued["id"], "the test is in the delivery log");

    // It cannot be subscribed to, and another workspace cannot test this subscription.
    let (status, body) =
        app.post("/webhooks", &ws.token, json!({"url": receiver.url, "events": ["webhook.test"]})).await;
    system_tests::assert_error(status, &body, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let other = app.signup("Other").await;
    let (status, _) = app.post(&format!("/webhooks/{webhook_id}/test"), &other.token, json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(receiver.received().len(), 1, "nothing else was sent");
}
