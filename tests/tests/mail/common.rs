//! Helpers shared by the mail tests.

use std::time::Duration;

pub use openapi::realtime::{ClientFrame, ServerFrame};
pub use reqwest::StatusCode;
pub use serde_json::{Value, json};
pub use system_tests::{
    AppOptions, TestApp, Workspace, assert_error, eventually, id,
    smtp::{Fault, Received, SmtpSink},
    spawn_app_with,
    ws::{self, Credential, Socket},
};
pub use uuid::Uuid;

/// Long enough for any mail on a loaded CI machine; polling returns as soon as it is there.
pub const PATIENCE: Duration = Duration::from_secs(20);
pub const SHOP_ORIGIN: &str = "https://shop.test";
pub const INBOUND_DOMAIN: &str = "in.shop.test";

/// A server that mails through `sink`, polling often, with short delays.
pub async fn mail_app(sink: &SmtpSink, continuity_delay_ms: u64, database_url: Option<String>) -> TestApp {
    let env = [
        ("RAPPORT_SMTP_URL", sink.url()),
        ("RAPPORT_MAIL_POLL_MS", "25".to_owned()),
        ("RAPPORT_MAIL_RETRY_MS", "50".to_owned()),
        ("RAPPORT_MAIL_CONTINUITY_DELAY_MS", continuity_delay_ms.to_string()),
        ("RAPPORT_MAIL_FROM", "noreply@shop.test".to_owned()),
        ("RAPPORT_MAIL_INBOUND_DOMAIN", INBOUND_DOMAIN.to_owned()),
    ];
    spawn_app_with(AppOptions {
        database_url,
        env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ..AppOptions::default()
    })
    .await
}

/// A workspace with a site and a visitor.
pub struct Shop {
    pub workspace: Workspace,
    pub site_id: Uuid,
    pub site_key: String,
    pub visitor_token: String,
    pub visitor_id: Uuid,
}

pub async fn shop(app: &TestApp, name: &str) -> Shop {
    let workspace = app.signup(name).await;
    let (site_id, site_key) = app.create_site(&workspace.token).await;
    let (status, body) =
        app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    Shop {
        workspace,
        site_id,
        site_key,
        visitor_token: body["visitor_token"].as_str().unwrap().to_owned(),
        visitor_id: id(&body["visitor_id"]),
    }
}

/// The visitor leaves an offline message; returns the conversation id.
pub async fn offline_message(app: &TestApp, shop: &Shop, email: &str, name: Option<&str>, body: &str) -> Uuid {
    let (status, response) = app
        .post(
            "/widget/offline-message",
            &shop.visitor_token,
            json!({"email": email, "name": name, "body": body, "client_msg_id": Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{response}");
    id(&response["conversation"]["id"])
}

/// Points the site's offline notifications at one address.
pub async fn notify(app: &TestApp, shop: &Shop, address: &str) {
    let (status, body) = app
        .patch(
            &format!("/sites/{}/mail-settings", shop.site_id),
            &shop.workspace.token,
            json!({"notify_email": address}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// An agent replies over REST; returns the stored message.
pub async fn agent_reply(app: &TestApp, token: &str, conversation_id: Uuid, body: &str) -> Value {
    let (status, response) = app
        .post(
            &format!("/conversations/{conversation_id}/messages"),
            token,
            json!({"body": body, "client_msg_id": Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{response}");
    response
}

/// The workspace's mail as the API lists it.
pub async fn mail_list(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/mail?limit=200", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Polls the mail list until `wanted` holds for it.
pub async fn mail_list_until(app: &TestApp, token: &str, what: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    eventually(&format!("the mail list to show {what}"), || async {
        let list = mail_list(app, token).await;
        wanted(&list).then_some(list)
    })
    .await
}

/// A received mail, parsed.
#[derive(Debug, Clone)]
pub struct Mail {
    pub rcpt_to: Vec<String>,
    pub mail_from: String,
    pub subject: String,
    pub from: String,
    pub to: String,
    pub reply_to: Option<String>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub list_unsubscribe: Option<String>,
    pub content_type: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    match value {
        mail_parser::HeaderValue::Text(id) => vec![format!("<{id}>")],
        mail_parser::HeaderValue::TextList(ids) => ids.iter().map(|id| format!("<{id}>")).collect(),
        _ => Vec::new(),
    }
}

pub fn parse(received: &Received) -> Mail {
    let message = mail_parser::MessageParser::default().parse(&received.data).expect("an RFC 5322 message");
    let address =
        |a: Option<&mail_parser::Address<'_>>| a.and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned);
    Mail {
        rcpt_to: received.rcpt_to.clone(),
        mail_from: received.mail_from.clone(),
        subject: message.subject().unwrap_or_default().to_owned(),
        from: address(message.from()).unwrap_or_default(),
        to: address(message.to()).unwrap_or_default(),
        reply_to: address(message.reply_to()),
        message_id: format!("<{}>", message.message_id().expect("a Message-ID")),
        in_reply_to: ids(message.in_reply_to()).into_iter().next(),
        references: ids(message.references()),
        list_unsubscribe: message.header_raw("List-Unsubscribe").map(|v| v.trim().to_owned()),
        content_type: message.header_raw("Content-Type").unwrap_or_default().trim().to_owned(),
        text: message.body_text(0).expect("a plain text part").replace("\r\n", "\n"),
        html: message.body_html(0).expect("an HTML part").replace("\r\n", "\n"),
        raw: String::from_utf8_lossy(&received.data).into_owned(),
    }
}

/// All mails received for `address`.
pub fn mails_to(sink: &SmtpSink, address: &str) -> Vec<Mail> {
    sink.received().iter().filter(|r| r.rcpt_to.iter().any(|a| a == address)).map(parse).collect()
}

/// Waits for the `n`th mail (1-based) to `address`.
pub async fn nth_mail_to(sink: &SmtpSink, address: &str, n: usize) -> Mail {
    eventually(&format!("mail #{n} to {address}"), || async { mails_to(sink, address).get(n - 1).cloned() }).await
}

/// The token of the continue link in a mail's text.
pub fn continue_token(mail: &Mail) -> String {
    let start = mail.text.find("#continue=").expect("a continue link") + "#continue=".len();
    mail.text[start..].split_whitespace().next().unwrap().to_owned()
}

pub async fn agent_socket(address: &str, token: &str) -> Socket {
    ws::connect(address, "/ws/agent", Credential::Protocol(token), None)
        .await
        .unwrap_or_else(|refused| panic!("agent socket refused: {refused:?}"))
}

pub async fn visitor_socket(address: &str, token: &str) -> Socket {
    ws::connect(address, "/ws/visitor", Credential::Protocol(token), Some(SHOP_ORIGIN))
        .await
        .unwrap_or_else(|refused| panic!("visitor socket refused: {refused:?}"))
}

/// Resumes a conversation on a socket after `after_seq`, draining the replay.
pub async fn resume(socket: &mut Socket, conversation_id: Uuid, after_seq: i64) {
    socket.send(&ClientFrame::Resume { conversation_id, after_seq }).await;
    socket
        .recv_until(
            "resumed",
            |f| matches!(f, ServerFrame::Resumed { conversation_id: id, .. } if *id == conversation_id),
        )
        .await;
}

/// Creates an API key; returns its secret.
pub async fn api_key(app: &TestApp, token: &str, scope: &str) -> String {
    let (status, body) =
        app.post("/api-keys", token, json!({"name": format!("inbound {scope}"), "scope": scope})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["secret"].as_str().unwrap().to_owned()
}

/// Posts a raw mail to the inbound endpoint.
pub async fn post_inbound(app: &TestApp, key: &str, raw: &str) -> (StatusCode, Value) {
    let response = app
        .request(reqwest::Method::POST, "/inbound/email", Some(key))
        .header("content-type", "message/rfc822")
        .body(raw.to_owned())
        .send()
        .await
        .unwrap();
    system_tests::json_of(response).await
}

/// Every message of a conversation, read by the team over REST.
pub async fn messages(app: &TestApp, token: &str, conversation_id: Uuid) -> Vec<Value> {
    let (status, body) = app.get(&format!("/conversations/{conversation_id}/messages?limit=500"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}
