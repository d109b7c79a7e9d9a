//! The workspace feed on `/ws/agent` and `GET /conversations/feed`, and the protocol's
//! answers to frames that name something wrong.

use std::collections::{BTreeMap, HashMap};

use system_tests::{AppOptions, METRICS_TOKEN, spawn_app_with};

use crate::common::*;

/// Follows the feed after `after`: the replayed conversations, then the `feed_synced` seq.
async fn follow(socket: &mut Socket, after: i64) -> (Vec<openapi::conversations::Conversation>, i64) {
    socket.send(&ClientFrame::Feed { after }).await;
    let mut replayed = Vec::new();
    loop {
        match socket.recv().await {
            ServerFrame::Conversation { conversation, .. } => replayed.push(conversation),
            ServerFrame::FeedSynced { feed_seq } => return (replayed, feed_seq),
            ServerFrame::AgentStatus { .. } | ServerFrame::Pong => {}
            other => panic!("unexpected frame while following the feed: {other:?}"),
        }
    }
}

/// The next `conversation` frame.
async fn next_change(socket: &mut Socket) -> (ConversationChange, openapi::conversations::Conversation) {
    match socket.recv_until("a conversation frame", |f| matches!(f, ServerFrame::Conversation { .. })).await {
        ServerFrame::Conversation { change, conversation } => (change, conversation),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn the_feed_replays_each_changed_conversation_once_then_goes_live_in_order() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let token = &chat.workspace.token;
    // Two more conversations, one of them written to again and resolved.
    let (second_token, _) = visitor(&app, &chat.site_key).await;
    let second = app.start_conversation(&second_token, "Second").await;
    let (third_token, _) = visitor(&app, &chat.site_key).await;
    let third = app.start_conversation(&third_token, "Third").await;
    let mut third_visitor = visitor_socket(&app.address, &third_token).await;
    third_visitor.send(&send(third, "t2", "Third, again")).await;
    ack(&mut third_visitor, "t2").await;
    let (status, _) = app.patch(&format!("/conversations/{second}"), token, json!({"status": "resolved"})).await;
    assert_eq!(status, 200);

    let mut agent = agent_socket(&app.address, token).await;
    let (replayed, synced) = follow(&mut agent, 0).await;
    let order: Vec<Uuid> = replayed.iter().map(|c| c.id).collect();
    assert_eq!(order, vec![chat.conversation_id, third, second], "oldest change first, each once");
    let seqs: Vec<i64> = replayed.iter().map(|c| c.feed_seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(synced, *seqs.last().unwrap());
    let third_now = &replayed[1];
    assert_eq!(third_now.last_message.as_ref().map(|m| m.body.as_str()), Some("Third, again"));
    assert_eq!(third_now.last_message.as_ref().map(|m| m.seq), Some(2));
    assert_eq!(replayed[2].status, openapi::conversations::ConversationStatus::Resolved);

    // Live: a message reopens the resolved one; the feed says so once, with the preview.
    let mut second_visitor = visitor_socket(&app.address, &second_token).await;
    second_visitor.send(&send(second, "s2", "Back again")).await;
    ack(&mut second_visitor, "s2").await;
    let (change, conversation) = next_change(&mut agent).await;
    assert_eq!(
        (change, conversation.id, conversation.feed_seq),
        (ConversationChange::StatusChanged, second, synced + 1)
    );
    assert_eq!(conversation.last_message.map(|m| m.body), Some("Back again".into()));
    // A plain message: `message_added`, the next position.
    third_visitor.send(&send(third, "t3", "And again")).await;
    ack(&mut third_visitor, "t3").await;
    let (change, conversation) = next_change(&mut agent).await;
    assert_eq!((change, conversation.id, conversation.feed_seq), (ConversationChange::MessageAdded, third, synced + 2));

    // The visitor's copy of a conversation frame carries nothing of the team's.
    let (_, theirs) = match second_visitor
        .recv_until("the visitor's conversation frame", |f| matches!(f, ServerFrame::Conversation { .. }))
        .await
    {
        ServerFrame::Conversation { change, conversation } => (change, conversation),
        _ => unreachable!(),
    };
    assert_eq!((theirs.feed_seq, theirs.last_message.is_none(), theirs.labels.len()), (0, true, 0));

    // A console that reconnects with its cursor gets only what changed since, once each.
    let mut again = agent_socket(&app.address, token).await;
    let (since, synced_again) = follow(&mut again, synced).await;
    let ids: Vec<Uuid> = since.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![second, third]);
    assert_eq!(synced_again, synced + 2);
    // Up to date: nothing.
    let mut current = agent_socket(&app.address, token).await;
    let (nothing, same) = follow(&mut current, synced_again).await;
    assert!(nothing.is_empty());
    assert_eq!(same, synced_again);

    // REST gives the same, paged.
    let (status, page) = app.get(&format!("/conversations/feed?after={synced}&limit=1"), token).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!((page["items"].as_array().unwrap().len(), page["has_more"].as_bool()), (1, Some(true)));
    assert_eq!(id(&page["items"][0]["id"]), second);
    let (_, rest) = app.get(&format!("/conversations/feed?after={}", page["after"]), token).await;
    assert_eq!(id(&rest["items"][0]["id"]), third);
    assert_eq!((rest["has_more"].as_bool(), rest["after"].as_i64()), (Some(false), Some(synced_again)));
    // Every page says where the feed stands, however far it reaches: where a console
    // that loads its lists now follows from.
    assert_eq!((page["head"].as_i64(), rest["head"].as_i64()), (Some(synced_again), Some(synced_again)));
}

#[tokio::test]
async fn a_cursor_from_the_future_is_refused_and_errors_name_the_frame() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;

    // `feed` beyond the newest position.
    agent.send_text(json!({"type": "feed", "after": 999, "ref": "f1"}).to_string()).await;
    let frame = agent.recv_until("the feed's refusal", |f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { code, reference, .. } = frame else { unreachable!() };
    assert_eq!((code.as_str(), reference.as_deref()), ("invalid_input", Some("f1")));

    // `resume` beyond the conversation's last seq: refused, naming the conversation and ref,
    // instead of going quiet on the messages that follow.
    let conversation_id = chat.conversation_id;
    let frame = json!({"type": "resume", "conversation_id": conversation_id, "after_seq": 5, "ref": "r-5"});
    agent.send_text(frame.to_string()).await;
    let refused = agent.recv_until("the resume's refusal", |f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { code, conversation_id: named, reference, .. } = refused else { unreachable!() };
    assert_eq!((code.as_str(), named, reference.as_deref()), ("invalid_input", Some(conversation_id), Some("r-5")));
    // Resuming from what it holds works, and the next message arrives.
    resume(&mut agent, conversation_id, 1).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    visitor.send(&send(conversation_id, "m2", "Still there?")).await;
    ack(&mut visitor, "m2").await;
    assert_eq!(message_with_seq(&mut agent, conversation_id, 2).await.body, "Still there?");

    // An unknown conversation, several resumes in flight: each refusal says which.
    let unknown = Uuid::now_v7();
    for (n, id) in [unknown, conversation_id].iter().enumerate() {
        let frame = json!({"type": "resume", "conversation_id": id, "after_seq": 0, "ref": format!("batch-{n}")});
        agent.send_text(frame.to_string()).await;
    }
    let refused = agent.recv_until("the unknown one's refusal", |f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { code, conversation_id: named, reference, .. } = refused else { unreachable!() };
    assert_eq!((code.as_str(), named, reference.as_deref()), ("not_found", Some(unknown), Some("batch-0")));

    // A malformed frame still gets its ref back; an overlong ref is not echoed.
    agent.send_text(json!({"type": "resume", "ref": "broken"}).to_string()).await;
    let refused = agent.recv_until("the malformed frame's refusal", |f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { code, reference, .. } = refused else { unreachable!() };
    assert_eq!((code.as_str(), reference.as_deref()), ("malformed_frame", Some("broken")));
    agent.send_text(json!({"type": "nonsense", "ref": "x".repeat(65)}).to_string()).await;
    let refused = agent.recv_until("the overlong ref's refusal", |f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { reference, .. } = refused else { unreachable!() };
    assert_eq!(reference, None);

    // Visitors don't follow the feed.
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    visitor.send_text(json!({"type": "feed", "after": 0, "ref": "v"}).to_string()).await;
    let refused = visitor.recv_until("the visitor's refusal", |f| matches!(f, ServerFrame::Error { .. })).await;
    let ServerFrame::Error { code, reference, .. } = refused else { unreachable!() };
    assert_eq!((code.as_str(), reference.as_deref()), ("forbidden", Some("v")));
}

/// A socket that falls behind live events — here, busy replaying a long conversation
/// while a crowd writes, on a server whose workspace topics buffer only 16 events —
/// catches up from storage: no close, nothing lost, duplicated or reordered, on its open
/// conversations or on the feed.
#[tokio::test]
async fn a_socket_that_falls_behind_catches_up_without_being_cut() {
    let env = [("RAPPORT_RATE_LIMIT_PER_MINUTE", "0"), ("RAPPORT_WORKSPACE_EVENT_BUFFER", "16")];
    let app = spawn_app_with(AppOptions {
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..AppOptions::default()
    })
    .await;
    let chat = chat(&app).await;
    let token = &chat.workspace.token;
    // A long conversation to replay: 3 MB, more than the loopback socket buffers hold, so
    // the server's replay waits on a client that reads only once the crowd is done.
    let long = chat.conversation_id;
    let padding = "x".repeat(3000);
    for n in 0..1000 {
        let body = json!({"body": format!("old {n} {padding}"), "client_msg_id": format!("old-{n}")});
        let (status, answer) = app.post(&format!("/conversations/{long}/messages"), token, body).await;
        assert_eq!(status, 201, "{answer}");
    }
    let mut crowd = Vec::new();
    for _ in 0..10 {
        let (visitor_token, _) = visitor(&app, &chat.site_key).await;
        let conversation = app.start_conversation(&visitor_token, "hello").await;
        crowd.push((visitor_socket(&app.address, &visitor_token).await, conversation));
    }
    // Eighteen conversations carry a label; renaming it changes them all in one
    // transaction, whose eighteen events reach the 16-slot topic at once: the socket falls
    // behind whatever the machine's speed.
    let mut labelled: Vec<Uuid> = crowd.iter().map(|(_, c)| *c).collect();
    for _ in 0..8 {
        let (visitor_token, _) = visitor(&app, &chat.site_key).await;
        labelled.push(app.start_conversation(&visitor_token, "hello").await);
    }
    let (status, label) = app.post("/labels", token, json!({"name": "vip"})).await;
    assert_eq!(status, 201, "{label}");
    for conversation in &labelled {
        let (status, body) =
            app.patch(&format!("/conversations/{conversation}"), token, json!({"labels": ["vip"]})).await;
        assert_eq!(status, 200, "{body}");
    }

    let mut agent = agent_socket(&app.address, token).await;
    let (_, synced) = follow(&mut agent, 0).await;
    for (_, conversation) in &crowd {
        resume(&mut agent, *conversation, 1).await;
    }
    // The crowd writes 200 messages (400 workspace events) within the sockets' bursts, as
    // fast as they are acknowledged: ten senders share each commit, whose twenty events
    // reach the 16-slot topic at once, while the agent's socket replays 1,001 messages.
    let writers: Vec<_> = crowd
        .into_iter()
        .map(|(mut socket, conversation)| {
            tokio::spawn(async move {
                for n in 0..20 {
                    socket.send(&send(conversation, &format!("new-{n}"), &format!("new {n}"))).await;
                    ack(&mut socket, &format!("new-{n}")).await;
                }
                conversation
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    agent.send(&ClientFrame::Resume { conversation_id: long, after_seq: 0 }).await;
    let (status, body) =
        app.patch(&format!("/labels/{}", label["id"].as_str().unwrap()), token, json!({"name": "gold"})).await;
    assert_eq!(status, 200, "{body}");
    let mut conversations = Vec::new();
    for writer in writers {
        conversations.push(writer.await.unwrap());
    }

    // Everything arrives: per conversation seqs 2..=21 once each and in order, the long
    // one's replay whole, and the feed reaching its head.
    // The 1,000 old messages are behind `synced` already; each new message is one
    // position, and so is each relabelled conversation.
    let head = synced + 10 * 20 + labelled.len() as i64;
    let mut seen: HashMap<Uuid, Vec<i64>> = HashMap::new();
    let mut feed_at = synced;
    let mut changes_seen = BTreeMap::new();
    loop {
        let done = conversations.iter().all(|c| seen.get(c).is_some_and(|s| s.len() == 20))
            && seen.get(&long).is_some_and(|s| s.len() == 1001)
            && feed_at >= head;
        if done {
            break;
        }
        match agent.next(ws::FRAME_TIMEOUT).await {
            Ok(ServerFrame::Message { message }) => seen.entry(message.conversation_id).or_default().push(message.seq),
            Ok(ServerFrame::Conversation { conversation, .. }) => {
                assert!(
                    conversation.feed_seq > feed_at,
                    "feed repeated or went back: {} after {feed_at}",
                    conversation.feed_seq
                );
                feed_at = conversation.feed_seq;
                *changes_seen.entry(conversation.id).or_insert(0) += 1;
            }
            Ok(_) => {}
            Err(ended) => panic!(
                "the agent socket ended instead of catching up: {ended:?}; feed at {feed_at} of {head}, long at {:?}, others {:?}",
                seen.get(&long).map(Vec::len),
                conversations.iter().map(|c| seen.get(c).map_or(0, Vec::len)).collect::<Vec<_>>()
            ),
        }
    }
    for conversation in &conversations {
        assert_eq!(seen[conversation], (2..=21).collect::<Vec<_>>(), "conversation {conversation}");
    }
    assert_eq!(seen[&long], (1..=1001).collect::<Vec<_>>());
    assert!(changes_seen.keys().all(|id| labelled.contains(id) || *id == long));
    let (status, metrics) = metrics(&app).await;
    assert_eq!(status, 200);
    let caught_up = metrics
        .lines()
        .find_map(|line| line.strip_prefix("rapport_socket_catch_ups_total "))
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or(0);
    assert!(caught_up >= 1, "the socket never fell behind, so this test proved nothing:\n{metrics}");
}

async fn metrics(app: &TestApp) -> (u16, String) {
    let response = app.http.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_conversation_started_over_the_widget_api_reaches_a_following_console_once() {
    let app = spawn_app().await;
    let chat = chat(&app).await;
    let token = &chat.workspace.token;
    let mut agent = agent_socket(&app.address, token).await;
    let (_, synced) = follow(&mut agent, 0).await;

    let (visitor_token, _) = visitor(&app, &chat.site_key).await;
    let started = app.start_conversation(&visitor_token, "Where is my parcel?").await;
    let (change, conversation) = next_change(&mut agent).await;
    assert_eq!((change, conversation.id, conversation.feed_seq), (ConversationChange::Created, started, synced + 1));
    assert_eq!(conversation.last_message.map(|m| m.body), Some("Where is my parcel?".into()));
    // A change over REST: the next position, live.
    let owner = app.get("/me", token).await.1["agent"]["id"].clone();
    let (status, body) = app
        .patch(&format!("/conversations/{started}"), token, json!({"assignee_id": owner, "status": "resolved"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, conversation) = next_change(&mut agent).await;
    assert_eq!((conversation.id, conversation.feed_seq), (started, synced + 2));
    assert_eq!(conversation.status, openapi::conversations::ConversationStatus::Resolved);
}
