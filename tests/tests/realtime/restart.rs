//! The server stops mid-conversation: killed (SIGKILL) and started again, or stopped gracefully.

use std::collections::BTreeMap;

use system_tests::{
    Engine, ScratchDir, eventually, fresh_database,
    node::{Node, free_port},
};

use crate::common::*;

#[tokio::test]
async fn a_killed_server_loses_no_acknowledged_message_and_clients_resume() {
    let engine = Engine::from_env();
    let dir = ScratchDir::new();
    let database_url = fresh_database(engine, &dir).await;
    let vars = [("RAPPORT_DATABASE_URL", database_url.clone()), ("RAPPORT_DATA_DIR", dir.0.display().to_string())];
    let port = free_port();
    let mut node = Node::start(port, &vars).await;
    let app = TestApp::attach(&node.address, engine, &database_url);
    let chat = chat(&app).await;
    let conversation_id = chat.conversation_id;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let mut agent_seen = resume(&mut agent, conversation_id, 0).await;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;

    // The visitor sends 20 messages without waiting; the server dies after 5 acks.
    let outbox: Vec<(String, String)> = (1..=20).map(|n| (format!("m-{n}"), format!("message {n}"))).collect();
    for (id, body) in &outbox {
        visitor.send(&send(conversation_id, id, body)).await;
    }
    let mut acked: BTreeMap<String, i64> = BTreeMap::new();
    while acked.len() < 5 {
        if let ServerFrame::Ack { client_msg_id, seq, .. } = visitor.recv().await {
            acked.insert(client_msg_id, seq);
        }
    }
    node.kill();
    // Whatever else was acknowledged before the socket died counts too.
    while let Ok(frame) = visitor.next(std::time::Duration::from_secs(2)).await {
        if let ServerFrame::Ack { client_msg_id, seq, .. } = frame {
            acked.insert(client_msg_id, seq);
        }
    }
    while let Ok(frame) = agent.next(std::time::Duration::from_millis(200)).await {
        if let ServerFrame::Message { message } = frame {
            agent_seen.push(message);
        }
    }

    let _node = Node::start(port, &vars).await;
    let after_restart = stored(&app.address, &chat.workspace.token, conversation_id).await;
    for (id, seq) in &acked {
        let message = &after_restart[(*seq - 1) as usize];
        assert_eq!(message.client_msg_id.as_deref(), Some(id.as_str()), "acked message {id} lost or moved");
    }

    // The visitor's outbox resends everything not acknowledged (here: all of it, to show
    // that acknowledged ones are not stored twice either).
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    for (id, body) in &outbox {
        visitor.send(&send(conversation_id, id, body)).await;
        let seq = ack(&mut visitor, id).await;
        if let Some(before) = acked.get(id) {
            assert_eq!(*before, seq, "a retried message keeps its original seq");
        }
    }
    let all = stored(&app.address, &chat.workspace.token, conversation_id).await;
    let bodies = assert_gapless(&all);
    assert_eq!(bodies.len(), 21);
    assert!(counts(&all).values().all(|n| *n == 1), "each message stored once");

    // The agent resumes from what it held and ends with exactly the stored history.
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let held = agent_seen.last().unwrap().seq;
    agent_seen.extend(resume(&mut agent, conversation_id, held).await);
    assert_eq!(agent_seen, all);
}

/// A server stopped gracefully lets its sockets say goodbye before the database closes:
/// they write on the way out (an agent's offline status, which the reports read). Before,
/// the pool closed as soon as the HTTP server had stopped, and sockets still finishing
/// then (many, under load) lost their agents' offline status.
#[tokio::test]
async fn a_stopped_server_keeps_the_database_open_until_its_sockets_have_closed() {
    let mut app = spawn_app().await;
    let chat = chat(&app).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    let (workspace_id, agent_id) = (chat.workspace.id, chat.workspace.owner_id);
    let server = app.state.clone().expect("an in-process server");
    let store = backend::store::Store::connect(&app.database_url).await.unwrap();
    let last_status = || async {
        let status: Option<String> = backend::on_pool!(&store, |pool| {
            sqlx::query_scalar(
                "SELECT status FROM agent_status_changes WHERE workspace_id = $1 AND agent_id = $2
                 ORDER BY changed_at DESC LIMIT 1",
            )
            .bind(workspace_id)
            .bind(agent_id)
            .fetch_optional(pool)
            .await
        })
        .unwrap();
        status
    };
    let closed = || backend::on_pool!(&server.store, |pool| pool.is_closed());
    eventually("the agent is logged online", || async { last_status().await.filter(|s| s == "online") }).await;

    // A socket still finishing when the server stops (one that is busy writing to a slow
    // client notices the stop up to a send timeout late).
    let finishing = server.realtime.sockets.hold().expect("room for a socket");
    app.stop();
    assert!(matches!(agent.closed().await, Ended::Closed(1001, _)), "the socket closes as the server goes away");
    eventually("the agent is logged offline", || async { last_status().await.filter(|s| s == "offline") }).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!closed(), "the database is still open while a socket is");
    drop(finishing);
    eventually("the database closes once the last socket has", || async { closed().then_some(()) }).await;
}
