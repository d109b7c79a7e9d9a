//! Typing, read receipts, pages, conversation events, presence, and who sees them.

use crate::common::*;

#[tokio::test]
async fn typing_goes_both_ways_and_is_not_echoed() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let conversation_id = chat.conversation_id;

    visitor.send(&ClientFrame::Typing { conversation_id, typing: true, preview: None }).await;
    let typing = agent.recv_until("typing", |f| matches!(f, ServerFrame::Typing { .. })).await;
    let ServerFrame::Typing { from, typing, expires_in_ms, .. } = typing else { unreachable!() };
    assert_eq!((from, typing), (Participant::Visitor(chat.visitor_id), true));
    assert!(expires_in_ms > 0, "indicators expire on their own");

    agent.send(&ClientFrame::Typing { conversation_id, typing: true, preview: None }).await;
    let typing = visitor.recv_until("typing", |f| matches!(f, ServerFrame::Typing { .. })).await;
    assert!(
        matches!(typing, ServerFrame::Typing { from: Participant::Agent(id), typing: true, .. } if id == chat.workspace.owner_id)
    );

    // Neither side gets its own indicator back: the next frame each sees is the pong.
    for socket in [&mut agent, &mut visitor] {
        socket.send(&ClientFrame::Ping).await;
        assert_eq!(socket.reply().await, ServerFrame::Pong);
    }
}

#[tokio::test]
async fn read_receipts_are_stored_broadcast_and_only_move_forward() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let conversation_id = chat.conversation_id;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    agent.send(&send(conversation_id, "a-1", "Hello! How can I help?")).await;
    ack(&mut agent, "a-1").await;

    visitor.send(&ClientFrame::Read { conversation_id, seq: 2 }).await;
    let read = agent.recv_until("read", |f| matches!(f, ServerFrame::Read { .. })).await;
    assert_eq!(read, ServerFrame::Read { conversation_id, reader: Participant::Visitor(chat.visitor_id), seq: 2 });

    agent.send(&ClientFrame::Read { conversation_id, seq: 1 }).await;
    let read = visitor.recv_until("read", |f| matches!(f, ServerFrame::Read { .. })).await;
    assert_eq!(
        read,
        ServerFrame::Read { conversation_id, reader: Participant::Agent(chat.workspace.owner_id), seq: 1 }
    );

    // Backwards is a no-op (nothing broadcast); beyond the last seq is refused.
    visitor.send(&ClientFrame::Read { conversation_id, seq: 1 }).await;
    visitor.send(&ClientFrame::Read { conversation_id, seq: 99 }).await;
    let refused = visitor.recv_until("error", |f| matches!(f, ServerFrame::Error { .. })).await;
    assert!(matches!(refused, ServerFrame::Error { ref code, .. } if code == "invalid_input"), "{refused:?}");
    agent.send(&ClientFrame::Ping).await;
    assert_eq!(agent.reply().await, ServerFrame::Pong, "no receipt for a cursor that did not move");

    // Stored: a socket that resumes learns the read state.
    let mut later = agent_socket(&app.address, &chat.workspace.token).await;
    resume(&mut later, conversation_id, 0).await;
    let read = later.recv_until("read", |f| matches!(f, ServerFrame::Read { .. })).await;
    assert_eq!(read, ServerFrame::Read { conversation_id, reader: Participant::Visitor(chat.visitor_id), seq: 2 });
}

#[tokio::test]
async fn the_visitors_page_reaches_agents_and_unsafe_urls_are_refused() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    visitor.send(&ClientFrame::Page { url: "https://shop.test/cart?step=2".into(), title: "Your cart".into() }).await;
    let page = agent.recv_until("page", |f| matches!(f, ServerFrame::Page { .. })).await;
    assert!(matches!(page, ServerFrame::Page { visitor_id, ref url, ref title, .. }
        if visitor_id == chat.visitor_id && url == "https://shop.test/cart?step=2" && title == "Your cart"));

    visitor.send(&ClientFrame::Page { url: "javascript:alert(1)".into(), title: "x".into() }).await;
    let refused = visitor.recv_until("error", |f| matches!(f, ServerFrame::Error { .. })).await;
    assert!(matches!(refused, ServerFrame::Error { ref code, .. } if code == "invalid_input"), "{refused:?}");
}

#[tokio::test]
async fn conversation_events_reach_the_team_and_the_conversations_visitor() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;

    let (other_token, _) = visitor_of(&app, &chat.site_key).await;
    let created = app.start_conversation(&other_token, "I need help with billing").await;
    let event = agent.recv_until("created", |f| matches!(f, ServerFrame::Conversation { .. })).await;
    assert!(
        matches!(event, ServerFrame::Conversation { change: ConversationChange::Created, ref conversation } if conversation.id == created)
    );
    let first = resume(&mut agent, created, 0).await;
    assert_eq!(first[0].body, "I need help with billing");

    let path = format!("/conversations/{}", chat.conversation_id);
    let (status, _) = app.patch(&path, &chat.workspace.token, json!({"assignee_id": chat.workspace.owner_id})).await;
    assert_eq!(status, 200);
    for socket in [&mut agent, &mut visitor] {
        let event = socket.recv_until("assigned", |f| matches!(f, ServerFrame::Conversation { .. })).await;
        assert!(matches!(event, ServerFrame::Conversation { change: ConversationChange::Assigned, ref conversation }
            if conversation.assignee_id == Some(chat.workspace.owner_id)));
    }
    let (status, _) = app.patch(&path, &chat.workspace.token, json!({"status": "resolved"})).await;
    assert_eq!(status, 200);
    let event = visitor.recv_until("status", |f| matches!(f, ServerFrame::Conversation { .. })).await;
    assert!(matches!(event, ServerFrame::Conversation { change: ConversationChange::StatusChanged, .. }));

    // The first visitor heard nothing of the other visitor's conversation.
    visitor.send(&ClientFrame::Ping).await;
    loop {
        match visitor.recv().await {
            ServerFrame::Pong => break,
            ServerFrame::Conversation { conversation, .. } => assert_eq!(conversation.id, chat.conversation_id),
            ServerFrame::Message { message } => assert_eq!(message.conversation_id, chat.conversation_id),
            _ => {}
        }
    }
}

async fn visitor_of(app: &TestApp, site_key: &str) -> (String, Uuid) {
    crate::common::visitor(app, site_key).await
}

#[tokio::test]
async fn agents_see_each_others_status_and_sign_out_closes_the_socket() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut owner = agent_socket(&app.address, &chat.workspace.token).await;
    // A second session of another agent.
    let (status, created) = app
        .post("/agents", &chat.workspace.token, json!({"name": "Sam", "email": "sam@acme.test", "role": "agent"}))
        .await;
    assert_eq!(status, 201, "{created}");
    let sam_id = id(&created["agent"]["id"]);
    let invitation = created["invitation_token"].as_str().unwrap();
    let (status, session) = app
        .call(
            reqwest::Method::POST,
            "/invitations/accept",
            None,
            Some(json!({"token": invitation, "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    let sam_token = session["token"].as_str().unwrap().to_owned();

    let mut sam = agent_socket(&app.address, &sam_token).await;
    let about_sam = |f: &ServerFrame| matches!(f, ServerFrame::AgentStatus { agent_id, .. } if *agent_id == sam_id);
    let online = owner.recv_until("status", about_sam).await;
    assert_eq!(online, ServerFrame::AgentStatus { agent_id: sam_id, status: AgentStatus::Online });
    sam.send(&ClientFrame::Status { status: AgentStatus::Away }).await;
    let away = owner.recv_until("status", about_sam).await;
    assert_eq!(away, ServerFrame::AgentStatus { agent_id: sam_id, status: AgentStatus::Away });

    let (status, _) = app.call(reqwest::Method::POST, "/signout", Some(&sam_token), None).await;
    assert!(status.is_success());
    assert_eq!(sam.closed().await, Ended::Closed(close::SESSION_ENDED, "signed out".into()));
    let offline = owner.recv_until("status", about_sam).await;
    assert_eq!(offline, ServerFrame::AgentStatus { agent_id: sam_id, status: AgentStatus::Offline });
}

#[tokio::test]
async fn sockets_never_carry_another_tenants_or_visitors_data() {
    let app = spawn_app().await;
    let a = chat_in(&app, "Acme").await;
    let b = chat_in(&app, "Globex").await;
    let mut agent_b = agent_socket(&app.address, &b.workspace.token).await;
    let mut visitor_b = visitor_socket(&app.address, &b.visitor_token).await;
    // B's sockets cannot reach A's conversation, whatever they send.
    for socket in [&mut agent_b, &mut visitor_b] {
        let is_error = |f: &ServerFrame| matches!(f, ServerFrame::Error { .. });
        socket.send(&ClientFrame::Resume { conversation_id: a.conversation_id, after_seq: 0 }).await;
        let refused = socket.recv_until("error", is_error).await;
        assert!(matches!(refused, ServerFrame::Error { ref code, .. } if code == "not_found"), "{refused:?}");
        socket.send(&send(a.conversation_id, "intrude", "hi")).await;
        let refused = socket.recv_until("error", is_error).await;
        assert!(matches!(refused, ServerFrame::Error { ref code, .. } if code == "not_found"), "{refused:?}");
        socket.send(&ClientFrame::Typing { conversation_id: a.conversation_id, typing: true, preview: None }).await;
        let refused = socket.recv_until("error", is_error).await;
        assert!(matches!(refused, ServerFrame::Error { ref code, .. } if code == "not_found"), "{refused:?}");
    }
    // Another visitor of A's own site cannot either.
    let (other, _) = visitor(&app, &a.site_key).await;
    let mut other = visitor_socket(&app.address, &other).await;
    other.send(&ClientFrame::Resume { conversation_id: a.conversation_id, after_seq: 0 }).await;
    assert!(matches!(other.reply().await, ServerFrame::Error { ref code, .. } if code == "not_found"));

    // Traffic in A reaches none of them. A second socket of A's owner shows when the
    // message has gone through the bus.
    let mut agent_a = agent_socket(&app.address, &a.workspace.token).await;
    let mut observer = agent_socket(&app.address, &a.workspace.token).await;
    resume(&mut observer, a.conversation_id, 0).await;
    agent_a.send(&send(a.conversation_id, "a-1", "secret order details")).await;
    ack(&mut agent_a, "a-1").await;
    message_with_seq(&mut observer, a.conversation_id, 2).await;
    for socket in [&mut agent_b, &mut visitor_b, &mut other] {
        socket.send(&ClientFrame::Ping).await;
        loop {
            match socket.recv().await {
                ServerFrame::Pong => break,
                ServerFrame::Message { message } => panic!("leaked {message:?}"),
                _ => {}
            }
        }
    }
    assert_eq!(stored(&app.address, &a.workspace.token, a.conversation_id).await.len(), 2);
}

#[tokio::test]
async fn revoking_a_visitor_closes_their_socket_and_refuses_the_token() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let path = format!("/visitors/{}/revoke", chat.visitor_id);
    let (status, _) = app.call(reqwest::Method::POST, &path, Some(&chat.workspace.token), None).await;
    assert_eq!(status, 204);
    assert_eq!(visitor.closed().await, Ended::Closed(close::SESSION_ENDED, "visitor token revoked".into()));
    let refused =
        ws::connect(&app.address, "/ws/visitor", Credential::Protocol(&chat.visitor_token), Some(SHOP_ORIGIN)).await;
    assert_eq!(refused.err().map(|r| r.status), Some(401));
    // The conversation itself is kept.
    assert_eq!(stored(&app.address, &chat.workspace.token, chat.conversation_id).await.len(), 1);
}

#[tokio::test]
async fn presence_lists_connected_agents_and_visitors_until_they_leave() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let presence = |app: &TestApp, token: String| {
        let app_address = app.address.clone();
        async move {
            let body: Value = reqwest::Client::new()
                .get(format!("{app_address}/api/v1/presence"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body
        }
    };
    assert_eq!(presence(&app, chat.workspace.token.clone()).await, json!({"agents": [], "sites": []}));
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let now = presence(&app, chat.workspace.token.clone()).await;
    assert_eq!(now["agents"], json!([{"agent_id": chat.workspace.owner_id, "status": "online"}]));
    assert_eq!(now["sites"][0]["visitor_ids"], json!([chat.visitor_id]));

    agent.send(&ClientFrame::Status { status: AgentStatus::Away }).await;
    agent.recv_until("status", |f| matches!(f, ServerFrame::AgentStatus { status: AgentStatus::Away, .. })).await;
    assert_eq!(presence(&app, chat.workspace.token.clone()).await["agents"][0]["status"], "away");

    visitor.drop_connection();
    // The server notices the dropped socket at once (the TCP connection closed).
    system_tests::until("the visitor to leave presence", async || {
        presence(&app, chat.workspace.token.clone()).await["sites"] == json!([])
    })
    .await;
}
