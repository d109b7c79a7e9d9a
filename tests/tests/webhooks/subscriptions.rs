//! Who may create subscriptions, to where, and what each one sees.

use reqwest::StatusCode;
use serde_json::json;
use system_tests::{assert_error, spawn_app};
use uuid::Uuid;

use crate::{hooks_app, receiver::Receiver, subscribe};

#[tokio::test]
async fn private_and_non_http_targets_are_refused_unless_allowed() {
    // The default configuration: private networks are off limits.
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let ws = app.signup("Guard").await;
    for url in [
        receiver.url.as_str(),
        "http://localhost:8080/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9000/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
        "not a url",
    ] {
        let (status, body) = app.post("/webhooks", &ws.token, json!({"url": url, "events": ["message.created"]})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "url", "{url}: {body}");
    }
    let (status, body) = app.get("/webhooks", &ws.token).await;
    assert_eq!(status, 200);
    assert_eq!(body["items"], json!([]), "nothing was stored");

    // Allowed by the operator (as in the other tests): loopback is accepted.
    let app = hooks_app(&[]).await;
    let ws = app.signup("Guard").await;
    subscribe(&app, &ws, &receiver, &["message.created"]).await;
}

/// IPv6 forms that carry an IPv4 address, each wrapping a private, loopback or link-local
/// one: refused when a subscription is created and when its URL is changed.
const IPV6_WRAPPED_PRIVATE: [&str; 14] = [
    "http://[64:ff9b::a9fe:a9fe]/",                   // NAT64 of 169.254.169.254 (metadata)
    "http://[64:ff9b::7f00:1]/",                      // NAT64 of 127.0.0.1
    "http://[64:ff9b::c0a8:101]:8080/hook",           // NAT64 of 192.168.1.1
    "http://[64:ff9b:1::a9fe:a9fe]/",                 // local-use NAT64
    "http://[64:ff9b:1:a9fe:a9:fe00::]/",             // local-use NAT64, /48 layout
    "http://[2002:7f00:1::]/",                        // 6to4 of 127.0.0.1
    "http://[2002:a9fe:a9fe::]/",                     // 6to4 of 169.254.169.254
    "http://[2002:a00:1::1]/",                        // 6to4 of 10.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", // Teredo, client 127.0.0.1
    "http://[2001:0:a00:1::1:2]/",                    // Teredo, server 10.0.0.1
    "http://[::127.0.0.1]/",                          // IPv4-compatible
    "http://[::a9fe:a9fe]/",                          // IPv4-compatible 169.254.169.254
    "http://[::ffff:7f00:1]/",                        // IPv4-mapped
    "http://[::ffff:169.254.169.254]/",               // IPv4-mapped, dotted
];

#[tokio::test]
async fn ipv6_forms_of_private_ipv4_addresses_are_refused_on_create_and_change() {
    let app = spawn_app().await;
    let ws = app.signup("Guard").await;
    for url in IPV6_WRAPPED_PRIVATE {
        let (status, body) = app.post("/webhooks", &ws.token, json!({"url": url, "events": ["message.created"]})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "url", "{url}: {body}");
    }
    let (_, list) = app.get("/webhooks", &ws.token).await;
    assert_eq!(list["items"], json!([]), "nothing was stored");

    // The same forms wrapping a public address are fine (a NAT64 network reaches the
    // public internet this way); the subscription then cannot be moved to a private one.
    let public = "http://[64:ff9b::5db8:d822]/hook"; // NAT64 of 93.184.216.34
    let (status, created) =
        app.post("/webhooks", &ws.token, json!({"url": public, "events": ["message.created"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let path = format!("/webhooks/{}", created["webhook"]["id"].as_str().unwrap());
    for url in IPV6_WRAPPED_PRIVATE {
        let (status, body) = app.patch(&path, &ws.token, json!({"url": url})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "url", "{url}: {body}");
    }
    let (_, stored) = app.get(&path, &ws.token).await;
    assert_eq!(stored["url"], public, "the refused changes left the URL alone: {stored}");
}

#[tokio::test]
async fn subscriptions_are_invisible_to_other_workspaces() {
    let app = hooks_app(&[]).await;
    let (receiver_a, receiver_b) = (Receiver::start().await, Receiver::start().await);
    let a = app.signup("Alpha").await;
    let b = app.signup("Beta").await;
    let (_, site_a) = app.create_site(&a.token).await;
    let (webhook_a, _) = subscribe(&app, &a, &receiver_a, &[]).await;
    let (webhook_b, _) = subscribe(&app, &b, &receiver_b, &[]).await;
    let id_a = webhook_a["id"].as_str().unwrap();

    let visitor = app.visitor(&site_a).await;
    app.start_conversation(&visitor, "Hello A").await;
    receiver_a.wait_delivered(2).await;
    let delivery_a = app.get(&format!("/webhooks/{id_a}/deliveries"), &a.token).await.1["items"][0]["id"].clone();

    // B's subscription got no delivery for A's events.
    let (status, body) =
        app.get(&format!("/webhooks/{}/deliveries", webhook_b["id"].as_str().unwrap()), &b.token).await;
    assert_eq!(status, 200);
    assert_eq!(body["items"], json!([]));
    assert!(receiver_b.received().is_empty());

    // A's subscription answers B exactly like a missing one.
    let (_, list) = app.get("/webhooks", &b.token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], webhook_b["id"]);
    for (status, body) in [
        app.get(&format!("/webhooks/{id_a}"), &b.token).await,
        app.patch(&format!("/webhooks/{id_a}"), &b.token, json!({"enabled": false})).await,
        app.post(&format!("/webhooks/{id_a}/rotate-secret"), &b.token, json!({})).await,
        app.get(&format!("/webhooks/{id_a}/deliveries"), &b.token).await,
        app.post(&format!("/webhooks/{id_a}/deliveries/{}/replay", delivery_a.as_str().unwrap()), &b.token, json!({}))
            .await,
        app.call(reqwest::Method::DELETE, &format!("/webhooks/{id_a}"), Some(&b.token), None).await,
    ] {
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, body) = app.get(&format!("/webhooks/{id_a}"), &a.token).await;
    assert_eq!(status, 200);
    assert_eq!(body["enabled"], true, "B's attempts changed nothing");

    // A site of another workspace cannot be used as a filter.
    let (site_b, _) = app.create_site(&b.token).await;
    let (status, body) = app
        .post("/webhooks", &a.token, json!({"url": receiver_a.url, "events": ["message.created"], "site_id": site_b}))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
}

#[tokio::test]
async fn a_site_filter_limits_events_to_that_site() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    let ws = app.signup("Sites").await;
    let (site_one, key_one) = app.create_site(&ws.token).await;
    let (_, key_two) = app.create_site(&ws.token).await;
    let (status, body) = app
        .post(
            "/webhooks",
            &ws.token,
            json!({"url": receiver.url, "events": ["conversation.created"], "site_id": site_one}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let webhook_id = body["webhook"]["id"].as_str().unwrap().to_owned();

    let other = app.visitor(&key_two).await;
    app.start_conversation(&other, "From site two").await;
    let visitor = app.visitor(&key_one).await;
    let conversation = app.start_conversation(&visitor, "From site one").await;
    let received = receiver.wait_delivered(1).await;
    assert_eq!(received[0].json()["data"]["conversation"]["id"], conversation.to_string());
    let (_, log) = app.get(&format!("/webhooks/{webhook_id}/deliveries"), &ws.token).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "site two's conversation was not queued: {log}");
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_input_is_checked() {
    let app = hooks_app(&[]).await;
    let receiver = Receiver::start().await;
    let ws = app.signup("Roles").await;
    let (status, key) = app.post("/api-keys", &ws.token, json!({"name": "CRM", "scope": "write"})).await;
    assert_eq!(status, 201);
    let key = key["secret"].as_str().unwrap();
    let (status, body) = app.post("/webhooks", key, json!({"url": receiver.url, "events": ["message.created"]})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.get("/webhooks", key).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let (status, body) = app.post("/webhooks", &ws.token, json!({"url": receiver.url, "events": []})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "events");
    let (status, body) =
        app.post("/webhooks", &ws.token, json!({"url": receiver.url, "events": ["message.deleted"]})).await;
    assert!(status.is_client_error(), "{status} {body}");

    let (webhook, _) = subscribe(&app, &ws, &receiver, &["message.created"]).await;
    let webhook_id = webhook["id"].as_str().unwrap();
    let (status, body) = app
        .patch(
            &format!("/webhooks/{webhook_id}"),
            &ws.token,
            json!({"events": ["rating.submitted", "message.created"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"], json!(["message.created", "rating.submitted"]));
    let (status, _) =
        app.call(reqwest::Method::DELETE, &format!("/webhooks/{webhook_id}"), Some(&ws.token), None).await;
    assert_eq!(status, 204);
    let (status, _) = app.get(&format!("/webhooks/{webhook_id}"), &ws.token).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn visitors_rate_only_their_own_conversations_and_rating_again_replaces() {
    let app = hooks_app(&[]).await;
    let ws = app.signup("Ratings").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let visitor = app.visitor(&site_key).await;
    let stranger = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello").await;
    let path = format!("/widget/conversations/{conversation}/rating");

    let (status, first) = app.post(&path, &visitor, json!({"score": 2})).await;
    assert_eq!(status, 200, "{first}");
    let (status, second) = app.post(&path, &visitor, json!({"score": 4, "comment": "Better now"})).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["score"], 4);
    assert_eq!(second["comment"], "Better now");
    assert_eq!(second["created_at"], first["created_at"], "one rating per conversation, replaced");

    let (status, body) = app.post(&path, &stranger, json!({"score": 1})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) =
        app.post(&format!("/widget/conversations/{}/rating", Uuid::now_v7()), &visitor, json!({"score": 1})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    for score in [0, 6] {
        let (status, body) = app.post(&path, &visitor, json!({"score": score})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    }
    let (status, _) = app.post(&path, &ws.token, json!({"score": 3})).await;
    assert_eq!(status, 401, "agents do not rate conversations");
}
