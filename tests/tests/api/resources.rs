//! Each resource's operations and the rules their documentation promises.

use crate::common::*;

/// A workspace with a site and one visitor who has opened a conversation.
struct Chat {
    app: TestApp,
    workspace: Workspace,
    site_id: Uuid,
    site_key: String,
    visitor_token: String,
    conversation: Uuid,
}

async fn chat() -> Chat {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&workspace.token).await;
    let visitor_token = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor_token, "Hello, is anyone there?").await;
    Chat { app, workspace, site_id, site_key, visitor_token, conversation }
}

impl Chat {
    fn token(&self) -> &str {
        &self.workspace.token
    }

    async fn visitor_messages(&self, conversation: Uuid) -> (StatusCode, Value) {
        self.app.get(&format!("/widget/conversations/{conversation}/messages"), &self.visitor_token).await
    }
}

// ---------------------------------------------------------------------------- teams

#[tokio::test]
async fn teams_crud() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (agent, _) = agent_session(&app, &workspace.token, "bo@acme.test", "agent").await;
    let token = workspace.token.as_str();

    let (status, team) =
        app.post("/teams", token, json!({"name": "Billing", "member_ids": [agent, workspace.owner_id]})).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team_id = id(&team["id"]);
    let mut members: Vec<Uuid> = team["member_ids"].as_array().unwrap().iter().map(id).collect();
    members.sort();
    let mut expected = vec![agent, workspace.owner_id];
    expected.sort();
    assert_eq!(members, expected);
    assert_eq!(app.get(&format!("/teams/{team_id}"), token).await.1, team);
    assert_eq!(list_ids(&app, "/teams", token).await, vec![team_id]);

    let (status, body) = app.post("/teams", token, json!({"name": "Billing"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "team_name_taken");
    let (status, body) = app.post("/teams", token, json!({"name": "Sales", "member_ids": [Uuid::now_v7()]})).await;
    assert_invalid(status, &body, "member_ids");
    let (status, body) = app.post("/teams", token, json!({"name": "  "})).await;
    assert_invalid(status, &body, "name");
    // The refused creations left nothing behind (the unknown member rolled the team back).
    assert_eq!(list_ids(&app, "/teams", token).await, vec![team_id]);

    let (status, renamed) =
        put(&app, &format!("/teams/{team_id}"), token, json!({"name": "Payments", "member_ids": [agent]})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "Payments");
    assert_eq!(renamed["member_ids"], json!([agent]));
    let other = create_team(&app, token, "Sales", &[]).await;
    let (status, body) = put(&app, &format!("/teams/{other}"), token, json!({"name": "Payments"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "team_name_taken");
    let (status, body) =
        put(&app, &format!("/teams/{team_id}"), token, json!({"name": "Payments", "member_ids": [Uuid::now_v7()]}))
            .await;
    assert_invalid(status, &body, "member_ids");
    assert_eq!(app.get(&format!("/teams/{team_id}"), token).await.1, renamed, "a refused update changes nothing");

    let (status, body) = delete(&app, &format!("/teams/{team_id}"), token).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app.get(&format!("/teams/{team_id}"), token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = delete(&app, &format!("/teams/{team_id}"), token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = put(&app, &format!("/teams/{team_id}"), token, json!({"name": "Back"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn deleting_a_team_keeps_its_conversations() {
    let chat = chat().await;
    let team = create_team(&chat.app, chat.token(), "Billing", &[]).await;
    let path = format!("/conversations/{}", chat.conversation);
    let (status, body) = chat.app.patch(&path, chat.token(), json!({"team_id": team})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(id(&body["team_id"]), team);

    let (status, body) = delete(&chat.app, &format!("/teams/{team}"), chat.token()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let conversation = conversation(&chat.app, chat.token(), chat.conversation).await;
    assert!(conversation["team_id"].is_null(), "{conversation}");
    assert_eq!(conversation["last_seq"], 1);
}

// ---------------------------------------------------------------------------- sites

#[tokio::test]
async fn sites_crud_and_embed_snippet() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let token = workspace.token.as_str();

    let (status, site) = app
        .post("/sites", token, json!({"name": "Shop", "allowed_origins": ["https://Shop.test/"], "color": "#AABBCC"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    let site_id = id(&site["id"]);
    let site_key = site["site_key"].as_str().unwrap().to_owned();
    // Stored normalised, so that comparing with a browser's Origin header is exact.
    assert_eq!(site["allowed_origins"], json!(["https://shop.test"]));
    assert_eq!(site["color"], "#aabbcc");
    assert!(site["greeting"].as_str().is_some_and(|g| !g.is_empty()), "a default greeting: {site}");
    assert_eq!(app.get(&format!("/sites/{site_id}"), token).await.1, site);

    let path = format!("/sites/{site_id}");
    let (status, updated) = app
        .patch(
            &path,
            token,
            json!({"color": "#112233", "greeting": "Ask us anything", "allowed_origins": ["https://shop.test", "http://localhost:3000"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["color"], "#112233");
    assert_eq!(updated["greeting"], "Ask us anything");
    assert_eq!(updated["allowed_origins"], json!(["https://shop.test", "http://localhost:3000"]));
    assert_eq!(updated["name"], "Shop", "absent fields stay as they are");
    assert_eq!(updated["site_key"], site_key);

    for bad in [json!(["shop.test"]), json!(["https://shop.test/path"]), json!(["ftp://shop.test"]), json!([])] {
        let (status, body) = app.patch(&path, token, json!({"allowed_origins": bad})).await;
        assert_invalid(status, &body, "allowed_origins");
        let (status, body) = app.post("/sites", token, json!({"name": "Bad", "allowed_origins": bad})).await;
        assert_invalid(status, &body, "allowed_origins");
    }
    for bad in ["blue", "#12345", "#1234567", "#gggggg"] {
        let (status, body) = app.patch(&path, token, json!({"color": bad})).await;
        assert_invalid(status, &body, "color");
    }
    assert_eq!(app.get(&path, token).await.1, updated, "refused updates change nothing");

    let (status, embed) = app.get(&format!("/sites/{site_id}/embed"), token).await;
    assert_eq!(status, StatusCode::OK, "{embed}");
    let html = embed["html"].as_str().unwrap();
    assert!(html.contains("/widget.js"), "{html}");
    assert!(html.contains(&format!("data-site=\"{site_key}\"")), "{html}");

    let (status, body) = delete(&app, &path, token).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app.get(&path, token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = widget_session(&app, &site_key, None, None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_site_with_conversations_cannot_be_deleted() {
    let chat = chat().await;
    let path = format!("/sites/{}", chat.site_id);
    let (status, body) = delete(&chat.app, &path, chat.token()).await;
    assert_error(status, &body, StatusCode::CONFLICT, "site_has_conversations");
    let (status, body) = chat.app.get(&path, chat.token()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = chat.visitor_messages(chat.conversation).await;
    assert_eq!(status, StatusCode::OK, "the visitor keeps their history: {body}");
}

// ---------------------------------------------------------------------------- API keys

#[tokio::test]
async fn api_keys_show_their_secret_once_and_authenticate() {
    let chat = chat().await;
    let (status, created) = chat.app.post("/api-keys", chat.token(), json!({"name": "CRM", "scope": "write"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("rpk_"), "{secret}");
    assert!(
        secret.starts_with(created["api_key"]["prefix"].as_str().unwrap()),
        "the prefix recognises the key: {created}"
    );

    let (status, list) = chat.app.get("/api-keys", chat.token()).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(item_ids(&list), vec![id(&created["api_key"]["id"])]);
    assert!(!list.to_string().contains(&secret), "the list leaks the secret: {list}");
    assert!(list["items"][0].get("secret").is_none(), "{list}");

    let (status, page) = chat.app.get("/conversations", &secret).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(item_ids(&page), vec![chat.conversation]);
    // A write key may answer: the message is the integration's.
    let message = send_ok(&chat.app, &secret, chat.conversation, json!({"body": "From the CRM"})).await;
    assert_eq!(message["author_kind"], "integration");
    assert_eq!(id(&message["author_id"]), id(&created["api_key"]["id"]));
}

#[tokio::test]
async fn a_read_key_only_reads() {
    let chat = chat().await;
    let (_, key) = api_key(&chat.app, chat.token(), "read").await;
    let conversation_path = format!("/conversations/{}", chat.conversation);

    for path in ["/conversations", "/visitors", "/sites", "/teams", "/agents"] {
        let (status, body) = chat.app.get(path, &key).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    }
    let (status, body) = send(&chat.app, &key, chat.conversation, json!({"body": "nope"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = chat.app.patch(&conversation_path, &key, json!({"status": "resolved"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let visitor = conversation(&chat.app, chat.token(), chat.conversation).await["visitor_id"].clone();
    let (status, body) = chat.app.patch(&format!("/visitors/{}", id(&visitor)), &key, json!({"name": "Nope"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let conversation = conversation(&chat.app, chat.token(), chat.conversation).await;
    assert_eq!(conversation["last_seq"], 1);
    assert_eq!(conversation["status"], "open");
}

#[tokio::test]
async fn a_revoked_key_is_refused_at_once() {
    let chat = chat().await;
    let (key_id, key) = api_key(&chat.app, chat.token(), "write").await;
    assert_eq!(chat.app.get("/conversations", &key).await.0, StatusCode::OK);

    let (status, revoked) =
        chat.app.call(Method::POST, &format!("/api-keys/{key_id}/revoke"), Some(chat.token()), None).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");

    let (status, body) = chat.app.get("/conversations", &key).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = send(&chat.app, &key, chat.conversation, json!({"body": "too late"})).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    // Revoking twice is harmless and keeps the first revocation time.
    let (status, again) =
        chat.app.call(Method::POST, &format!("/api-keys/{key_id}/revoke"), Some(chat.token()), None).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
}

// ---------------------------------------------------------------------------- visitors

#[tokio::test]
async fn visitors_list_get_and_merge_attributes() {
    let chat = chat().await;
    let (_, second) = new_visitor(&chat.app, &chat.site_key).await;
    let first = id(&conversation(&chat.app, chat.token(), chat.conversation).await["visitor_id"]);
    assert_eq!(list_ids(&chat.app, "/visitors", chat.token()).await, vec![second, first], "newest first");

    let path = format!("/visitors/{first}");
    let (status, visitor) = chat.app.get(&path, chat.token()).await;
    assert_eq!(status, StatusCode::OK, "{visitor}");
    assert_eq!(id(&visitor["site_id"]), chat.site_id);
    assert_eq!(visitor["attributes"], json!({}));

    let (status, visitor) = chat
        .app
        .patch(
            &path,
            chat.token(),
            json!({"name": "Vi", "email": "Vi@Example.test", "attributes": {"plan": "pro", "seats": 3}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{visitor}");
    assert_eq!(visitor["name"], "Vi");
    assert_eq!(visitor["email"], "vi@example.test");
    assert_eq!(visitor["attributes"], json!({"plan": "pro", "seats": 3}));

    // Merge: new keys added, `null` removes, untouched keys stay.
    let (status, visitor) =
        chat.app.patch(&path, chat.token(), json!({"attributes": {"plan": null, "company": {"name": "Acme"}}})).await;
    assert_eq!(status, StatusCode::OK, "{visitor}");
    assert_eq!(visitor["attributes"], json!({"seats": 3, "company": {"name": "Acme"}}));
    assert_eq!(visitor["name"], "Vi", "absent fields stay as they are");
    assert_eq!(chat.app.get(&path, chat.token()).await.1, visitor);

    let (status, body) = chat.app.patch(&path, chat.token(), json!({"email": "not-an-email"})).await;
    assert_invalid(status, &body, "email");
    let (status, body) = chat.app.patch(&path, chat.token(), json!({"attributes": {"": 1}})).await;
    assert_invalid(status, &body, "attributes");
    let (status, body) = chat.app.get(&format!("/visitors/{}", Uuid::now_v7()), chat.token()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

// ---------------------------------------------------------------------------- conversations

#[tokio::test]
async fn conversation_filters_combine() {
    let chat = chat().await;
    let (app, token) = (&chat.app, chat.token());
    let (other_site, other_key) = {
        let (status, site) =
            app.post("/sites", token, json!({"name": "Blog", "allowed_origins": ["https://blog.test"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{site}");
        (id(&site["id"]), site["site_key"].as_str().unwrap().to_owned())
    };
    let assigned = chat.conversation;
    let resolved = app.start_conversation(&chat.visitor_token, "Second question").await;
    let (blog_visitor, _) = new_visitor(app, &other_key).await;
    let on_blog = app.start_conversation(&blog_visitor, "From the blog").await;

    let (status, body) =
        app.patch(&format!("/conversations/{assigned}"), token, json!({"assignee_id": chat.workspace.owner_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(id(&body["assignee_id"]), chat.workspace.owner_id);
    let (status, body) = app.patch(&format!("/conversations/{resolved}"), token, json!({"status": "resolved"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let cases: Vec<(String, Vec<Uuid>)> = vec![
        ("/conversations".into(), vec![on_blog, resolved, assigned]),
        ("/conversations?status=resolved".into(), vec![resolved]),
        ("/conversations?status=open".into(), vec![on_blog, assigned]),
        ("/conversations?status=snoozed".into(), vec![]),
        (format!("/conversations?assignee_id={}", chat.workspace.owner_id), vec![assigned]),
        ("/conversations?unassigned=true".into(), vec![on_blog, resolved]),
        (format!("/conversations?site_id={other_site}"), vec![on_blog]),
        (format!("/conversations?site_id={}&status=resolved", chat.site_id), vec![resolved]),
        (format!("/conversations?site_id={other_site}&status=resolved"), vec![]),
        (format!("/conversations?unassigned=true&site_id={}", chat.site_id), vec![resolved]),
    ];
    for (path, expected) in cases {
        assert_eq!(list_ids(app, &path, token).await, expected, "GET {path}");
    }
    let (status, body) = app.get("/conversations?status=sleeping", token).await;
    assert_client_error(status, &body);
}

#[tokio::test]
async fn conversation_status_changes() {
    let chat = chat().await;
    let path = format!("/conversations/{}", chat.conversation);
    let (app, token) = (&chat.app, chat.token());

    let (status, body) = app.patch(&path, token, json!({"status": "resolved"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "resolved");
    assert!(body["resolved_at"].is_string(), "{body}");

    let (status, body) = app.patch(&path, token, json!({"status": "snoozed"})).await;
    assert_invalid(status, &body, "snoozed_until");
    let (status, body) =
        app.patch(&path, token, json!({"status": "snoozed", "snoozed_until": "2001-01-01T00:00:00Z"})).await;
    assert_invalid(status, &body, "snoozed_until");
    assert_eq!(
        conversation(app, token, chat.conversation).await["status"],
        "resolved",
        "refused changes change nothing"
    );

    let until = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let (status, body) = app.patch(&path, token, json!({"status": "snoozed", "snoozed_until": until})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "snoozed");
    assert!(body["snoozed_until"].is_string(), "{body}");
    let (status, body) = app.patch(&path, token, json!({"status": "pending", "priority": "urgent"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["snoozed_until"].is_null(), "another status clears the snooze: {body}");
    assert_eq!(body["priority"], "urgent");

    let (status, body) = app.patch(&path, token, json!({"assignee_id": Uuid::now_v7()})).await;
    assert_invalid(status, &body, "assignee_id");
    let (status, body) = app.patch(&path, token, json!({"team_id": Uuid::now_v7()})).await;
    assert_invalid(status, &body, "team_id");
}

#[tokio::test]
async fn conversations_are_assigned_only_to_active_agents_of_the_workspace() {
    let chat = chat().await;
    let other = chat.app.signup("Other").await;
    let path = format!("/conversations/{}", chat.conversation);
    let (app, token) = (&chat.app, chat.token());

    let (status, body) = app.patch(&path, token, json!({"assignee_id": other.owner_id})).await;
    assert_invalid(status, &body, "assignee_id");
    let (agent, _) = agent_session(app, token, "bo@acme.test", "agent").await;
    app.patch(&format!("/agents/{agent}"), token, json!({"active": false})).await;
    let (status, body) = app.patch(&path, token, json!({"assignee_id": agent})).await;
    assert_invalid(status, &body, "assignee_id");
    assert!(conversation(app, token, chat.conversation).await["assignee_id"].is_null());

    let (status, body) = app.patch(&path, token, json!({"assignee_id": chat.workspace.owner_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        app.patch(&path, token, json!({"unassign": true, "assignee_id": chat.workspace.owner_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["assignee_id"].is_null(), "unassign wins: {body}");
}

// ---------------------------------------------------------------------------- messages

#[tokio::test]
async fn agent_replies_are_numbered_and_idempotent() {
    let chat = chat().await;
    let (app, token) = (&chat.app, chat.token());

    let (status, reply) =
        send(app, token, chat.conversation, json!({"body": "Hi! How can I help?", "client_msg_id": "reply-1"})).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["seq"], 2, "after the visitor's first message");
    assert_eq!(reply["author_kind"], "agent");
    assert_eq!(id(&reply["author_id"]), chat.workspace.owner_id);
    assert_eq!(reply["kind"], "text");

    // A retry (even with a different body) returns the stored message and stores nothing.
    let (status, retry) =
        send(app, token, chat.conversation, json!({"body": "Hi again", "client_msg_id": "reply-1"})).await;
    assert_eq!(status, StatusCode::OK, "{retry}");
    assert_eq!(retry, reply);
    let conversation = conversation(app, token, chat.conversation).await;
    assert_eq!(conversation["last_seq"], 2);

    // The next message follows without a gap.
    let next = send_ok(app, token, chat.conversation, json!({"body": "Still there?"})).await;
    assert_eq!(next["seq"], 3);
    let (_, range) = app.get(&format!("/conversations/{}/messages", chat.conversation), token).await;
    assert_eq!(seqs(&range), vec![1, 2, 3]);
    assert_eq!(range["last_seq"], 3);
}

#[tokio::test]
async fn notes_are_for_the_team_only() {
    let chat = chat().await;
    let (app, token) = (&chat.app, chat.token());

    let note = send_ok(app, token, chat.conversation, json!({"body": "VIP customer", "kind": "note"})).await;
    assert_eq!(note["kind"], "note");
    assert!(
        conversation(app, token, chat.conversation).await["first_response_at"].is_null(),
        "a note is not a response"
    );
    let reply = send_ok(app, token, chat.conversation, json!({"body": "Hello!"})).await;

    let (status, team_view) = app.get(&format!("/conversations/{}/messages", chat.conversation), token).await;
    assert_eq!(status, StatusCode::OK, "{team_view}");
    assert_eq!(seqs(&team_view), vec![1, 2, 3]);
    assert_eq!(team_view["items"][1]["body"], "VIP customer");

    let (status, visitor_view) = chat.visitor_messages(chat.conversation).await;
    assert_eq!(status, StatusCode::OK, "{visitor_view}");
    assert_eq!(seqs(&visitor_view), vec![1, 3]);
    assert!(!visitor_view.to_string().contains("VIP customer"), "the visitor sees a note: {visitor_view}");
    assert_eq!(visitor_view["items"][1]["id"], reply["id"]);

    // Visitors cannot write notes themselves.
    let (status, body) = app
        .post(
            &format!("/widget/conversations/{}/messages", chat.conversation),
            &chat.visitor_token,
            json!({"body": "x", "kind": "note"}),
        )
        .await;
    assert_invalid(status, &body, "kind");
}

#[tokio::test]
async fn a_visitor_cannot_fetch_a_note_through_its_idempotency_key() {
    let chat = chat().await;
    send_ok(
        &chat.app,
        chat.token(),
        chat.conversation,
        json!({"body": "VIP: refund approved", "kind": "note", "client_msg_id": "n-1"}),
    )
    .await;

    let (status, body) = chat
        .app
        .post(
            &format!("/widget/conversations/{}/messages", chat.conversation),
            &chat.visitor_token,
            json!({"body": "guessing", "client_msg_id": "n-1"}),
        )
        .await;
    assert!(
        !body.to_string().contains("VIP: refund approved"),
        "the visitor received an internal note ({status}): {body}"
    );
    assert_error(status, &body, StatusCode::CONFLICT, "client_msg_id_taken");
}

#[tokio::test]
async fn another_senders_idempotency_key_is_refused_not_swallowed() {
    let chat = chat().await;
    let (status, visitor_message) = chat
        .app
        .post(
            &format!("/widget/conversations/{}/messages", chat.conversation),
            &chat.visitor_token,
            json!({"body": "from the visitor", "client_msg_id": "m-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{visitor_message}");

    // The key is unique per conversation: a clash with another sender's key is reported
    // (so the sender retries with a fresh key) instead of returning their message or
    // silently dropping this one.
    let (status, reply) =
        send(&chat.app, chat.token(), chat.conversation, json!({"body": "from the agent", "client_msg_id": "m-1"}))
            .await;
    assert_error(status, &reply, StatusCode::CONFLICT, "client_msg_id_taken");
    assert!(!reply.to_string().contains("from the visitor"), "{reply}");
    assert_eq!(
        conversation(&chat.app, chat.token(), chat.conversation).await["last_seq"],
        2,
        "nothing stored, no seq used"
    );
}

#[tokio::test]
async fn a_text_reply_sets_first_response_at_once() {
    let chat = chat().await;
    let (app, token) = (&chat.app, chat.token());
    assert!(conversation(app, token, chat.conversation).await["first_response_at"].is_null());
    // The visitor writing again is not a response either.
    let (status, body) = app
        .post(
            &format!("/widget/conversations/{}/messages", chat.conversation),
            &chat.visitor_token,
            json!({"body": "Hello?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(conversation(app, token, chat.conversation).await["first_response_at"].is_null());

    send_ok(app, token, chat.conversation, json!({"body": "Hi!"})).await;
    let first = conversation(app, token, chat.conversation).await["first_response_at"].clone();
    assert!(first.is_string(), "{first}");
    send_ok(app, token, chat.conversation, json!({"body": "Anything else?"})).await;
    assert_eq!(conversation(app, token, chat.conversation).await["first_response_at"], first, "set once");
}

#[tokio::test]
async fn message_ranges_after_a_seq() {
    let chat = chat().await;
    let (app, token) = (&chat.app, chat.token());
    for n in 2..=6 {
        send_ok(app, token, chat.conversation, json!({"body": format!("message {n}")})).await;
    }
    let range = |query: &str| {
        let path = format!("/conversations/{}/messages?{query}", chat.conversation);
        async move { app.get(&path, token).await }
    };

    let cases: [(&str, Vec<i64>, bool); 5] = [
        ("after_seq=0&limit=2", vec![1, 2], true),
        ("after_seq=2&limit=3", vec![3, 4, 5], true),
        ("after_seq=4&limit=2", vec![5, 6], false),
        ("after_seq=6", vec![], false),
        ("after_seq=100", vec![], false),
    ];
    for (query, expected, has_more) in cases {
        let (status, body) = range(query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(seqs(&body), expected, "{query}");
        assert_eq!(body["has_more"], has_more, "{query}: {body}");
        assert_eq!(body["last_seq"], 6, "{query}");
    }
    for (query, field) in [("after_seq=-1", "after_seq"), ("limit=0", "limit"), ("limit=501", "limit")] {
        let (status, body) = range(query).await;
        assert_invalid(status, &body, field);
    }
}

#[tokio::test]
async fn message_bodies_are_checked() {
    let chat = chat().await;
    let (app, token) = (&chat.app, chat.token());
    let cases = [
        (json!({"body": ""}), "body"),
        (json!({"body": "   \n "}), "body"),
        (json!({"body": "x".repeat(10_001)}), "body"),
        (json!({"body": "ok", "client_msg_id": ""}), "client_msg_id"),
        (json!({"body": "ok", "client_msg_id": "k".repeat(65)}), "client_msg_id"),
    ];
    for (message, field) in cases {
        let (status, body) = send(app, token, chat.conversation, message).await;
        assert_invalid(status, &body, field);
    }
    assert_eq!(send_ok(app, token, chat.conversation, json!({"body": "x".repeat(10_000)})).await["seq"], 2);
    let (status, body) = send(app, token, Uuid::now_v7(), json!({"body": "into nothing"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

// ---------------------------------------------------------------------------- widget

#[tokio::test]
async fn widget_sessions_check_the_origin() {
    let chat = chat().await;
    for origin in ["https://evil.test", "http://shop.test", "https://shop.test.evil.test", "null"] {
        let (status, body) = widget_session(&chat.app, &chat.site_key, Some(origin), None).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "origin_not_allowed");
    }
    let (status, body) = widget_session(&chat.app, &chat.site_key, Some(SHOP_ORIGIN), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["site"]["name"], "Shop");
    assert!(body["visitor_token"].as_str().is_some_and(|t| t.starts_with("rpv_")), "{body}");

    let (status, body) = widget_session(&chat.app, "site_unknown", None, None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_visitor_token_resumes_the_same_visitor() {
    let chat = chat().await;
    let (token, visitor_id) = new_visitor(&chat.app, &chat.site_key).await;

    let (status, body) = widget_session(&chat.app, &chat.site_key, Some(SHOP_ORIGIN), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(id(&body["visitor_id"]), visitor_id);
    assert_eq!(body["visitor_token"], token.as_str());

    // An unknown token starts a new visitor instead of failing.
    let (status, body) = widget_session(&chat.app, &chat.site_key, None, Some("rpv_unknown")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(id(&body["visitor_id"]), visitor_id);
}

#[tokio::test]
async fn visitors_reach_only_their_own_conversations() {
    let chat = chat().await;
    let app = &chat.app;
    let (intruder, _) = new_visitor(app, &chat.site_key).await;
    let path = format!("/widget/conversations/{}/messages", chat.conversation);

    let (status, body) = app.get(&path, &intruder).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.post(&path, &intruder, json!({"body": "let me in"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, page) = app.get("/widget/conversations", &intruder).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(item_ids(&page).is_empty(), "{page}");

    // The owner sees their conversation, untouched.
    let (status, page) = app.get("/widget/conversations", &chat.visitor_token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(item_ids(&page), vec![chat.conversation]);
    let (_, range) = chat.visitor_messages(chat.conversation).await;
    assert_eq!(seqs(&range), vec![1]);
}

#[tokio::test]
async fn visitor_tokens_are_refused_on_agent_endpoints_and_vice_versa() {
    let chat = chat().await;
    for path in
        ["/me".to_owned(), "/conversations".to_owned(), format!("/conversations/{}/messages", chat.conversation)]
    {
        let (status, body) = chat.app.get(&path, &chat.visitor_token).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let (status, body) = send(&chat.app, &chat.visitor_token, chat.conversation, json!({"body": "as an agent"})).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    // An agent session is not a visitor token either.
    let (status, body) = chat.app.get("/widget/conversations", chat.token()).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(conversation(&chat.app, chat.token(), chat.conversation).await["last_seq"], 1);
}

#[tokio::test]
async fn a_visitor_conversation_start_is_idempotent() {
    let chat = chat().await;
    let body = json!({"body": "Where is my order?", "client_msg_id": "first-1"});
    let (status, started) = chat.app.post("/widget/conversations", &chat.visitor_token, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["message"]["seq"], 1);
    let (status, again) = chat.app.post("/widget/conversations", &chat.visitor_token, body).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["conversation"]["id"], started["conversation"]["id"]);
    assert_eq!(again["message"]["id"], started["message"]["id"]);
    assert_eq!(list_ids(&chat.app, "/conversations", chat.token()).await.len(), 2);
}
