//! What the console organises work with: labels as workspace objects (renaming, merging
//! and deleting change every conversation), filters that combine, saved views of one's
//! own, search results that quote what matched, visitors fetched in one request, the
//! stored page trail, ratings on conversations, and saved replies in several languages.

use crate::common::*;

/// A visitor of `site_key` who starts a conversation; (visitor id, token, conversation id).
async fn conversation(app: &TestApp, site_key: &str, first: &str) -> (Uuid, String, Uuid) {
    let (status, session) = app.call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let token = session["visitor_token"].as_str().unwrap().to_owned();
    let conversation = app.start_conversation(&token, first).await;
    (id(&session["visitor_id"]), token, conversation)
}

async fn labels_of(app: &TestApp, token: &str, conversation: Uuid) -> Vec<String> {
    let (status, body) = app.get(&format!("/conversations/{conversation}"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body["labels"].clone()).unwrap()
}

async fn label_ids(app: &TestApp, token: &str) -> Vec<(String, Uuid, u64)> {
    let (status, body) = app.get("/labels", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap().to_owned(), id(&l["id"]), l["conversations"].as_u64().unwrap()))
        .collect()
}

#[tokio::test]
async fn labels_are_renamed_merged_and_deleted_on_every_conversation() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (_, _, first) = conversation(&app, &site_key, "Invoice is wrong").await;
    let (_, _, second) = conversation(&app, &site_key, "Refund please").await;

    let (status, billing) = app.post("/labels", &ws.token, json!({"name": "Billing", "color": "#0E7490"})).await;
    assert_eq!(status, StatusCode::CREATED, "{billing}");
    assert_eq!(billing["color"], "#0e7490");
    let (status, refunds) = app.post("/labels", &ws.token, json!({"name": "refunds"})).await;
    assert_eq!(status, StatusCode::CREATED, "{refunds}");
    assert!(refunds["color"].as_str().unwrap().starts_with('#'), "a colour is picked: {refunds}");
    // Names are unique whatever their case; bad input changes nothing.
    let (status, body) = app.post("/labels", &ws.token, json!({"name": "BILLING"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "label_taken");
    let (status, body) = app.post("/labels", &ws.token, json!({"name": "x", "color": "red"})).await;
    assert_invalid(status, &body, "color");
    let (status, body) = app.post("/labels", &ws.token, json!({"name": "a".repeat(41)})).await;
    assert_invalid(status, &body, "name");

    for (c, labels) in [(first, json!(["Billing", "vip"])), (second, json!(["refunds", "billing"]))] {
        let (status, body) = app.patch(&format!("/conversations/{c}"), &ws.token, json!({"labels": labels})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let counts: Vec<(String, u64)> = label_ids(&app, &ws.token).await.into_iter().map(|(n, _, c)| (n, c)).collect();
    assert_eq!(counts, vec![("Billing".to_owned(), 2), ("refunds".to_owned(), 1)]);

    // Rename: every conversation carrying it (in any case) carries the new name.
    let billing_id = id(&billing["id"]);
    let (status, renamed) = app.patch(&format!("/labels/{billing_id}"), &ws.token, json!({"name": "Invoices"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["conversations"], 2);
    assert_eq!(labels_of(&app, &ws.token, first).await, vec!["Invoices", "vip"]);
    assert_eq!(labels_of(&app, &ws.token, second).await, vec!["refunds", "Invoices"]);

    // Merge refunds into Invoices: once each, and refunds is gone.
    let refunds_id = id(&refunds["id"]);
    let (status, into) =
        app.post(&format!("/labels/{refunds_id}/merge"), &ws.token, json!({"into_label_id": billing_id})).await;
    assert_eq!(status, StatusCode::OK, "{into}");
    assert_eq!(into["name"], "Invoices");
    assert_eq!(labels_of(&app, &ws.token, second).await, vec!["Invoices"]);
    assert_eq!(label_ids(&app, &ws.token).await.len(), 1);
    let (status, body) =
        app.post(&format!("/labels/{billing_id}/merge"), &ws.token, json!({"into_label_id": billing_id})).await;
    assert_invalid(status, &body, "into_label_id");

    // Plain agents create labels but do not rename, merge or delete them.
    let (_, agent) = agent_session(&app, &ws.token, "agent@acme.test", "agent").await;
    let (status, body) = app.post("/labels", &agent, json!({"name": "urgent-ship"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app.patch(&format!("/labels/{billing_id}"), &agent, json!({"name": "nope"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(labels_of(&app, &ws.token, first).await, vec!["Invoices", "vip"], "nothing changed");

    // Delete: off every conversation.
    let (status, _) = delete(&app, &format!("/labels/{billing_id}"), &ws.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(labels_of(&app, &ws.token, first).await, vec!["vip"]);
    assert!(labels_of(&app, &ws.token, second).await.is_empty());

    // Another workspace sees none of it.
    let other = app.signup("Globex").await;
    assert!(label_ids(&app, &other.token).await.is_empty());
    let (status, body) = app.patch(&format!("/labels/{refunds_id}"), &other.token, json!({"name": "x"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn filters_by_team_label_and_priority_combine() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (status, team) = app.post("/teams", &ws.token, json!({"name": "Billing", "member_ids": []})).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team_id = id(&team["id"]);
    let mut ids = Vec::new();
    for (first, changes) in [
        ("one", json!({"labels": ["VIP"], "priority": "urgent", "team_id": team_id})),
        ("two", json!({"labels": ["vip", "late"], "priority": "urgent"})),
        ("three", json!({"labels": ["late"], "team_id": team_id})),
    ] {
        let (_, _, c) = conversation(&app, &site_key, first).await;
        let (status, body) = app.patch(&format!("/conversations/{c}"), &ws.token, changes).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(c);
    }
    let found = |query: String| {
        let (app, token) = (&app, &ws.token);
        async move {
            let (status, body) = app.get(&format!("/conversations?{query}"), token).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["items"].as_array().unwrap().iter().map(|c| id(&c["id"])).collect::<Vec<_>>()
        }
    };
    assert_eq!(found("label=vip".into()).await, vec![ids[1], ids[0]], "newest first, any case");
    assert_eq!(found(format!("label=vip&team_id={team_id}")).await, vec![ids[0]]);
    assert_eq!(found("priority=urgent&label=late".into()).await, vec![ids[1]]);
    assert_eq!(found(format!("team_id={team_id}&status=open")).await, vec![ids[2], ids[0]]);
    assert!(found("label=vi".into()).await.is_empty(), "a whole label, not a part of one");
    let (status, body) = app.get("/conversations?priority=soon", &ws.token).await;
    assert_client_error(status, &body);
}

#[tokio::test]
async fn saved_views_belong_to_their_agent() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (status, view) = app
        .post(
            "/views",
            &ws.token,
            json!({"name": "Urgent billing", "filters": {"label": "billing", "priority": "urgent"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["filters"], json!({"label": "billing", "priority": "urgent"}));

    let (_, colleague) = agent_session(&app, &ws.token, "grace@acme.test", "agent").await;
    let (status, theirs) = app.get("/views", &colleague).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs["items"], json!([]), "each agent sees only their own");
    let view_id = id(&view["id"]);
    let (status, body) = delete(&app, &format!("/views/{view_id}"), &colleague).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // Ids in filters must be the workspace's; names are required.
    let other = app.signup("Globex").await;
    let (status, team) = app.post("/teams", &other.token, json!({"name": "Theirs", "member_ids": []})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) =
        app.post("/views", &ws.token, json!({"name": "Sneaky", "filters": {"team_id": team["id"]}})).await;
    assert_invalid(status, &body, "filters.team_id");
    let (status, body) = app.post("/views", &ws.token, json!({"name": " ", "filters": {}})).await;
    assert_invalid(status, &body, "name");
    let (status, body) = app
        .post("/views", &ws.token, json!({"name": "Both", "filters": {"unassigned": true, "assignee_id": ws.owner_id}}))
        .await;
    assert_invalid(status, &body, "filters.unassigned");

    let (status, mine) = app.get("/views", &ws.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "the refused ones were not stored: {mine}");
    let (status, _) = delete(&app, &format!("/views/{view_id}"), &ws.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn search_results_quote_what_matched() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let long = format!("{} my REFUND for order 1042 {}", "Hello there, ".repeat(8), "thanks a lot ".repeat(8));
    let (_, _, by_message) = conversation(&app, &site_key, &long).await;
    let (visitor, _, by_name) = conversation(&app, &site_key, "Hi").await;
    let (status, body) = app.patch(&format!("/visitors/{visitor}"), &ws.token, json!({"name": "Refundo Smith"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    conversation(&app, &site_key, "Nothing to see").await;

    let (status, page) = app.get("/conversations/search?q=refund", &ws.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    assert_eq!(id(&items[0]["conversation"]["id"]), by_name);
    assert_eq!((items[0]["field"].as_str(), items[0]["snippet"].as_str()), (Some("name"), Some("Refundo Smith")));
    assert_eq!(id(&items[1]["conversation"]["id"]), by_message);
    assert_eq!(items[1]["field"], "message");
    assert_eq!(items[1]["seq"], 1);
    let snippet = items[1]["snippet"].as_str().unwrap();
    assert!(snippet.contains("my REFUND for order 1042"), "{snippet}");
    assert!(snippet.starts_with('…') && snippet.ends_with('…'), "cut on both sides: {snippet}");
    assert!(snippet.chars().count() < long.chars().count(), "{snippet}");

    let (status, body) = app.get("/conversations/search?q=%20", &ws.token).await;
    assert_invalid(status, &body, "q");
    let (status, body) = app.get(&format!("/conversations/search?q={}", "x".repeat(201)), &ws.token).await;
    assert_invalid(status, &body, "q");
}

#[tokio::test]
async fn visitors_come_in_one_request_and_keep_their_page_trail() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let mut visitors = Vec::new();
    for n in 0..3 {
        let (visitor, token, _) = conversation(&app, &site_key, &format!("Hello {n}")).await;
        visitors.push((visitor, token));
    }
    let other = app.signup("Globex").await;
    let (_, their_key) = app.create_site(&other.token).await;
    let (theirs, _, _) = conversation(&app, &their_key, "Not yours").await;

    let wanted: Vec<String> =
        visitors.iter().map(|(v, _)| v.to_string()).chain([theirs.to_string(), Uuid::new_v4().to_string()]).collect();
    let (status, page) = app.get(&format!("/visitors?ids={}", wanted.join(",")), &ws.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let got: Vec<Uuid> = page["items"].as_array().unwrap().iter().map(|v| id(&v["id"])).collect();
    assert_eq!(got, visitors.iter().map(|(v, _)| *v).collect::<Vec<_>>(), "only this workspace's, oldest first");
    assert!(page["next_cursor"].is_null());
    let (status, body) = app.get("/visitors?ids=not-an-id", &ws.token).await;
    assert_invalid(status, &body, "ids");
    let too_many: Vec<String> = (0..201).map(|_| Uuid::new_v4().to_string()).collect();
    let (status, body) = app.get(&format!("/visitors?ids={}", too_many.join(",")), &ws.token).await;
    assert_invalid(status, &body, "ids");

    // The pages the widget reports are stored: they are there after any reload.
    let (visitor, token) = &visitors[0];
    let mut socket = system_tests::ws::connect(
        &app.address,
        "/ws/visitor",
        system_tests::ws::Credential::Protocol(token),
        Some(SHOP_ORIGIN),
    )
    .await
    .expect("the visitor's socket");
    for (url, title) in [("https://shop.test/", "Home"), ("https://shop.test/shoes", "Shoes")] {
        socket.send(&openapi::realtime::ClientFrame::Page { url: url.into(), title: title.into() }).await;
    }
    let trail = system_tests::eventually("both pages stored", || async {
        let (status, body) = app.get(&format!("/visitors/{visitor}/pages"), &ws.token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (body["items"].as_array().unwrap().len() == 2).then_some(body)
    })
    .await;
    let urls: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|p| p["url"].as_str().unwrap()).collect();
    assert_eq!(urls, vec!["https://shop.test/shoes", "https://shop.test/"], "newest first");
    let (status, body) = app.get(&format!("/visitors/{theirs}/pages"), &ws.token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_rating_shows_on_the_conversation_for_the_team() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (_, token, c) = conversation(&app, &site_key, "Help").await;
    let (status, body) = app.get(&format!("/conversations/{c}"), &ws.token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("rating").is_none(), "no rating yet: {body}");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/widget/conversations/{c}/rating"),
            Some(&token),
            Some(json!({"score": 2, "comment": "Slow answer"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, one) = app.get(&format!("/conversations/{c}"), &ws.token).await;
    assert_eq!((one["rating"]["score"].as_u64(), one["rating"]["comment"].as_str()), (Some(2), Some("Slow answer")));
    let (_, list) = app.get("/conversations", &ws.token).await;
    assert_eq!(list["items"][0]["rating"]["score"], 2);
}

#[tokio::test]
async fn the_widget_session_records_the_browsers_language() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let session = |language: &'static str, token: Option<String>| {
        let (app, site_key) = (&app, site_key.clone());
        async move {
            let response = app
                .http
                .post(app.url("/api/v1/widget/session"))
                .header("accept-language", language)
                .json(&json!({"site_key": site_key, "visitor_token": token}))
                .send()
                .await
                .unwrap();
            json_of(response).await.1
        }
    };
    let first = session("fr-CA,fr;q=0.9,en;q=0.5", None).await;
    let visitor = id(&first["visitor_id"]);
    let (_, body) = app.get(&format!("/visitors/{visitor}"), &ws.token).await;
    assert_eq!(body["attributes"]["language"], "fr-CA");
    // The same visitor in a browser set to German later.
    session("de", first["visitor_token"].as_str().map(str::to_owned)).await;
    let (_, body) = app.get(&format!("/visitors/{visitor}"), &ws.token).await;
    assert_eq!(body["attributes"]["language"], "de");
}

#[tokio::test]
async fn saved_replies_keep_their_languages() {
    let app = spawn_app().await;
    let ws = app.signup("Acme").await;
    let (status, body) = app
        .post(
            "/canned-responses",
            &ws.token,
            json!({"shortcut": "hello", "body": "Hi {{visitor.first_name | there}}!",
                   "variants": [{"language": "fr", "body": "Bonjour {{visitor.first_name}} !"},
                                {"language": "pt-BR", "body": "Olá!"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["variants"][1], json!({"language": "pt-BR", "body": "Olá!"}));
    let canned = id(&body["id"]);
    // A language twice, something that is not a language tag, an empty text.
    for variants in [
        json!([{"language": "fr", "body": "a"}, {"language": "FR", "body": "b"}]),
        json!([{"language": "français", "body": "a"}]),
        json!([{"language": "de", "body": " "}]),
    ] {
        let (status, body) =
            app.patch(&format!("/canned-responses/{canned}"), &ws.token, json!({"variants": variants})).await;
        assert_invalid(status, &body, "variants");
    }
    let (status, body) = app
        .patch(
            &format!("/canned-responses/{canned}"),
            &ws.token,
            json!({"variants": [{"language": "de", "body": "Hallo!"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["variants"], json!([{"language": "de", "body": "Hallo!"}]));
    assert_eq!(body["body"], "Hi {{visitor.first_name | there}}!", "the rest stays");
}
