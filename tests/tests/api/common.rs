//! Helpers shared by the API tests, on top of the harness in `tests/support`.

pub use reqwest::{Method, StatusCode};
pub use serde_json::{Value, json};
pub use system_tests::{
    AppOptions, PASSWORD, TestApp, Workspace, assert_error, id, json_of, spawn_app, spawn_app_with,
};
pub use uuid::Uuid;

/// The origin `TestApp::create_site` allows.
pub const SHOP_ORIGIN: &str = "https://shop.test";

pub async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

pub async fn delete(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    app.call(Method::DELETE, path, Some(token), None).await
}

/// Asserts a 422 `invalid_input` naming `field`.
pub fn assert_invalid(status: StatusCode, body: &Value, field: &str) {
    assert_error(status, body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], field, "wrong field in {body}");
}

/// Asserts a client error (4xx) with the documented error body: whatever went wrong, the
/// client gets a non-empty `code` and `message` to act on.
pub fn assert_client_error(status: StatusCode, body: &Value) {
    assert!(status.is_client_error(), "expected a 4xx, got {status}: {body}");
    assert!(body["code"].as_str().is_some_and(|c| !c.is_empty()), "error without code ({status}): {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "error without message ({status}): {body}");
}

/// Signs in; returns the raw answer.
pub async fn signin(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    app.call(Method::POST, "/signin", None, Some(json!({"email": email, "password": password}))).await
}

/// Creates an agent through `POST /agents`; returns the raw answer.
pub async fn try_create_agent(
    app: &TestApp,
    token: &str,
    email: &str,
    role: &str,
    password: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"name": "Agent", "email": email, "role": role});
    if let Some(password) = password {
        body["password"] = json!(password);
    }
    app.post("/agents", token, body).await
}

/// Creates an agent with a password and signs them in; returns (agent id, session token).
pub async fn agent_session(app: &TestApp, owner_token: &str, email: &str, role: &str) -> (Uuid, String) {
    let (status, body) = try_create_agent(app, owner_token, email, role, Some(PASSWORD)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, session) = signin(app, email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    (id(&body["agent"]["id"]), token_of(&session))
}

/// Invites an agent (no password); returns (agent id, invitation token).
pub async fn invite_agent(app: &TestApp, token: &str, email: &str) -> (Uuid, String) {
    let (status, body) = try_create_agent(app, token, email, "agent", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let invitation = body["invitation_token"].as_str().unwrap_or_else(|| panic!("no invitation token: {body}"));
    (id(&body["agent"]["id"]), invitation.to_owned())
}

/// Creates an API key; returns (key id, secret).
pub async fn api_key(app: &TestApp, token: &str, scope: &str) -> (Uuid, String) {
    let (status, body) = app.post("/api-keys", token, json!({"name": format!("{scope} key"), "scope": scope})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (id(&body["api_key"]["id"]), body["secret"].as_str().unwrap().to_owned())
}

pub async fn create_team(app: &TestApp, token: &str, name: &str, member_ids: &[Uuid]) -> Uuid {
    let (status, body) = app.post("/teams", token, json!({"name": name, "member_ids": member_ids})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id(&body["id"])
}

/// `POST /widget/session`, optionally from a browser `origin` and resuming `visitor_token`.
pub async fn widget_session(
    app: &TestApp,
    site_key: &str,
    origin: Option<&str>,
    visitor_token: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = app
        .request(Method::POST, "/widget/session", None)
        .json(&json!({"site_key": site_key, "visitor_token": visitor_token}));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    json_of(request.send().await.expect("request sent")).await
}

/// A new visitor on a site; returns (visitor token, visitor id).
pub async fn new_visitor(app: &TestApp, site_key: &str) -> (String, Uuid) {
    let (status, body) = widget_session(app, site_key, None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (body["visitor_token"].as_str().unwrap().to_owned(), id(&body["visitor_id"]))
}

/// Sends a message into a conversation as an agent or an API key.
pub async fn send(app: &TestApp, token: &str, conversation: Uuid, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/conversations/{conversation}/messages"), token, body).await
}

/// Sends a message that must be stored now; returns it.
pub async fn send_ok(app: &TestApp, token: &str, conversation: Uuid, body: Value) -> Value {
    let (status, message) = send(app, token, conversation, body).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    message
}

/// The conversation as the team sees it.
pub async fn conversation(app: &TestApp, token: &str, conversation: Uuid) -> Value {
    let (status, body) = app.get(&format!("/conversations/{conversation}"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The seqs of a message range.
pub fn seqs(range: &Value) -> Vec<i64> {
    range["items"].as_array().expect("items").iter().map(|m| m["seq"].as_i64().unwrap()).collect()
}

pub fn token_of(session: &Value) -> String {
    session["token"].as_str().unwrap_or_else(|| panic!("no token in {session}")).to_owned()
}

/// The ids of a page's items.
pub fn item_ids(page: &Value) -> Vec<Uuid> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|item| id(&item["id"]))
        .collect()
}

/// The ids of a list that fits on one page (asserted).
pub async fn list_ids(app: &TestApp, path: &str, token: &str) -> Vec<Uuid> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let (status, page) = app.get(&format!("{path}{separator}limit=200"), token).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {page}");
    assert!(page["next_cursor"].is_null(), "GET {path} needs more than one page: {page}");
    item_ids(&page)
}
