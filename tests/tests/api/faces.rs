//! Who the visitor sees and what the team sees of the visitor: agents' pictures (upload,
//! who may change them, how they are served), the faces in the widget's session and
//! beside replies, and the browser context a session records.

use crate::common::*;

async fn upload(app: &TestApp, token: &str, agent_id: Uuid, content_type: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = app
        .request(Method::PUT, &format!("/agents/{agent_id}/picture"), Some(token))
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    json_of(response).await
}

#[tokio::test]
async fn agents_upload_pictures_that_anyone_may_load_but_only_they_change() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (ada_id, ada) = agent_session(&app, &owner.token, "ada@acme.test", "agent").await;
    let (bob_id, _) = agent_session(&app, &owner.token, "bob@acme.test", "agent").await;
    let png = system_tests::files::png(48, 48);

    let (status, face) = upload(&app, &ada, ada_id, "image/png", png.clone()).await;
    assert_eq!(status, 200, "{face}");
    assert_eq!((face["id"].clone(), face["name"].clone()), (json!(ada_id), json!("Agent")));
    let url = face["picture_url"].as_str().expect("a picture URL").to_owned();
    assert!(url.starts_with(&format!("/api/v1/agents/{ada_id}/picture?v=")), "{url}");

    // Public, versioned for good, and fenced like an attachment.
    let picture = app.http.get(app.url(&url)).send().await.unwrap();
    assert_eq!(picture.status(), 200);
    let headers = picture.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-security-policy"], "default-src 'none'; sandbox");
    assert_eq!(headers["cross-origin-resource-policy"], "same-origin");
    assert_eq!(picture.bytes().await.unwrap().to_vec(), png);
    let unversioned = app.http.get(app.url(&format!("/api/v1/agents/{ada_id}/picture"))).send().await.unwrap();
    assert_eq!(unversioned.headers()["cache-control"], "public, max-age=300");

    // Only the agent, or an admin, changes it.
    let (status, body) = upload(&app, &ada, bob_id, "image/png", png.clone()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = upload(&app, &owner.token, bob_id, "image/png", png.clone()).await;
    assert_eq!(status, 200, "{body}");

    // Pictures only, checked against their bytes, and small.
    let (status, body) = upload(&app, &ada, ada_id, "application/pdf", b"%PDF-1.7".to_vec()).await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type");
    let (status, body) = upload(&app, &ada, ada_id, "image/png", b"GIF89a not a png".to_vec()).await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_mismatch");
    let (status, body) = upload(&app, &ada, ada_id, "image/png", system_tests::files::png(400, 400)).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    let still = app.http.get(app.url(&url)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(still.to_vec(), png, "a refused upload leaves the picture as it was");

    // Another workspace's agent is out of reach.
    let other = app.signup("Other").await;
    let (status, body) = upload(&app, &other.token, ada_id, "image/png", png.clone()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    let (status, _) = app.call(Method::DELETE, &format!("/agents/{ada_id}/picture"), Some(&ada), None).await;
    assert_eq!(status, 204);
    assert_eq!(app.http.get(app.url(&url)).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn visitors_see_the_team_and_each_replys_author() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let (ada_id, ada) = agent_session(&app, &owner.token, "ada@acme.test", "agent").await;
    let (status, _) = upload(&app, &ada, ada_id, "image/png", system_tests::files::png(8, 8)).await;
    assert_eq!(status, 200);
    for n in 0..3 {
        agent_session(&app, &owner.token, &format!("more{n}@acme.test"), "agent").await;
    }

    let (status, session) = app.call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    assert_eq!(status, 200, "{session}");
    let team = session["site"]["team"].as_array().unwrap();
    assert_eq!(team.len(), 3, "three faces at most: {team:?}");
    assert!(session.get("conversation").is_none(), "no conversation yet: {session}");

    // A reply's author, by the message's `author_id`.
    let visitor = session["visitor_token"].as_str().unwrap().to_owned();
    let conversation_id = app.start_conversation(&visitor, "Hello?").await;
    let (status, reply) =
        app.post(&format!("/conversations/{conversation_id}/messages"), &ada, json!({"body": "Hi, Ada here."})).await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["author_id"], json!(ada_id));
    let (status, face) = app.get(&format!("/widget/agents/{ada_id}"), &visitor).await;
    assert_eq!(status, 200, "{face}");
    assert_eq!(face["name"], "Agent");
    assert!(face["picture_url"].as_str().unwrap().contains(&ada_id.to_string()));
    let (status, face) = app.get(&format!("/widget/agents/{}", owner.owner_id), &visitor).await;
    assert_eq!((status, face.get("picture_url")), (StatusCode::OK, None), "no picture yet: initials");

    // Agents of other workspaces are unknown here.
    let other = app.signup("Other").await;
    let (status, body) = app.get(&format!("/widget/agents/{}", other.owner_id), &visitor).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // The next session names the conversation to follow.
    let (_, again) = app
        .call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key, "visitor_token": visitor})))
        .await;
    assert_eq!(again["conversation"]["id"], json!(conversation_id));
}

#[tokio::test]
async fn a_session_records_the_browser_the_team_will_see() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let chrome =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
    let context = json!({"timezone": "Europe/Paris", "language": "fr-FR", "screen": "1440x900"});
    let session = |body: Value| {
        app.request(Method::POST, "/widget/session", None).header("user-agent", chrome).json(&body).send()
    };
    let (status, body) = json_of(session(json!({"site_key": site_key, "context": context})).await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let (_, visitors) = app.get("/visitors", &owner.token).await;
    assert_eq!(
        visitors["items"][0]["attributes"],
        json!({"browser": "Chrome 140", "os": "Linux", "timezone": "Europe/Paris", "language": "fr-FR", "screen": "1440x900"})
    );

    for (bad, field) in [
        (json!({"timezone": "Europe/Paris\"; x"}), "context.timezone"),
        (json!({"language": "x".repeat(36)}), "context.language"),
        (json!({"screen": "wide"}), "context.screen"),
    ] {
        let (status, body) = json_of(session(json!({"site_key": site_key, "context": bad})).await.unwrap()).await;
        assert_invalid(status, &body, field);
    }
    let (_, after) = app.get("/visitors", &owner.token).await;
    assert_eq!(after["items"].as_array().unwrap().len(), 1, "a refused session creates no visitor");
}

#[tokio::test]
async fn a_visitor_at_the_attribute_limit_still_gets_a_session() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let visitor = app.visitor(&site_key).await;
    // The host page filled every attribute the visitor may have (100).
    let full: serde_json::Map<String, Value> = (0..100).map(|i| (format!("field{i}"), json!(i))).collect();
    let (status, body) =
        app.call(Method::PATCH, "/widget/attributes", Some(&visitor), Some(json!({"attributes": full}))).await;
    assert_eq!(status, 204, "{body}");
    let context = json!({"timezone": "Europe/Paris", "language": "fr-FR", "screen": "1440x900"});
    let (status, body) = json_of(
        app.request(Method::POST, "/widget/session", None)
            .json(&json!({"site_key": site_key, "visitor_token": visitor, "context": context}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "the context is dropped, the chat is not: {body}");
    let (_, visitors) = app.get("/visitors", &owner.token).await;
    let attributes = visitors["items"][0]["attributes"].as_object().unwrap();
    assert_eq!(attributes.len(), 100, "the host page's attributes stay as they were");
    assert!(!attributes.contains_key("timezone"));
}
