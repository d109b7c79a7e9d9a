//! Everything a socket refuses, with the documented answer, and stored data untouched.

use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::common::*;

async fn refused(app: &TestApp, path: &str, credential: Credential<'_>, origin: Option<&str>) -> (u16, String) {
    match ws::connect(&app.address, path, credential, origin).await {
        Ok(_) => panic!("{path} accepted a connection it should refuse"),
        Err(refused) => (refused.status, refused.body["code"].as_str().unwrap_or_default().to_owned()),
    }
}

#[tokio::test]
async fn handshakes_with_a_wrong_origin_or_credential_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let visitor = Credential::Protocol(&chat.visitor_token);
    assert_eq!(
        refused(&app, "/ws/visitor", visitor.clone(), Some("https://evil.test")).await,
        (403, "origin_not_allowed".into())
    );
    assert_eq!(refused(&app, "/ws/visitor", visitor.clone(), None).await, (403, "origin_required".into()));
    let forged = "rpv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(refused(&app, "/ws/visitor", Credential::Protocol(forged), Some(SHOP_ORIGIN)).await.0, 401);
    assert_eq!(refused(&app, "/ws/visitor", Credential::None, Some(SHOP_ORIGIN)).await.0, 401);
    // An agent's token is not a visitor's, and the other way round.
    assert_eq!(
        refused(&app, "/ws/visitor", Credential::Protocol(&chat.workspace.token), Some(SHOP_ORIGIN)).await.0,
        401
    );
    assert_eq!(refused(&app, "/ws/agent", Credential::Protocol(&chat.visitor_token), None).await.0, 401);
    // Tokens in the URL are not credentials (they would end up in proxy logs).
    let in_url = format!("/ws/agent?token={}", chat.workspace.token);
    assert_eq!(refused(&app, &in_url, Credential::None, None).await.0, 401);
    // API keys integrate over REST and webhooks, not the agent socket.
    let (_, key) = app.post("/api-keys", &chat.workspace.token, json!({"name": "CRM", "scope": "write"})).await;
    let key = key["secret"].as_str().expect("the new key").to_owned();
    assert_eq!(refused(&app, "/ws/agent", Credential::Protocol(&key), None).await.0, 401);
    // The console's cookie works from the console's own origin only.
    assert!(
        ws::connect(&app.address, "/ws/agent", Credential::Cookie(&chat.workspace.token), Some(&app.address))
            .await
            .is_ok()
    );
    assert_eq!(
        refused(&app, "/ws/agent", Credential::Cookie(&chat.workspace.token), Some("https://evil.test")).await,
        (403, "origin_not_allowed".into())
    );
    // A signed-out session is refused.
    let (status, _) = app.call(reqwest::Method::POST, "/signout", Some(&chat.workspace.token), None).await;
    assert!(status.is_success());
    assert_eq!(refused(&app, "/ws/agent", Credential::Protocol(&chat.workspace.token), None).await.0, 401);
}

#[tokio::test]
async fn malformed_and_binary_frames_get_an_error_and_the_socket_stays_usable() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    for text in ["not json", r#"{"type":"teleport"}"#, r#"{"type":"send","conversation_id":"nope"}"#, "[]"] {
        visitor.send_text(text.into()).await;
        let error = visitor.reply().await;
        assert!(matches!(error, ServerFrame::Error { ref code, .. } if code == "malformed_frame"), "{text}: {error:?}");
    }
    visitor.send_raw(WsMessage::binary(vec![1, 2, 3])).await.unwrap();
    assert!(matches!(visitor.reply().await, ServerFrame::Error { ref code, .. } if code == "unsupported_frame"));
    // A refused send names its client_msg_id and stores nothing.
    let too_long = "x".repeat(10_001);
    visitor.send(&send(chat.conversation_id, "long-1", &too_long)).await;
    let error = visitor.reply().await;
    assert!(
        matches!(error, ServerFrame::Error { ref code, client_msg_id: Some(ref id), .. }
        if code == "invalid_input" && id == "long-1"),
        "{error:?}"
    );
    visitor
        .send(&ClientFrame::Send {
            conversation_id: chat.conversation_id,
            client_msg_id: "note-1".into(),
            body: "sneaky".into(),
            kind: Some(MessageKind::Note),
            attachment_ids: Vec::new(),
        })
        .await;
    assert!(matches!(visitor.reply().await, ServerFrame::Error { ref code, .. } if code == "invalid_input"));
    visitor.send(&ClientFrame::Status { status: AgentStatus::Online }).await;
    assert!(matches!(visitor.reply().await, ServerFrame::Error { ref code, .. } if code == "forbidden"));

    visitor.send(&ClientFrame::Ping).await;
    assert_eq!(visitor.reply().await, ServerFrame::Pong);
    assert_eq!(stored(&app.address, &chat.workspace.token, chat.conversation_id).await.len(), 1);
}

#[tokio::test]
async fn an_oversize_frame_closes_the_socket_with_1009_and_stores_nothing() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let ServerFrame::Hello { limits, .. } = visitor.hello.clone() else { unreachable!() };
    assert_eq!(limits.max_frame_bytes, 64 * 1024);
    let huge = "y".repeat(70 * 1024);
    visitor.send(&send(chat.conversation_id, "huge-1", &huge)).await;
    match visitor.closed().await {
        Ended::Closed(code, reason) => {
            assert_eq!(code, close::TOO_BIG);
            assert!(reason.contains("65536"), "{reason}");
        }
        other => panic!("expected a 1009 close, got {other:?}"),
    }
    assert_eq!(stored(&app.address, &chat.workspace.token, chat.conversation_id).await.len(), 1);
}

#[tokio::test]
async fn a_flood_is_rate_limited_with_an_error_frame_and_only_acked_messages_are_stored() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let ServerFrame::Hello { limits, .. } = visitor.hello.clone() else { unreachable!() };
    let flood = 80;
    for n in 0..flood {
        visitor.send(&send(chat.conversation_id, &format!("f-{n}"), &format!("flood {n}"))).await;
    }
    let mut acked = Vec::new();
    let mut limited = Vec::new();
    let mut messages = Vec::new();
    while acked.len() + limited.len() < flood {
        match visitor.recv().await {
            ServerFrame::Ack { client_msg_id, .. } => acked.push(client_msg_id),
            ServerFrame::Error { code, message, client_msg_id, retry_after_ms, .. } => {
                assert_eq!(code, "rate_limited");
                assert!(retry_after_ms.is_some_and(|ms| ms > 0));
                messages.push(message);
                limited.push(client_msg_id.expect("the refused frame's client_msg_id"));
            }
            _ => {}
        }
    }
    assert!(acked.len() >= limits.frame_burst as usize, "the burst is allowed ({} acked)", acked.len());
    assert!(
        messages.iter().all(|m| m.starts_with(&format!("more than {} frames per second", limits.frames_per_second))),
        "{messages:?}"
    );
    assert!(!limited.is_empty(), "a flood of {flood} frames at once must be limited");
    // The socket is still open, and exactly the acked messages are stored, once each.
    visitor.send(&ClientFrame::Ping).await;
    visitor.recv_until("pong", |f| *f == ServerFrame::Pong).await;
    let stored = stored(&app.address, &chat.workspace.token, chat.conversation_id).await;
    assert_gapless(&stored);
    let stored_ids: Vec<String> = stored.iter().skip(1).map(|m| m.client_msg_id.clone().unwrap()).collect();
    assert_eq!(stored_ids, acked);
}

#[tokio::test]
async fn a_flood_of_pings_is_limited_by_the_sync_allowance_and_says_so() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    // (The hello announces the sending allowance only; this one is the server's.)
    use backend::realtime::limits::{SYNC_BURST, SYNCS_PER_SECOND};
    // Past the burst, but fewer refusals in a row than close the socket.
    let flood = SYNC_BURST as usize + 60;
    for _ in 0..flood {
        visitor.send(&ClientFrame::Ping).await;
    }
    let (mut pongs, mut refusals) = (0, Vec::new());
    while pongs + refusals.len() < flood {
        match visitor.recv().await {
            ServerFrame::Pong => pongs += 1,
            ServerFrame::Error { code, message, .. } => {
                assert_eq!(code, "rate_limited");
                refusals.push(message);
            }
            _ => {}
        }
    }
    assert!(pongs >= SYNC_BURST as usize, "the sync burst is allowed ({pongs} pongs)");
    assert!(!refusals.is_empty(), "{flood} pings at once must be limited");
    let expected = format!("more than {SYNCS_PER_SECOND} resume, feed and ping frames per second");
    assert!(refusals.iter().all(|m| m.starts_with(&expected)), "{refusals:?}");
}
