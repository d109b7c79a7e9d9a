//! Requests that are wrong in every way a client can get them wrong. Each gets a 4xx
//! with the JSON error body (a `code` and a `message`), never a 5xx, and none of them
//! changes what is stored.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

/// A workspace with a conversation holding a visitor message and an agent reply.
struct Stored {
    app: TestApp,
    workspace: Workspace,
    site_id: Uuid,
    conversation: Uuid,
    /// What the conversation and its messages look like before the bad requests.
    before: (Value, Value),
}

async fn stored_with(options: AppOptions) -> Stored {
    let app = spawn_app_with(options).await;
    let workspace = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&workspace.token).await;
    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello").await;
    send_ok(&app, &workspace.token, conversation, json!({"body": "Hi there", "client_msg_id": "r-1"})).await;
    let mut stored = Stored { app, workspace, site_id, conversation, before: (Value::Null, Value::Null) };
    stored.before = stored.state().await;
    stored
}

async fn stored() -> Stored {
    stored_with(AppOptions::default()).await
}

impl Stored {
    fn token(&self) -> &str {
        &self.workspace.token
    }

    async fn state(&self) -> (Value, Value) {
        let (status, messages) =
            self.app.get(&format!("/conversations/{}/messages", self.conversation), self.token()).await;
        assert_eq!(status, StatusCode::OK, "{messages}");
        (conversation(&self.app, self.token(), self.conversation).await, messages)
    }

    /// The bad requests left the conversation and its messages exactly as they were.
    async fn assert_intact(&self) {
        let (conversation, messages) = self.state().await;
        assert_eq!(conversation, self.before.0, "the conversation changed");
        assert_eq!(messages, self.before.1, "the messages changed");
    }

    /// Sends `body` as is, with `content_type` if given, and the owner's bearer token.
    async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let mut request = self.app.request(method, path, Some(self.token())).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        json_of(request.send().await.expect("request sent")).await
    }

    fn messages_path(&self) -> String {
        format!("/conversations/{}/messages", self.conversation)
    }
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let s = stored().await;
    let targets = [
        (Method::POST, s.messages_path()),
        (Method::PATCH, format!("/conversations/{}", s.conversation)),
        (Method::POST, "/teams".to_owned()),
        (Method::PATCH, format!("/sites/{}", s.site_id)),
        (Method::POST, "/signup".to_owned()),
        (Method::POST, "/widget/session".to_owned()),
    ];
    for (method, path) in targets {
        for body in ["{not json", "", "{\"body\": \"unterminated", "[]", "null", "\"a string\""] {
            let (status, response) = s.raw(method.clone(), &path, Some("application/json"), body).await;
            assert_error(status, &response, StatusCode::BAD_REQUEST, "malformed_request");
        }
    }
    s.assert_intact().await;
}

#[tokio::test]
async fn wrong_json_types_are_a_bad_request() {
    let s = stored().await;
    let cases = [
        ("/agents".to_owned(), Method::POST, json!({"name": "Bo", "email": "bo@acme.test", "capacity": "five"})),
        ("/agents".to_owned(), Method::POST, json!({"name": "Bo", "email": "bo@acme.test", "role": "superuser"})),
        (s.messages_path(), Method::POST, json!({"body": "ok", "kind": "shout"})),
        (format!("/conversations/{}", s.conversation), Method::PATCH, json!({"assignee_id": "not-a-uuid"})),
        (
            format!("/conversations/{}", s.conversation),
            Method::PATCH,
            json!({"snoozed_until": "tomorrow", "status": "snoozed"}),
        ),
        ("/teams".to_owned(), Method::POST, json!({"name": "Sales", "member_ids": ["not-a-uuid"]})),
        ("/teams".to_owned(), Method::POST, json!({"name": ["Sales"]})),
        ("/sites".to_owned(), Method::POST, json!({"name": "Shop", "allowed_origins": "https://shop.test"})),
        (format!("/sites/{}", s.site_id), Method::PATCH, json!({"require_identity": "yes"})),
        ("/api-keys".to_owned(), Method::POST, json!({"name": "CRM", "scope": "admin"})),
    ];
    let mut accepted = Vec::new();
    for (path, method, body) in cases {
        let (status, response) = s.app.call(method.clone(), &path, Some(s.token()), Some(body.clone())).await;
        if status != StatusCode::BAD_REQUEST || response["code"] != "malformed_request" {
            accepted.push(format!("{method} {path} {body} -> {status} {response}"));
        }
    }
    assert!(accepted.is_empty(), "wrong types not refused as malformed_request:\n{}", accepted.join("\n"));
    // A number or boolean where the spec says string is refused by the strict-string
    // check, as invalid input naming the field (tests/tests/security/strict.rs).
    let path = format!("/conversations/{}", s.conversation);
    let (status, response) = s.app.call(Method::PATCH, &path, Some(s.token()), Some(json!({"status": 5}))).await;
    assert_error(status, &response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(response["field"], "status");
    let (_, agents) = s.app.get("/agents", s.token()).await;
    assert_eq!(item_ids(&agents), vec![s.workspace.owner_id], "nothing was created");
    s.assert_intact().await;
}

#[tokio::test]
async fn missing_required_fields_are_a_bad_request() {
    let s = stored().await;
    let cases = [
        ("/sites", json!({"name": "Shop"})),
        ("/sites", json!({"allowed_origins": ["https://shop.test"]})),
        ("/teams", json!({"member_ids": []})),
        ("/agents", json!({"name": "Bo"})),
        ("/api-keys", json!({"name": "CRM"})),
        ("/signin", json!({"email": "owner@acme.test"})),
        ("/invitations/accept", json!({"password": PASSWORD})),
        ("/widget/session", json!({})),
    ];
    for (path, body) in cases {
        let (status, response) = s.app.post(path, s.token(), body).await;
        assert_error(status, &response, StatusCode::BAD_REQUEST, "malformed_request");
    }
    let (status, response) = s.app.post(&s.messages_path(), s.token(), json!({"kind": "text"})).await;
    assert_error(status, &response, StatusCode::BAD_REQUEST, "malformed_request");
    s.assert_intact().await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let s = stored().await;
    let valid = json!({"body": "sent as text"}).to_string();
    for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("application/xml"), None] {
        let (status, response) = s.raw(Method::POST, &s.messages_path(), content_type, valid.clone()).await;
        assert_client_error(status, &response);
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::UNSUPPORTED_MEDIA_TYPE].contains(&status),
            "{content_type:?}: {status} {response}"
        );
    }
    // Bytes that are not even UTF-8.
    let (status, response) =
        s.raw(Method::POST, &s.messages_path(), Some("application/json"), vec![0xff, 0xfe, 0x00, 0x7b]).await;
    assert_error(status, &response, StatusCode::BAD_REQUEST, "malformed_request");
    s.assert_intact().await;
}

#[tokio::test]
async fn path_ids_that_are_not_uuids_are_a_bad_request() {
    let s = stored().await;
    let cases = [
        (Method::GET, "/conversations/123"),
        (Method::GET, "/conversations/not-a-uuid/messages"),
        (Method::POST, "/conversations/not-a-uuid/messages"),
        (Method::PATCH, "/conversations/'%20OR%201=1"),
        (Method::GET, "/agents/abc"),
        (Method::GET, "/teams/00000000-0000-0000-0000"),
        (Method::DELETE, "/sites/%00"),
        (Method::POST, "/api-keys/xyz/revoke"),
        (Method::GET, "/visitors/1"),
    ];
    for (method, path) in cases {
        let body =
            (method != Method::GET && method != Method::DELETE).then(|| json!({"body": "x", "status": "resolved"}));
        let (status, response) = s.app.call(method.clone(), path, Some(s.token()), body).await;
        assert_error(status, &response, StatusCode::BAD_REQUEST, "malformed_request");
    }
    s.assert_intact().await;
}

#[tokio::test]
async fn oversize_bodies_are_refused_before_parsing() {
    let s = stored_with(AppOptions { max_body_bytes: Some(2048), ..AppOptions::default() }).await;
    let big = "x".repeat(10 * 1024);
    let cases = [
        (s.messages_path(), json!({"body": big})),
        ("/teams".to_owned(), json!({"name": big})),
        ("/widget/session".to_owned(), json!({"site_key": big})),
        ("/signup".to_owned(), json!({"workspace_name": big, "name": "x", "email": "x@x.test", "password": PASSWORD})),
    ];
    for (path, body) in cases {
        let (status, response) = s.app.post(&path, s.token(), body).await;
        assert_error(status, &response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    }
    // Even when the body is not JSON at all, the size is what is refused.
    let (status, response) = s.raw(Method::POST, &s.messages_path(), Some("application/json"), big.clone()).await;
    assert_error(status, &response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Just under the limit is fine.
    let message = send_ok(&s.app, s.token(), s.conversation, json!({"body": "y".repeat(1500)})).await;
    assert_eq!(message["seq"], 3);
}

/// Sends a chunked body (no `Content-Length`, so the size is only known while reading)
/// over a raw connection; returns the status and the raw response text.
async fn post_chunked(app: &TestApp, path: &str, token: &str, body: &str) -> (u16, String) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connecting");
    let request = format!(
        "POST /api/v1{path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("writing the request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("reading the response");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status =
        response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status: {response}"));
    (status, response)
}

#[tokio::test]
async fn oversize_chunked_bodies_are_refused_too() {
    let s = stored_with(AppOptions { max_body_bytes: Some(2048), ..AppOptions::default() }).await;
    // Just over the limit: small enough to be read whole, so the answer is not lost to a reset.
    let big = json!({"body": "z".repeat(3000)}).to_string();
    let (status, response) = post_chunked(&s.app, &s.messages_path(), s.token(), &big).await;
    assert_eq!(status, 413, "{response}");
    assert!(response.contains("\"code\":\"payload_too_large\""), "{response}");

    let small = json!({"body": "chunked but small"}).to_string();
    let (status, response) = post_chunked(&s.app, &s.messages_path(), s.token(), &small).await;
    assert_eq!(status, 201, "{response}");
    let (_, messages) = s.app.get(&s.messages_path(), s.token()).await;
    assert_eq!(seqs(&messages), vec![1, 2, 3]);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_with_the_error_body() {
    let s = stored().await;
    for path in ["/api/v1/nope", "/api/v1/conversations/nope/nope/nope", "/api/v2/conversations", "/nope"] {
        let response = s.app.http.get(s.app.url(path)).bearer_auth(s.token()).send().await.unwrap();
        let (status, body) = json_of(response).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, body) =
        s.app.call(Method::DELETE, &format!("/conversations/{}", s.conversation), Some(s.token()), None).await;
    assert_client_error(status, &body);
    assert!([StatusCode::METHOD_NOT_ALLOWED, StatusCode::NOT_FOUND].contains(&status), "{status}: {body}");
    s.assert_intact().await;
}

#[tokio::test]
async fn bad_credentials_are_unauthorized_with_the_error_body() {
    let s = stored().await;
    let tokens = ["garbage", "rps_garbage", "rpk_garbage", "rpv_garbage", "rpi_garbage", "rps_", &"a".repeat(5000)];
    for token in tokens {
        let (status, body) = s.app.get("/conversations", token).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        let (status, body) = send(&s.app, token, s.conversation, json!({"body": "let me in"})).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    for header in ["Basic b3duZXJAYWNtZS50ZXN0OnB3", "Bearer", "Bearer ", "bearer", "Token abc"] {
        let response =
            s.app.http.get(s.app.url("/api/v1/conversations")).header("authorization", header).send().await.unwrap();
        let (status, body) = json_of(response).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    s.assert_intact().await;
}

#[tokio::test]
async fn nul_characters_never_cause_a_server_error() {
    let s = stored().await;
    let nul = "a\u{0}b";
    let visitor = conversation(&s.app, s.token(), s.conversation).await["visitor_id"].clone();
    let cases = [
        (Method::POST, s.messages_path(), json!({"body": nul})),
        (Method::POST, s.messages_path(), json!({"body": "ok", "client_msg_id": nul})),
        (Method::POST, "/signin".to_owned(), json!({"email": format!("{nul}@acme.test"), "password": PASSWORD})),
        (
            Method::POST,
            "/signup".to_owned(),
            json!({"workspace_name": "Nul", "name": "Nul", "email": format!("{nul}@nul.test"), "password": PASSWORD}),
        ),
        (Method::POST, "/widget/session".to_owned(), json!({"site_key": nul})),
        (
            Method::POST,
            "/sites".to_owned(),
            json!({"name": "Nul", "allowed_origins": ["https://nul.test"], "greeting": nul}),
        ),
        (Method::PATCH, format!("/visitors/{}", id(&visitor)), json!({"email": format!("{nul}@nul.test")})),
    ];
    let mut failures = Vec::new();
    for (method, path, body) in cases {
        let (status, response) = s.app.call(method.clone(), &path, Some(s.token()), Some(body.clone())).await;
        if status.is_server_error() {
            failures.push(format!("{method} {path} {body} -> {status} {response}"));
        } else if !status.is_success() {
            assert_client_error(status, &response);
        }
    }
    assert!(failures.is_empty(), "server errors:\n{}", failures.join("\n"));
}
