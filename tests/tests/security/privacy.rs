//! Privacy: everything about a visitor exported and erased on request; conversations
//! older than the workspace keeps deleted by the retention worker; uploads never sent
//! removed after a day. Age is simulated by moving stored times back, and the worker is
//! waited for by polling what it should have done (`until`), never by sleeping.

use openapi::realtime::ClientFrame;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use system_tests::{AppOptions, TestApp, assert_error, id, json_of, spawn_app_with, until, ws};
use uuid::Uuid;

use crate::common::{count, millis_ago, sql};

const SHOP: &str = "https://shop.test";

async fn app(env: &[(&str, &str)]) -> TestApp {
    spawn_app_with(AppOptions {
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..AppOptions::default()
    })
    .await
}

/// A new visitor on the site: (token, id).
async fn visitor(app: &TestApp, site_key: &str) -> (String, Uuid) {
    let (status, body) = app.call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (body["visitor_token"].as_str().unwrap().to_owned(), id(&body["visitor_id"]))
}

/// Uploads a text file into a conversation as the visitor; returns its id.
async fn upload(app: &TestApp, visitor: &str, conversation: Uuid, name: &str) -> Uuid {
    let response = app
        .request(
            Method::POST,
            &format!("/widget/conversations/{conversation}/attachments?filename={name}"),
            Some(visitor),
        )
        .header("content-type", "text/plain")
        .header("origin", SHOP)
        .body(format!("the contents of {name}"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id(&body["id"])
}

async fn send(app: &TestApp, visitor: &str, conversation: Uuid, body: &str, files: &[Uuid]) {
    let message = json!({"body": body, "client_msg_id": Uuid::new_v4().to_string(), "attachment_ids": files});
    let (status, answer) = app.post(&format!("/widget/conversations/{conversation}/messages"), visitor, message).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn a_visitor_is_exported_whole_then_erased_whole() {
    let app = app(&[]).await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let (vera, vera_id) = visitor(&app, &site_key).await;
    // An offline message: an email on file and mail to the team.
    let (status, started) = app
        .post(
            "/widget/offline-message",
            &vera,
            json!({"email": "vera@example.com", "name": "Vera", "body": "My parcel never came", "client_msg_id": "o-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let conversation = id(&started["conversation"]["id"]);
    let path = format!("/conversations/{conversation}/messages");
    app.post(&path, &owner.token, json!({"body": "Sorry! Resending today."})).await;
    app.post(&path, &owner.token, json!({"body": "check the courier", "kind": "note"})).await;
    let sent_file = upload(&app, &vera, conversation, "receipt.txt").await;
    send(&app, &vera, conversation, "Here is my receipt", &[sent_file]).await;
    let unsent_file = upload(&app, &vera, conversation, "draft.txt").await;
    let (status, _) = app
        .post(&format!("/widget/conversations/{conversation}/rating"), &vera, json!({"score": 4, "comment": "ok"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.post(&format!("/widget/conversations/{conversation}/transcript"), &vera, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mut socket =
        ws::connect(&app.address, "/ws/visitor", ws::Credential::Protocol(&vera), Some(SHOP)).await.unwrap();
    socket.send(&ClientFrame::Page { url: "https://shop.test/orders/42".into(), title: "Order 42".into() }).await;
    // Another visitor, who must not be touched.
    let (other, other_id) = visitor(&app, &site_key).await;
    let other_conversation = app.start_conversation(&other, "Unrelated question").await;

    // Export: everything, in one document.
    let mut export = Value::Null;
    until("the page view stored", async || {
        export = app.get(&format!("/visitors/{vera_id}/export"), &owner.token).await.1;
        export["pages"].as_array().is_some_and(|p| !p.is_empty())
    })
    .await;
    assert_eq!(export["visitor"]["email"], "vera@example.com");
    assert_eq!(export["visitor"]["name"], "Vera");
    assert_eq!(export["pages"][0]["url"], "https://shop.test/orders/42");
    let conversations = export["conversations"].as_array().unwrap();
    assert_eq!(conversations.len(), 1, "{export}");
    let bodies: Vec<&str> =
        conversations[0]["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["My parcel never came", "Sorry! Resending today.", "check the courier", "Here is my receipt"]);
    let files: Vec<&str> =
        conversations[0]["attachments"].as_array().unwrap().iter().map(|a| a["filename"].as_str().unwrap()).collect();
    assert_eq!(files, ["receipt.txt", "draft.txt"], "sent and unsent");
    assert_eq!(conversations[0]["rating"]["score"], 4);
    let mail = export["mail"].as_array().unwrap();
    assert!(mail.iter().any(|m| m["kind"] == "offline_message"), "{export}");
    assert!(mail.iter().any(|m| m["kind"] == "transcript"), "{export}");
    // Only owners and admins may.
    let (_, key) = app.post("/api-keys", &owner.token, json!({"name": "CRM", "scope": "write"})).await;
    let key = key["secret"].as_str().unwrap().to_owned();
    for (method, action) in [(Method::GET, "export"), (Method::POST, "erase")] {
        let (status, body) = app.call(method, &format!("/visitors/{vera_id}/{action}"), Some(&key), None).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }

    // Erase: all of it, and the visitor's token and socket with it.
    let (status, erased) = app.post(&format!("/visitors/{vera_id}/erase"), &owner.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(erased["conversations"], 1);
    assert_eq!(erased["messages"], 4);
    assert_eq!(erased["attachments"], 2);
    assert_eq!(erased["pages"], 1);
    assert_eq!(erased["ratings"], 1);
    assert!(erased["mails"].as_u64().unwrap() >= 2, "{erased}");
    assert!(matches!(socket.closed().await, ws::Ended::Closed(4001, _)));
    for path in [
        format!("/visitors/{vera_id}"),
        format!("/conversations/{conversation}"),
        format!("/conversations/{conversation}/messages"),
        format!("/conversations/{conversation}/attachments/{sent_file}"),
        format!("/conversations/{conversation}/attachments/{unsent_file}"),
        format!("/visitors/{vera_id}/export"),
    ] {
        let (status, body) = app.get(&path, &owner.token).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, _) = app.get("/widget/conversations", &vera).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, mail) = app.get("/mail?limit=200", &owner.token).await;
    assert!(
        mail["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["conversation_id"] != json!(conversation.to_string()) && m["recipient"] != "vera@example.com"),
        "{mail}"
    );
    // Nothing left in storage either: rows, file bytes, page views.
    for (table, rows) in [
        ("attachment_blobs", 0),
        ("attachments", 0),
        ("visitor_pages", 0),
        ("conversation_ratings", 0),
        ("messages", 1),
        ("conversations", 1),
        ("visitors", 1),
    ] {
        assert_eq!(
            count(&app, &format!("SELECT COUNT(*) FROM {table}")).await,
            rows,
            "{table}: only the other visitor's"
        );
    }
    let (status, _) = app.get(&format!("/conversations/{other_conversation}"), &owner.token).await;
    assert_eq!(status, StatusCode::OK, "the other visitor is untouched");
    assert_eq!(app.get(&format!("/visitors/{other_id}"), &owner.token).await.0, StatusCode::OK);
    // Audited, without personal data.
    let (_, log) = app.get("/audit-log?action=visitor_erased", &owner.token).await;
    let entry = &log["items"][0];
    assert_eq!(entry["target_id"], json!(vera_id.to_string()));
    assert!(!entry.to_string().contains("vera@example.com"), "{entry}");
    let (_, log) = app.get("/audit-log?action=visitor_exported", &owner.token).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_retention_worker_deletes_what_is_older_than_the_workspace_keeps() {
    let app = app(&[("RAPPORT_RETENTION_INTERVAL_MS", "100")]).await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let (old_visitor, _) = visitor(&app, &site_key).await;
    let old = app.start_conversation(&old_visitor, "an old chat").await;
    let (recent_visitor, _) = visitor(&app, &site_key).await;
    let recent = app.start_conversation(&recent_visitor, "a recent chat").await;
    let old_file = upload(&app, &recent_visitor, recent, "old.txt").await;
    send(&app, &recent_visitor, recent, "an old file", &[old_file]).await;

    for bad in [json!({"retention_days": 5000}), json!({"retention_days": -1}), json!({"retention_days": "30"})] {
        let (status, body) = app.patch("/workspace", &owner.token, bad.clone()).await;
        assert!(status.is_client_error(), "{bad}: {status} {body}");
    }
    let (status, workspace) = app.patch("/workspace", &owner.token, json!({"retention_days": 30})).await;
    assert_eq!(status, StatusCode::OK, "{workspace}");
    assert_eq!(workspace["retention_days"], 30);

    // The old conversation was last active 31 days ago; the recent one's file is 31 days old.
    let thirty_one_days = millis_ago(31 * 86_400);
    sql(
        &app,
        &format!(
            "UPDATE conversations SET updated_at = {thirty_one_days}, created_at = {thirty_one_days}
             WHERE id IN (SELECT conversation_id FROM messages WHERE body = 'an old chat')"
        ),
    )
    .await;
    sql(&app, &format!("UPDATE attachments SET created_at = {thirty_one_days} WHERE filename = 'old.txt'")).await;
    until("the old conversation deleted", async || {
        app.get(&format!("/conversations/{old}"), &owner.token).await.0 == StatusCode::NOT_FOUND
    })
    .await;
    until("the old file deleted", async || {
        app.get(&format!("/conversations/{recent}/attachments/{old_file}"), &owner.token).await.0
            == StatusCode::NOT_FOUND
    })
    .await;
    let (status, messages) = app.get(&format!("/conversations/{recent}/messages"), &owner.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(messages["items"].as_array().unwrap().len(), 2, "the recent conversation stays whole");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachment_blobs").await, 0, "the file's bytes went too");
    until("the pass audited", async || {
        let (_, log) = app.get("/audit-log?action=retention_applied", &owner.token).await;
        log["items"].as_array().is_some_and(|items| items.iter().any(|e| e["actor_kind"] == "system"))
    })
    .await;
    // Turned off, nothing more goes.
    let (_, workspace) = app.patch("/workspace", &owner.token, json!({"retention_days": 0})).await;
    assert!(workspace.get("retention_days").is_none(), "{workspace}");
}

#[tokio::test]
async fn uploads_never_sent_are_removed_after_a_day() {
    let app = app(&[("RAPPORT_RETENTION_INTERVAL_MS", "100")]).await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let (token, _) = visitor(&app, &site_key).await;
    let conversation = app.start_conversation(&token, "Hello").await;
    let sent = upload(&app, &token, conversation, "sent.txt").await;
    send(&app, &token, conversation, "with a file", &[sent]).await;
    let fresh = upload(&app, &token, conversation, "fresh.txt").await;
    let stale = upload(&app, &token, conversation, "stale.txt").await;
    // One statement: the worker must never see the fresh one as old.
    let (day_and_more, under_a_day) = (millis_ago(25 * 3600), millis_ago(23 * 3600));
    sql(
        &app,
        &format!(
            "UPDATE attachments SET created_at = CASE WHEN filename = 'fresh.txt' THEN {under_a_day} ELSE {day_and_more} END"
        ),
    )
    .await;
    let file = |id: Uuid| format!("/conversations/{conversation}/attachments/{id}");
    until("the stale upload removed", async || app.get(&file(stale), &owner.token).await.0 == StatusCode::NOT_FOUND)
        .await;
    assert_eq!(app.get(&file(sent), &owner.token).await.0, StatusCode::OK, "sent files stay");
    assert_eq!(app.get(&file(fresh), &owner.token).await.0, StatusCode::OK, "less than a day old");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachment_blobs").await, 2);
}
