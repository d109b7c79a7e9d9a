//! Messages both ways, and the delivery contract across disconnects and resends.

use crate::common::*;

#[tokio::test]
async fn a_visitor_message_reaches_the_agent_and_the_reply_reaches_the_visitor() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    assert_eq!(resume(&mut agent, chat.conversation_id, 0).await.len(), 1);
    let history = resume(&mut visitor, chat.conversation_id, 0).await;
    assert_eq!(history[0].body, "Hello, anyone there?");

    visitor.send(&send(chat.conversation_id, "v-1", "Where is my order #1234?")).await;
    assert_eq!(ack(&mut visitor, "v-1").await, 2);
    let received = message_with_seq(&mut agent, chat.conversation_id, 2).await;
    assert_eq!(received.body, "Where is my order #1234?");
    assert_eq!(received.author_kind, AuthorKind::Visitor);
    assert_eq!(received.author_id, Some(chat.visitor_id));

    agent.send(&send(chat.conversation_id, "a-1", "It ships today.")).await;
    assert_eq!(ack(&mut agent, "a-1").await, 3);
    let reply = message_with_seq(&mut visitor, chat.conversation_id, 3).await;
    assert_eq!(reply.body, "It ships today.");
    assert_eq!(reply.author_kind, AuthorKind::Agent);
    assert_eq!(reply.author_id, Some(chat.workspace.owner_id));

    // A reply through the REST API (an integration, or the console without a socket)
    // reaches the visitor's socket the same way.
    let (status, body) = app
        .post(
            &format!("/conversations/{}/messages", chat.conversation_id),
            &chat.workspace.token,
            json!({"body": "Tracking: ZX-42", "client_msg_id": "rest-1"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(message_with_seq(&mut visitor, chat.conversation_id, 4).await.body, "Tracking: ZX-42");
    assert_eq!(message_with_seq(&mut agent, chat.conversation_id, 4).await.body, "Tracking: ZX-42");
}

#[tokio::test]
async fn an_internal_note_never_reaches_the_visitor_socket() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    resume(&mut visitor, chat.conversation_id, 0).await;
    agent
        .send(&ClientFrame::Send {
            conversation_id: chat.conversation_id,
            client_msg_id: "note-1".into(),
            body: "VIP customer, be nice".into(),
            kind: Some(MessageKind::Note),
            attachment_ids: Vec::new(),
        })
        .await;
    assert_eq!(ack(&mut agent, "note-1").await, 2);
    agent.send(&send(chat.conversation_id, "a-1", "Hi! Looking into it.")).await;
    ack(&mut agent, "a-1").await;
    // The next message frame the visitor gets is the reply: the note is skipped.
    let next = visitor.recv_until("a message", |f| matches!(f, ServerFrame::Message { .. })).await;
    let ServerFrame::Message { message } = next else { unreachable!() };
    assert_eq!((message.seq, message.body.as_str()), (3, "Hi! Looking into it."));
    // And a replay from the start skips it too.
    let mut again = visitor_socket(&app.address, &chat.visitor_token).await;
    let bodies: Vec<String> = resume(&mut again, chat.conversation_id, 0).await.into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["Hello, anyone there?", "Hi! Looking into it."]);
}

#[tokio::test]
async fn a_client_that_reconnects_gets_exactly_what_it_missed_in_order() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let held = resume(&mut visitor, chat.conversation_id, 0).await.last().unwrap().seq;
    visitor.drop_connection();

    for n in 1..=5 {
        agent.send(&send(chat.conversation_id, &format!("a-{n}"), &format!("reply {n}"))).await;
        ack(&mut agent, &format!("a-{n}")).await;
    }
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let missed = resume(&mut visitor, chat.conversation_id, held).await;
    let seqs: Vec<i64> = missed.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [2, 3, 4, 5, 6]);
    let bodies: Vec<&str> = missed.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["reply 1", "reply 2", "reply 3", "reply 4", "reply 5"]);

    // Live traffic continues right after the replay, with nothing repeated.
    agent.send(&send(chat.conversation_id, "a-6", "reply 6")).await;
    ack(&mut agent, "a-6").await;
    let next = visitor.recv_until("a message", |f| matches!(f, ServerFrame::Message { .. })).await;
    assert!(matches!(next, ServerFrame::Message { message } if message.seq == 7 && message.body == "reply 6"));

    // The agent side resumes the same way.
    agent.drop_connection();
    visitor.send(&send(chat.conversation_id, "v-1", "thanks!")).await;
    ack(&mut visitor, "v-1").await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let missed = resume(&mut agent, chat.conversation_id, 7).await;
    assert_eq!(missed.iter().map(|m| (m.seq, m.body.as_str())).collect::<Vec<_>>(), [(8, "thanks!")]);
}

#[tokio::test]
async fn a_resent_client_msg_id_is_stored_once_and_acked_with_the_original() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    resume(&mut agent, chat.conversation_id, 0).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    visitor.send(&send(chat.conversation_id, "retry-me", "Is this thing on?")).await;
    let first = visitor.recv_until("ack", |f| matches!(f, ServerFrame::Ack { .. })).await;
    // The same frame again on the same socket, then on a new socket (a weak network
    // where the first ack was lost).
    visitor.send(&send(chat.conversation_id, "retry-me", "Is this thing on?")).await;
    let second = visitor.recv_until("ack", |f| matches!(f, ServerFrame::Ack { .. })).await;
    visitor.drop_connection();
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    visitor.send(&send(chat.conversation_id, "retry-me", "Is this thing on?")).await;
    let third = visitor.recv_until("ack", |f| matches!(f, ServerFrame::Ack { .. })).await;
    let (
        ServerFrame::Ack { seq: s1, message_id: m1, duplicate: d1, .. },
        ServerFrame::Ack { seq: s2, message_id: m2, duplicate: d2, .. },
        ServerFrame::Ack { seq: s3, message_id: m3, duplicate: d3, .. },
    ) = (first, second, third)
    else {
        unreachable!()
    };
    assert_eq!((s1, s2, s3), (2, 2, 2));
    assert_eq!((m1, m1), (m2, m3));
    assert_eq!((d1, d2, d3), (false, true, true));

    let stored = stored(&app.address, &chat.workspace.token, chat.conversation_id).await;
    assert_eq!(assert_gapless(&stored), ["Hello, anyone there?", "Is this thing on?"]);
    // The agent saw it once: the next message after seq 2 is the marker at seq 3.
    visitor.send(&send(chat.conversation_id, "marker", "marker")).await;
    ack(&mut visitor, "marker").await;
    let mut seen = Vec::new();
    loop {
        if let ServerFrame::Message { message } = agent.recv().await {
            seen.push(message.seq);
            if message.body == "marker" {
                break;
            }
        }
    }
    assert_eq!(seen, [2, 3]);
}

#[tokio::test]
async fn replay_joins_live_traffic_without_a_gap_or_a_repeat() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    // Messages keep arriving (over REST, not rate limited) while a socket resumes from
    // the start: the replay/live switch happens in the middle of the stream.
    let sender = {
        let http = app.http.clone();
        let url = format!("{}/api/v1/conversations/{}/messages", app.address, chat.conversation_id);
        let token = chat.workspace.token.clone();
        tokio::spawn(async move {
            for n in 1..=120 {
                let response = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"body": format!("live {n}"), "client_msg_id": format!("live-{n}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let mut received = resume(&mut visitor, chat.conversation_id, 0).await;
    while received.last().unwrap().seq < 121 {
        if let ServerFrame::Message { message } = visitor.recv().await {
            received.push(message);
        }
    }
    sender.await.unwrap();
    let bodies = assert_gapless(&received);
    assert_eq!(bodies.len(), 121);
    assert_eq!(bodies[120], "live 120");
}
