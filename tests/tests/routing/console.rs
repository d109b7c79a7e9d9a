//! What the console needs besides routing: search, labels, saved replies.

use crate::common::*;

async fn search(app: &TestApp, token: &str, text: &str) -> Vec<Uuid> {
    let (status, body) =
        json_of_request(app.request(Method::GET, "/conversations", Some(token)).query(&[("q", text)])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().iter().map(|c| id(&c["id"])).collect()
}

#[tokio::test]
async fn search_finds_conversations_by_visitor_name_email_and_message_text() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let globex = app.signup("Globex").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (ada_token, ada) = waiting_visitor(&app, &site_key, "Where is my PARCEL?").await;
    let (status, body) = app
        .post(
            "/widget/identify",
            &ada_token,
            json!({"user_id": "u-1", "name": "Ada Lovelace", "email": "ada@example.org"}),
        )
        .await;
    assert!(status.is_success(), "identifying the visitor failed: {body}");
    let (_, bob) = waiting_visitor(&app, &site_key, "100% refund, please_now").await;
    app.post(
        &format!("/conversations/{bob}/messages"),
        &acme.token,
        json!({"body": "internal: refund approved", "kind": "note"}),
    )
    .await;

    assert_eq!(search(&app, &acme.token, "parcel").await, [ada], "case-insensitive message text");
    assert_eq!(search(&app, &acme.token, "approved").await, [bob], "notes are searchable by the team");
    // LIKE wildcards in the search text are literal.
    assert_eq!(search(&app, &acme.token, "100%").await, [bob]);
    assert!(search(&app, &acme.token, "1_0").await.is_empty());
    assert!(search(&app, &acme.token, "%").await.len() == 1);
    assert_eq!(search(&app, &acme.token, "lovelace").await, [ada], "by visitor name");
    assert_eq!(search(&app, &acme.token, "ADA@EXAMPLE").await, [ada], "by visitor email");
    // Another workspace finds nothing of Acme's.
    assert!(search(&app, &globex.token, "parcel").await.is_empty());

    let long = "x".repeat(201);
    let (status, body) =
        json_of_request(app.request(Method::GET, "/conversations", Some(&acme.token)).query(&[("q", long.as_str())]))
            .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
}

async fn json_of_request(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    system_tests::json_of(request.send().await.unwrap()).await
}

#[tokio::test]
async fn labels_are_the_teams_own() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (visitor_token, conversation_id) = waiting_visitor(&app, &site_key, "hello").await;
    let path = format!("/conversations/{conversation_id}");

    let (status, body) = app.patch(&path, &acme.token, json!({"labels": [" vip ", "refund", "vip"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["labels"], json!(["vip", "refund"]), "trimmed and de-duplicated");
    assert_eq!(conversation(&app, &acme.token, conversation_id).await["labels"], json!(["vip", "refund"]));

    // The visitor never sees them.
    let (_, mine) = app.get("/widget/conversations", &visitor_token).await;
    assert_eq!(mine["items"][0]["labels"], json!([]), "{mine}");

    for bad in [
        json!([""]),
        json!(["x".repeat(41)]),
        json!(["tab\there"]),
        json!((0..21).map(|n| n.to_string()).collect::<Vec<_>>()),
    ] {
        let (status, body) = app.patch(&path, &acme.token, json!({"labels": bad})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "labels");
    }
    assert_eq!(conversation(&app, &acme.token, conversation_id).await["labels"], json!(["vip", "refund"]));
    let (_, cleared) = app.patch(&path, &acme.token, json!({"labels": []})).await;
    assert_eq!(cleared["labels"], json!([]));
}

#[tokio::test]
async fn saved_replies_have_unique_shortcuts_per_workspace() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let globex = app.signup("Globex").await;

    let (status, created) = app
        .post("/canned-responses", &acme.token, json!({"shortcut": "/refund", "body": "Refunds take 5 days."}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["shortcut"], "refund", "the leading slash is optional");
    let canned_id = id(&created["id"]);

    let (status, body) =
        app.post("/canned-responses", &acme.token, json!({"shortcut": "refund", "body": "again"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "shortcut_taken");
    // The same shortcut in another workspace is fine.
    let (status, _) =
        app.post("/canned-responses", &globex.token, json!({"shortcut": "refund", "body": "Ours."})).await;
    assert_eq!(status, StatusCode::CREATED);

    for bad in ["", "Refund", "re fund", "x".repeat(33).as_str(), "café"] {
        let (status, body) = app.post("/canned-responses", &acme.token, json!({"shortcut": bad, "body": "b"})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "shortcut");
    }

    let (status, updated) = app
        .patch(&format!("/canned-responses/{canned_id}"), &acme.token, json!({"body": "Refunds take 3 days."}))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["shortcut"], "refund");
    assert_eq!(updated["body"], "Refunds take 3 days.");

    // Globex cannot see, change or delete Acme's.
    let (_, theirs) = app.get("/canned-responses", &globex.token).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["items"][0]["body"], "Ours.");
    let (status, body) =
        app.patch(&format!("/canned-responses/{canned_id}"), &globex.token, json!({"body": "hacked"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) =
        app.call(Method::DELETE, &format!("/canned-responses/{canned_id}"), Some(&globex.token), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    let (_, ours) = app.get("/canned-responses", &acme.token).await;
    assert_eq!(ours["items"][0]["body"], "Refunds take 3 days.");
    let (status, _) =
        app.call(Method::DELETE, &format!("/canned-responses/{canned_id}"), Some(&acme.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, ours) = app.get("/canned-responses", &acme.token).await;
    assert!(ours["items"].as_array().unwrap().is_empty());
}
