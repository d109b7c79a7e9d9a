//! Helpers shared by the routing tests.

pub use openapi::realtime::{AgentStatus, ConversationChange, ServerFrame};
pub use reqwest::{Method, StatusCode};
pub use serde_json::{Value, json};
pub use system_tests::{
    AppOptions, PASSWORD, TestApp, assert_error, eventually, id, spawn_app, spawn_app_with,
    ws::{self, Credential, Socket},
};
pub use uuid::Uuid;

/// The origin `TestApp::create_site` allows.
pub const SHOP_ORIGIN: &str = "https://shop.test";

/// A server whose router looks at the queue ten times a second and treats agents as gone
/// after `grace_secs`.
pub async fn fast_router(grace_secs: u64) -> TestApp {
    spawn_app_with(fast_options(grace_secs)).await
}

pub fn fast_options(grace_secs: u64) -> AppOptions {
    AppOptions {
        env: vec![
            ("RAPPORT_ROUTING_INTERVAL_MS".into(), "100".into()),
            ("RAPPORT_AGENT_OFFLINE_GRACE_SECS".into(), grace_secs.to_string()),
        ],
        ..AppOptions::default()
    }
}

/// A new visitor on a site: (token, id).
pub async fn visitor(app: &TestApp, site_key: &str) -> (String, Uuid) {
    let (status, body) = app.call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    assert_eq!(status, 200, "{body}");
    (body["visitor_token"].as_str().unwrap().to_owned(), id(&body["visitor_id"]))
}

/// A new visitor who starts a conversation: (visitor token, conversation id).
pub async fn waiting_visitor(app: &TestApp, site_key: &str, first_message: &str) -> (String, Uuid) {
    let (token, _) = visitor(app, site_key).await;
    let conversation_id = app.start_conversation(&token, first_message).await;
    (token, conversation_id)
}

/// Creates an agent with `capacity` and signs them in: (agent id, session token).
pub async fn agent(app: &TestApp, owner_token: &str, email: &str, capacity: u32) -> (Uuid, String) {
    let body = json!({"name": email.split('@').next().unwrap(), "email": email, "role": "agent",
                      "password": PASSWORD, "capacity": capacity});
    let (status, created) = app.post("/agents", owner_token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, session) =
        app.call(Method::POST, "/signin", None, Some(json!({"email": email, "password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    (id(&created["agent"]["id"]), session["token"].as_str().unwrap().to_owned())
}

/// An agent's console socket: while it is open the agent is present (online by default).
pub async fn agent_socket(app: &TestApp, token: &str) -> Socket {
    ws::connect(&app.address, "/ws/agent", Credential::Protocol(token), None)
        .await
        .unwrap_or_else(|refused| panic!("agent socket refused: {refused:?}"))
}

pub async fn visitor_socket(app: &TestApp, token: &str) -> Socket {
    ws::connect(&app.address, "/ws/visitor", Credential::Protocol(token), Some(SHOP_ORIGIN))
        .await
        .unwrap_or_else(|refused| panic!("visitor socket refused: {refused:?}"))
}

/// Sets a site's routing policy.
pub async fn set_policy(app: &TestApp, owner_token: &str, site_id: Uuid, policy: &str) {
    let (status, body) = app.patch(&format!("/sites/{site_id}"), owner_token, json!({"routing_policy": policy})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["routing_policy"], policy);
}

pub async fn conversation(app: &TestApp, token: &str, id: Uuid) -> Value {
    let (status, body) = app.get(&format!("/conversations/{id}"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub async fn queue(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/queue", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// How many open conversations each agent has, by agent id.
pub async fn loads(
    app: &TestApp,
    token: &str,
    conversations: &[Uuid],
) -> std::collections::BTreeMap<Option<Uuid>, usize> {
    let mut loads = std::collections::BTreeMap::new();
    for id in conversations {
        let body = conversation(app, token, *id).await;
        let assignee = body["assignee_id"].as_str().map(|s| s.parse().unwrap());
        *loads.entry(assignee).or_insert(0) += 1;
    }
    loads
}
