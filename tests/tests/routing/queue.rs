//! The waiting queue, the visitor's place in it, and claiming.

use std::time::Duration;

use crate::common::*;

#[tokio::test]
async fn the_queue_lists_waiting_conversations_longest_waiting_first() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let mut waiting = Vec::new();
    for n in 0..3 {
        waiting.push(waiting_visitor(&app, &site_key, &format!("question {n}")).await);
    }

    let items = queue(&app, &acme.token).await;
    let ids: Vec<Uuid> = items.iter().map(|item| id(&item["conversation"]["id"])).collect();
    assert_eq!(ids, waiting.iter().map(|(_, c)| *c).collect::<Vec<_>>());
    let positions: Vec<u64> = items.iter().map(|item| item["position"].as_u64().unwrap()).collect();
    assert_eq!(positions, [1, 2, 3]);
    assert!(items.iter().all(|item| item["waiting_since"].is_string()));

    // The middle one is claimed: it leaves the line and the last moves up.
    let (status, body) = app.post(&format!("/conversations/{}/claim", waiting[1].1), &acme.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(id(&body["assignee_id"]), acme.owner_id);
    let items = queue(&app, &acme.token).await;
    let ids: Vec<Uuid> = items.iter().map(|item| id(&item["conversation"]["id"])).collect();
    assert_eq!(ids, [waiting[0].1, waiting[2].1]);
    assert_eq!(items[1]["position"], 2);

    // Each visitor sees only their own place.
    let (token, conversation_id) = &waiting[2];
    let (status, body) = app.get(&format!("/widget/conversations/{conversation_id}/queue"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["position"], 2);
    let (token, conversation_id) = &waiting[1];
    let (_, body) = app.get(&format!("/widget/conversations/{conversation_id}/queue"), token).await;
    assert!(body["position"].is_null(), "a claimed conversation has no place in line: {body}");
    let (status, body) = app.get(&format!("/widget/conversations/{}/queue", waiting[0].1), token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // Resolving takes a conversation out of the line; a visitor writing again brings it back,
    // at the end.
    let first = waiting[0].1;
    let (status, _) = app.patch(&format!("/conversations/{first}"), &acme.token, json!({"status": "resolved"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue(&app, &acme.token).await.len(), 1);
    let (status, body) = app
        .post(
            &format!("/widget/conversations/{first}/messages"),
            &waiting[0].0,
            json!({"body": "still there?", "client_msg_id": "again-1"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let ids: Vec<Uuid> = queue(&app, &acme.token).await.iter().map(|item| id(&item["conversation"]["id"])).collect();
    assert_eq!(ids, [waiting[2].1, first]);
}

#[tokio::test]
async fn the_queue_is_per_workspace() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let globex = app.signup("Globex").await;
    let (_, acme_key) = app.create_site(&acme.token).await;
    let (_, conversation_id) = waiting_visitor(&app, &acme_key, "hello").await;
    assert!(queue(&app, &globex.token).await.is_empty());
    let (status, body) = app.post(&format!("/conversations/{conversation_id}/claim"), &globex.token, json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert!(conversation(&app, &acme.token, conversation_id).await["assignee_id"].is_null());
}

#[tokio::test]
async fn two_agents_claiming_at_once_never_both_get_it() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (ann, ann_token) = agent(&app, &acme.token, "ann@acme.test", 10).await;
    let (bob, bob_token) = agent(&app, &acme.token, "bob@acme.test", 10).await;

    for round in 0..12 {
        let (_, conversation_id) = waiting_visitor(&app, &site_key, &format!("race {round}")).await;
        let path = format!("/conversations/{conversation_id}/claim");
        let (a, b) = tokio::join!(app.post(&path, &ann_token, json!({})), app.post(&path, &bob_token, json!({})));
        let outcomes = [(ann, a), (bob, b)];
        let winners: Vec<Uuid> =
            outcomes.iter().filter(|(_, (s, _))| *s == StatusCode::OK).map(|(agent, _)| *agent).collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one claim wins: {outcomes:?}");
        for (_, (status, body)) in &outcomes {
            if *status != StatusCode::OK {
                assert_error(*status, body, StatusCode::CONFLICT, "already_assigned");
            }
        }
        let stored = conversation(&app, &acme.token, conversation_id).await;
        assert_eq!(id(&stored["assignee_id"]), winners[0], "round {round}");
    }
}

#[tokio::test]
async fn claiming_follows_the_rules() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (_, conversation_id) = waiting_visitor(&app, &site_key, "hello").await;
    let path = format!("/conversations/{conversation_id}/claim");

    // Integrations assign through PATCH; a claim is an agent's own act.
    let (status, key) = app.post("/api-keys", &acme.token, json!({"name": "CRM", "scope": "write"})).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let (status, body) = app.post(&path, key["secret"].as_str().unwrap(), json!({})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    // A double click is harmless.
    let (status, first) = app.post(&path, &acme.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = app.post(&path, &acme.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(first["updated_at"], again["updated_at"], "claiming again changes nothing");

    // Resolved conversations are not claimable.
    let (_, other) = waiting_visitor(&app, &site_key, "bye").await;
    app.patch(&format!("/conversations/{other}"), &acme.token, json!({"status": "resolved"})).await;
    let (status, body) = app.post(&format!("/conversations/{other}/claim"), &acme.token, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "not_claimable");

    let (status, body) = app.post(&format!("/conversations/{}/claim", Uuid::now_v7()), &acme.token, json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_waiting_visitor_is_told_their_place_in_line_live() {
    let app = fast_router(300).await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (_, first) = waiting_visitor(&app, &site_key, "first").await;
    let (token, second) = waiting_visitor(&app, &site_key, "second").await;
    let mut socket = visitor_socket(&app, &token).await;

    // On load the widget asks; from then on the socket tells it what changes.
    let (_, now) = app.get(&format!("/widget/conversations/{second}/queue"), &token).await;
    assert_eq!(now["position"], 2, "{now}");

    // The one ahead is claimed: this visitor moves up to first.
    let (status, _) = app.post(&format!("/conversations/{first}/claim"), &acme.token, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    wait_for_place(&mut socket, second, Some(1)).await;

    // Their own is claimed: no place in line any more.
    app.post(&format!("/conversations/{second}/claim"), &acme.token, json!({})).await;
    let status = wait_for_place(&mut socket, second, None).await;
    assert_eq!(status.estimated_wait_secs, None);
}

/// Waits for a `queue` frame about `conversation_id` with position `wanted`.
async fn wait_for_place(
    socket: &mut Socket,
    conversation_id: Uuid,
    wanted: Option<u64>,
) -> openapi::routing::QueueStatus {
    loop {
        match socket.next(Duration::from_secs(15)).await.expect("the visitor socket stays open") {
            ServerFrame::Queue { status }
                if status.conversation_id == conversation_id && status.position.map(u64::from) == wanted =>
            {
                return status;
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_snoozed_conversation_opens_again_when_its_time_comes() {
    let app = fast_router(300).await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (_, waiting) = waiting_visitor(&app, &site_key, "call me back later").await;
    let (_, mine) = waiting_visitor(&app, &site_key, "me too").await;
    app.post(&format!("/conversations/{mine}/claim"), &acme.token, json!({})).await;

    // A wake-up time alone snoozes; with another status it is refused.
    let until = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    for id in [waiting, mine] {
        let (status, body) =
            app.patch(&format!("/conversations/{id}"), &acme.token, json!({"snoozed_until": until})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "snoozed");
    }
    let (status, body) = app
        .patch(&format!("/conversations/{mine}"), &acme.token, json!({"status": "open", "snoozed_until": until}))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert!(queue(&app, &acme.token).await.is_empty(), "snoozed conversations do not wait in line");

    eventually("both open again", || async {
        let a = conversation(&app, &acme.token, waiting).await;
        let b = conversation(&app, &acme.token, mine).await;
        (a["status"] == "open" && b["status"] == "open").then_some(())
    })
    .await;
    // The unassigned one is back in line; the claimed one is still its agent's.
    let ids: Vec<Uuid> = queue(&app, &acme.token).await.iter().map(|item| id(&item["conversation"]["id"])).collect();
    assert_eq!(ids, [waiting]);
    assert_eq!(id(&conversation(&app, &acme.token, mine).await["assignee_id"]), acme.owner_id);
    assert!(conversation(&app, &acme.token, mine).await["snoozed_until"].is_null());
}

#[tokio::test]
async fn an_agent_who_answers_a_waiting_conversation_takes_it() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (ada_id, ada) = agent(&app, &acme.token, "ada@acme.test", 5).await;
    let (_, bob) = agent(&app, &acme.token, "bob@acme.test", 5).await;
    let (_, noted) = waiting_visitor(&app, &site_key, "first").await;
    let (_, answered) = waiting_visitor(&app, &site_key, "second").await;
    let (_, by_key) = waiting_visitor(&app, &site_key, "third").await;
    let mut watcher = agent_socket(&app, &bob).await;

    // An internal note is not an answer: the conversation keeps waiting.
    let (status, body) =
        app.post(&format!("/conversations/{noted}/messages"), &ada, json!({"body": "VIP?", "kind": "note"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(conversation(&app, &ada, noted).await["assignee_id"].is_null());

    // Nor is an integration's message (an integration is nobody's seat).
    let (status, key) = app.post("/api-keys", &acme.token, json!({"name": "Bot", "scope": "write"})).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let (status, body) = app
        .post(
            &format!("/conversations/{by_key}/messages"),
            key["secret"].as_str().unwrap(),
            json!({"body": "Auto-reply"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(conversation(&app, &ada, by_key).await["assignee_id"].is_null());

    // Ada answers over REST: she has it, the queue no longer lists it, and the team hears.
    let (status, body) =
        app.post(&format!("/conversations/{answered}/messages"), &ada, json!({"body": "Hi, Ada here"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(id(&conversation(&app, &ada, answered).await["assignee_id"]), ada_id);
    assert!(queue(&app, &ada).await.iter().all(|entry| id(&entry["conversation"]["id"]) != answered));
    let frame = watcher
        .recv_until("the assignment", |frame| {
            matches!(frame, ServerFrame::Conversation { change: ConversationChange::Assigned, conversation }
                if conversation.id == answered)
        })
        .await;
    let ServerFrame::Conversation { conversation: announced, .. } = frame else { unreachable!() };
    assert_eq!(announced.assignee_id, Some(ada_id));

    // Bob answering over his socket afterwards does not take it from her.
    watcher
        .send(&openapi::realtime::ClientFrame::Send {
            conversation_id: answered,
            client_msg_id: "bob-1".into(),
            body: "Bob here too".into(),
            kind: None,
            attachment_ids: Vec::new(),
        })
        .await;
    watcher.recv_until("bob's ack", |frame| matches!(frame, ServerFrame::Ack { .. })).await;
    assert_eq!(id(&conversation(&app, &ada, answered).await["assignee_id"]), ada_id);
}

#[tokio::test]
async fn the_queue_pages_with_a_cursor_that_survives_claims_between_pages() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let mut waiting = Vec::new();
    for n in 0..5 {
        waiting.push(waiting_visitor(&app, &site_key, &format!("question {n}")).await.1);
    }

    let (status, first) = app.get("/queue?limit=2", &acme.token).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let ids = |page: &Value| {
        page["items"].as_array().unwrap().iter().map(|i| id(&i["conversation"]["id"])).collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), waiting[..2]);
    let cursor = first["next_cursor"].as_str().expect("a next page").to_owned();

    // The first of the next page is claimed meanwhile: the rest still follow, nobody is
    // skipped, and positions stay those of the line as it is now.
    let (status, _) = app.post(&format!("/conversations/{}/claim", waiting[2]), &acme.token, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, second) = app.get(&format!("/queue?limit=2&cursor={cursor}"), &acme.token).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(ids(&second), waiting[3..5]);
    let positions: Vec<u64> =
        second["items"].as_array().unwrap().iter().map(|i| i["position"].as_u64().unwrap()).collect();
    assert_eq!(positions, [3, 4]);
    assert!(second["next_cursor"].is_null(), "the last page says so: {second}");

    let (status, body) = app.get("/queue?cursor=not-a-cursor!", &acme.token).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
}
