//! Transfers: to an agent or a team, with a note only the team ever sees.

use std::time::Duration;

use openapi::realtime::ClientFrame;

use crate::common::*;

#[tokio::test]
async fn a_transfer_moves_the_conversation_with_its_note_and_the_visitor_never_sees_it() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (bob, bob_token) = agent(&app, &acme.token, "bob@acme.test", 5).await;
    let (visitor_token, conversation_id) = waiting_visitor(&app, &site_key, "My parcel never arrived").await;
    app.post(&format!("/conversations/{conversation_id}/claim"), &acme.token, json!({})).await;

    let mut visitor = visitor_socket(&app, &visitor_token).await;
    visitor.send(&ClientFrame::Resume { conversation_id, after_seq: 0 }).await;
    let mut bobs_console = agent_socket(&app, &bob_token).await;
    bobs_console.send(&ClientFrame::Resume { conversation_id, after_seq: 0 }).await;

    let note = "VIP customer <b>already refunded</b> once; check order #1234";
    let (status, moved) = app
        .post(
            &format!("/conversations/{conversation_id}/transfer"),
            &acme.token,
            json!({"agent_id": bob, "note": note}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(id(&moved["assignee_id"]), bob);
    assert_eq!(moved["last_seq"], 2, "the note took the next seq");

    // Bob's console gets the note and the assignment, live.
    let frame = bobs_console
        .recv_until("the transfer note", |frame| matches!(frame, ServerFrame::Message { message } if message.seq == 2))
        .await;
    let ServerFrame::Message { message } = frame else { unreachable!() };
    assert_eq!(message.kind, openapi::messages::MessageKind::Note);
    assert!(message.body.contains(note), "{}", message.body);
    assert!(message.body.contains("Transferred to bob"), "{}", message.body);
    bobs_console
        .recv_until("the assignment", |frame| {
            matches!(frame, ServerFrame::Conversation { change: ConversationChange::Assigned, conversation }
                if conversation.assignee_id == Some(bob))
        })
        .await;

    // The visitor's socket never carries the note, and their history skips it.
    app.post(&format!("/conversations/{conversation_id}/messages"), &bob_token, json!({"body": "Hi, Bob here"})).await;
    loop {
        match visitor.next(Duration::from_secs(15)).await.expect("visitor socket open") {
            ServerFrame::Message { message } if message.seq == 2 => {
                panic!("the visitor received the note: {message:?}")
            }
            ServerFrame::Message { message } if message.seq == 3 => break,
            _ => {}
        }
    }
    let (_, history) = app.get(&format!("/widget/conversations/{conversation_id}/messages"), &visitor_token).await;
    let seqs: Vec<i64> = history["items"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [1, 3], "{history}");
}

#[tokio::test]
async fn a_transfer_to_a_team_puts_the_conversation_back_in_line_for_that_team() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (status, team) = app.post("/teams", &acme.token, json!({"name": "Billing"})).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team_id = id(&team["id"]);
    let (_, conversation_id) = waiting_visitor(&app, &site_key, "invoice question").await;
    app.post(&format!("/conversations/{conversation_id}/claim"), &acme.token, json!({})).await;
    assert!(queue(&app, &acme.token).await.is_empty());

    let (status, moved) =
        app.post(&format!("/conversations/{conversation_id}/transfer"), &acme.token, json!({"team_id": team_id})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert!(moved["assignee_id"].is_null());
    assert_eq!(id(&moved["team_id"]), team_id);
    let items = queue(&app, &acme.token).await;
    assert_eq!(items.len(), 1);
    assert_eq!(id(&items[0]["conversation"]["id"]), conversation_id);
    let (_, only_team) = app.get(&format!("/queue?team_id={team_id}"), &acme.token).await;
    assert_eq!(only_team["items"].as_array().unwrap().len(), 1);
    let (_, messages) = app.get(&format!("/conversations/{conversation_id}/messages"), &acme.token).await;
    let last = messages["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "note");
    assert_eq!(last["body"], "Transferred to the Billing team.");
}

#[tokio::test]
async fn bad_transfers_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let acme = app.signup("Acme").await;
    let globex = app.signup("Globex").await;
    let (_, site_key) = app.create_site(&acme.token).await;
    let (_, conversation_id) = waiting_visitor(&app, &site_key, "hello").await;
    let path = format!("/conversations/{conversation_id}/transfer");
    let before = conversation(&app, &acme.token, conversation_id).await;

    let (status, body) = app.post(&path, &acme.token, json!({})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let (status, body) =
        app.post(&path, &acme.token, json!({"agent_id": acme.owner_id, "team_id": Uuid::now_v7()})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    // Another workspace's agent is not a valid target.
    let (status, body) = app.post(&path, &acme.token, json!({"agent_id": globex.owner_id})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "agent_id");
    let (status, body) =
        app.post(&path, &acme.token, json!({"agent_id": acme.owner_id, "note": "x".repeat(2_001)})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "note");
    // Nor is another workspace's conversation.
    let (status, body) = app.post(&path, &globex.token, json!({"agent_id": globex.owner_id})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    assert_eq!(conversation(&app, &acme.token, conversation_id).await, before);
}
