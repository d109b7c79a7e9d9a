//! Two `rapport` processes on one database and one Redis behave as one system.

use system_tests::{
    Engine, ScratchDir, fresh_database, fresh_redis_prefix,
    node::{Node, free_port},
    redis_url,
};

use crate::common::*;

/// Two nodes of one system. On PostgreSQL they share a database; on SQLite they share
/// the database file (SQLite's WAL mode supports several processes).
async fn two_nodes(dir: &ScratchDir) -> (Node, Node, String) {
    let engine = Engine::from_env();
    let database_url = fresh_database(engine, dir).await;
    let vars = [
        ("RAPPORT_DATABASE_URL", database_url.clone()),
        ("RAPPORT_DATA_DIR", dir.0.display().to_string()),
        ("RAPPORT_REDIS_URL", redis_url()),
        ("RAPPORT_REDIS_PREFIX", fresh_redis_prefix()),
    ];
    let a = Node::start(free_port(), &vars).await;
    let b = Node::start(free_port(), &vars).await;
    (a, b, database_url)
}

#[tokio::test]
async fn a_visitor_on_one_node_and_an_agent_on_another_chat_and_survive_the_first_node_dying() {
    let dir = ScratchDir::new();
    let (mut node_a, node_b, database_url) = two_nodes(&dir).await;
    let engine = Engine::from_env();
    let app_a = TestApp::attach(&node_a.address, engine, &database_url);
    let app_b = TestApp::attach(&node_b.address, engine, &database_url);
    let chat = chat(&app_a).await;
    let conversation_id = chat.conversation_id;

    let mut visitor = visitor_socket(&app_a.address, &chat.visitor_token).await;
    let mut agent = agent_socket(&app_b.address, &chat.workspace.token).await;
    let ServerFrame::Hello { server_id: a_id, .. } = visitor.hello else { unreachable!() };
    let ServerFrame::Hello { server_id: b_id, .. } = agent.hello else { unreachable!() };
    assert_ne!(a_id, b_id, "two distinct nodes");
    let mut visitor_seen = resume(&mut visitor, conversation_id, 0).await;
    resume(&mut agent, conversation_id, 0).await;

    // Messages, typing and read receipts cross from node A to node B and back.
    visitor.send(&send(conversation_id, "v-1", "Hi from node A")).await;
    ack(&mut visitor, "v-1").await;
    assert_eq!(message_with_seq(&mut agent, conversation_id, 2).await.body, "Hi from node A");
    agent.send(&send(conversation_id, "a-1", "Hello from node B")).await;
    let reply = message_with_seq(&mut visitor, conversation_id, 3).await;
    assert_eq!(reply.body, "Hello from node B");
    visitor_seen
        .extend(stored(&app_b.address, &chat.workspace.token, conversation_id).await.into_iter().filter(|m| m.seq > 1));

    visitor.send(&ClientFrame::Typing { conversation_id, typing: true, preview: None }).await;
    let typing = agent.recv_until("typing", |f| matches!(f, ServerFrame::Typing { .. })).await;
    assert!(matches!(typing, ServerFrame::Typing { from: Participant::Visitor(_), typing: true, .. }));
    agent.send(&ClientFrame::Typing { conversation_id, typing: true, preview: None }).await;
    let typing = visitor.recv_until("typing", |f| matches!(f, ServerFrame::Typing { .. })).await;
    assert!(matches!(typing, ServerFrame::Typing { from: Participant::Agent(_), typing: true, .. }));

    visitor.send(&ClientFrame::Read { conversation_id, seq: 3 }).await;
    let read = agent.recv_until("read", |f| matches!(f, ServerFrame::Read { .. })).await;
    assert_eq!(read, ServerFrame::Read { conversation_id, reader: Participant::Visitor(chat.visitor_id), seq: 3 });
    agent.send(&ClientFrame::Read { conversation_id, seq: 3 }).await;
    let read = visitor.recv_until("read", |f| matches!(f, ServerFrame::Read { .. })).await;
    assert_eq!(
        read,
        ServerFrame::Read { conversation_id, reader: Participant::Agent(chat.workspace.owner_id), seq: 3 }
    );

    // Node A dies. The agent keeps writing on node B; the visitor reconnects to node B
    // and resumes from what it holds, missing nothing and getting nothing twice.
    node_a.kill();
    assert!(matches!(visitor.closed().await, Ended::Dropped | Ended::Closed(..)));
    for n in 1..=3 {
        agent.send(&send(conversation_id, &format!("a-after-{n}"), &format!("while you were away {n}"))).await;
        ack(&mut agent, &format!("a-after-{n}")).await;
    }
    let mut visitor = visitor_socket(&app_b.address, &chat.visitor_token).await;
    let held = visitor_seen.last().unwrap().seq;
    let missed = resume(&mut visitor, conversation_id, held).await;
    let bodies: Vec<&str> = missed.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["while you were away 1", "while you were away 2", "while you were away 3"]);
    visitor_seen.extend(missed);
    assert_eq!(visitor_seen, stored(&app_b.address, &chat.workspace.token, conversation_id).await);

    visitor.send(&send(conversation_id, "v-2", "Back, on node B")).await;
    let seq = ack(&mut visitor, "v-2").await;
    assert_eq!(message_with_seq(&mut agent, conversation_id, seq).await.body, "Back, on node B");
}
