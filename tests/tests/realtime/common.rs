//! Helpers shared by the real-time tests.

use std::collections::BTreeMap;

pub use openapi::{
    messages::{AuthorKind, Message, MessageKind},
    realtime::{AgentStatus, ClientFrame, ConversationChange, Participant, ServerFrame, close},
};
pub use serde_json::{Value, json};
pub use system_tests::{
    TestApp, Workspace, id, spawn_app,
    ws::{self, Credential, Ended, Socket},
};
pub use uuid::Uuid;

/// The origin `TestApp::create_site` allows.
pub const SHOP_ORIGIN: &str = "https://shop.test";

/// A workspace with a site, a visitor and the visitor's first conversation.
pub struct Chat {
    pub workspace: Workspace,
    pub site_key: String,
    pub visitor_token: String,
    pub visitor_id: Uuid,
    pub conversation_id: Uuid,
}

pub async fn chat(app: &TestApp) -> Chat {
    chat_in(app, "Acme").await
}

/// [`chat`] in a workspace called `name` (one per name and server).
pub async fn chat_in(app: &TestApp, name: &str) -> Chat {
    let workspace = app.signup(name).await;
    let (_, site_key) = app.create_site(&workspace.token).await;
    let (visitor_token, visitor_id) = visitor(app, &site_key).await;
    let conversation_id = app.start_conversation(&visitor_token, "Hello, anyone there?").await;
    Chat { workspace, site_key, visitor_token, visitor_id, conversation_id }
}

/// A new visitor on a site: (token, id).
pub async fn visitor(app: &TestApp, site_key: &str) -> (String, Uuid) {
    let (status, body) =
        app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    assert_eq!(status, 200, "{body}");
    (body["visitor_token"].as_str().unwrap().to_owned(), id(&body["visitor_id"]))
}

pub async fn visitor_socket(address: &str, token: &str) -> Socket {
    ws::connect(address, "/ws/visitor", Credential::Protocol(token), Some(SHOP_ORIGIN))
        .await
        .unwrap_or_else(|refused| panic!("visitor socket refused: {refused:?}"))
}

pub async fn agent_socket(address: &str, token: &str) -> Socket {
    ws::connect(address, "/ws/agent", Credential::Protocol(token), None)
        .await
        .unwrap_or_else(|refused| panic!("agent socket refused: {refused:?}"))
}

pub fn send(conversation_id: Uuid, client_msg_id: &str, body: &str) -> ClientFrame {
    ClientFrame::Send {
        conversation_id,
        client_msg_id: client_msg_id.into(),
        body: body.into(),
        kind: None,
        attachment_ids: Vec::new(),
    }
}

/// Waits for the ack of `client_msg_id`; returns its seq.
pub async fn ack(socket: &mut Socket, client_msg_id: &str) -> i64 {
    match socket
        .recv_until("an ack", |f| {
            matches!(f, ServerFrame::Ack { client_msg_id: id, .. } if id == client_msg_id)
                || matches!(f, ServerFrame::Error { client_msg_id: Some(id), .. } if id == client_msg_id)
        })
        .await
    {
        ServerFrame::Ack { seq, .. } => seq,
        other => panic!("send refused: {other:?}"),
    }
}

/// Waits for the message of `conversation_id` with `seq`.
pub async fn message_with_seq(socket: &mut Socket, conversation_id: Uuid, seq: i64) -> Message {
    match socket
        .recv_until("a message", |f| {
            matches!(f, ServerFrame::Message { message } if message.conversation_id == conversation_id && message.seq == seq)
        })
        .await
    {
        ServerFrame::Message { message } => message,
        _ => unreachable!(),
    }
}

/// Resumes `conversation_id` after `after_seq`; returns the replayed messages.
pub async fn resume(socket: &mut Socket, conversation_id: Uuid, after_seq: i64) -> Vec<Message> {
    socket.send(&ClientFrame::Resume { conversation_id, after_seq }).await;
    let mut replayed = Vec::new();
    loop {
        match socket.recv().await {
            ServerFrame::Message { message } if message.conversation_id == conversation_id => replayed.push(message),
            ServerFrame::Resumed { conversation_id: id, last_seq } if id == conversation_id => {
                assert_eq!(replayed.last().map_or(after_seq, |m| m.seq), last_seq, "resumed at the last replayed seq");
                return replayed;
            }
            ServerFrame::Error { code, message, .. } => panic!("resume refused: {code}: {message}"),
            _ => continue,
        }
    }
}

/// Every message of a conversation as stored, read over REST by the owner.
pub async fn stored(app_address: &str, token: &str, conversation_id: Uuid) -> Vec<Message> {
    let client = reqwest::Client::new();
    let mut all: Vec<Message> = Vec::new();
    loop {
        let after = all.last().map_or(0, |m| m.seq);
        let url = format!("{app_address}/api/v1/conversations/{conversation_id}/messages?after_seq={after}&limit=500");
        let body: Value = client.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        let page: Vec<Message> = serde_json::from_value(body["items"].clone()).unwrap();
        let more = body["has_more"].as_bool().unwrap();
        all.extend(page);
        if !more {
            return all;
        }
    }
}

/// Asserts that `messages` are 1..=n in order, each once, and returns their bodies.
pub fn assert_gapless(messages: &[Message]) -> Vec<String> {
    let seqs: Vec<i64> = messages.iter().map(|m| m.seq).collect();
    let expected: Vec<i64> = (1..=messages.len() as i64).collect();
    assert_eq!(seqs, expected, "messages must be numbered 1..n without gaps or repeats");
    messages.iter().map(|m| m.body.clone()).collect()
}

/// Counts bodies, to check "exactly once".
pub fn counts(messages: &[Message]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for message in messages {
        *counts.entry(message.body.clone()).or_insert(0) += 1;
    }
    counts
}
