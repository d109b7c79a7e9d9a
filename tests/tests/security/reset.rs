//! Resetting a forgotten password by email, through the API and a real SMTP server: asking
//! answers alike for every address and mails only agents; the mailed link sets a new
//! password once, within its hour, and ends every session; asking is throttled; other
//! sites' pages cannot ask nor reset.
//!
//! An expired link is made by moving its stored expiry back, never by sleeping.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use system_tests::{PASSWORD, TestApp, assert_error, eventually, json_of, smtp::SmtpSink, ws};

use crate::common::{count, mailing_app, mails_to, millis_ago, read, sql};

const NEW_PASSWORD: &str = "tangerine submarine kettle 88";

/// A server that mails through `sink`, with `env` on top; sign-in unthrottled per account.
async fn app(sink: &SmtpSink, env: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("RAPPORT_SIGNIN_ATTEMPTS_PER_ACCOUNT_PER_HOUR", "0")];
    vars.extend_from_slice(env);
    mailing_app(sink, &vars).await
}

async fn ask(app: &TestApp, email: &str) -> (StatusCode, Value) {
    app.call(Method::POST, "/password-reset", None, Some(json!({"email": email}))).await
}

async fn reset(app: &TestApp, token: &str, new_password: &str) -> (StatusCode, Value) {
    let body = json!({"token": token, "new_password": new_password});
    app.call(Method::POST, "/password-reset/confirm", None, Some(body)).await
}

async fn signin(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    app.call(Method::POST, "/signin", None, Some(json!({"email": email, "password": password}))).await
}

/// Waits for the `n`th mail (1-based) to `address` and returns the token of its link.
async fn nth_link(app: &TestApp, sink: &SmtpSink, address: &str, n: usize) -> String {
    let mail =
        eventually(&format!("reset mail #{n} to {address}"), || async { mails_to(sink, address).get(n - 1).cloned() })
            .await;
    let (subject, text) = read(&mail);
    assert_eq!(subject, "Choose a new password for Rapport");
    let link = format!("{}/console/?reset=", app.address);
    let start = text.find(&link).unwrap_or_else(|| panic!("a link to {link}… in {text}")) + link.len();
    let token = text[start..].split_whitespace().next().unwrap().trim_end_matches(['>', ')']).to_owned();
    assert!(text.contains("works once, within an hour"), "{text}");
    assert!(text.contains("If you did not ask for it, ignore this mail"), "{text}");
    token
}

/// The stored form of a link's token.
fn stored(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[tokio::test]
async fn a_mailed_link_sets_a_new_password_once_and_ends_every_session() {
    let sink = SmtpSink::start().await;
    let app = app(&sink, &[("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0")]).await;
    let owner = app.signup("Acme").await;
    let (status, phone) = signin(&app, &owner.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{phone}");
    let phone = phone["token"].as_str().unwrap().to_owned();
    let mut phone_socket =
        ws::connect(&app.address, "/ws/agent", ws::Credential::Protocol(&phone), None).await.unwrap();
    // A deactivated agent is no account to reset either.
    // (Given a password, Bo is not sent an invitation: the mails below are resets alone.)
    let bo = json!({"name": "Bo", "email": "bo@acme.test", "password": NEW_PASSWORD});
    let (status, bo) = app.post("/agents", &owner.token, bo).await;
    assert_eq!(status, StatusCode::CREATED, "{bo}");
    let bo_id = bo["agent"]["id"].as_str().unwrap();
    assert_eq!(app.patch(&format!("/agents/{bo_id}"), &owner.token, json!({"active": false})).await.0, StatusCode::OK);

    // Unknown, deactivated and known addresses get the same answer.
    let unknown = ask(&app, "nobody@acme.test").await;
    let deactivated = ask(&app, "bo@acme.test").await;
    let known = ask(&app, " Owner@Acme.test").await;
    assert_eq!(known.0, StatusCode::ACCEPTED, "{}", known.1);
    assert_eq!(unknown, known);
    assert_eq!(deactivated, known);
    let (status, body) = ask(&app, "not an address").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "email");

    // Only the known address gets a mail, one, with the link.
    let token = nth_link(&app, &sink, &owner.email, 1).await;
    app.outbox_rounds_pass("mail", 3).await;
    let received = sink.received();
    assert_eq!(received.len(), 1, "one mail, to the owner alone: {received:#?}");
    assert_eq!(received[0].rcpt_to, [owner.email.as_str()]);
    // Neither the database nor the sent mail's copy holds the token.
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM password_resets WHERE token_hash = '{token}'")).await, 0);
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM password_resets WHERE token_hash = '{}'", stored(&token))).await,
        1
    );
    let kept =
        "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'password_reset' AND (state <> 'sent' OR raw IS NOT NULL)";
    assert_eq!(count(&app, kept).await, 0, "a sent reset mail keeps no copy of its link");

    // A weak password, or one made of the account's own name, is refused and changes
    // nothing; the link still works afterwards.
    for weak in ["password123", "owner@acme.test"] {
        let (status, body) = reset(&app, &token, weak).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "new_password", "{weak}: {body}");
    }
    assert_eq!(app.get("/me", &phone).await.0, StatusCode::OK);
    let (status, body) = reset(&app, "not-a-token-we-sent", NEW_PASSWORD).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "token");

    let (status, body) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // Every session ended, its socket closed at once.
    for old in [&owner.token, &phone] {
        let (status, body) = app.get("/me", old).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert!(matches!(phone_socket.closed().await, ws::Ended::Closed(4001, _)));
    // Only the new password signs in.
    assert_eq!(signin(&app, &owner.email, PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    let (status, session) = signin(&app, &owner.email, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let session = session["token"].as_str().unwrap();

    // The link works once.
    let (status, body) = reset(&app, &token, "another fine passphrase 42").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "token");
    assert!(body["message"].as_str().unwrap().contains("ask for a new one"), "{body}");
    assert_eq!(signin(&app, &owner.email, NEW_PASSWORD).await.0, StatusCode::OK);

    // The audit log says who did it: the agent themselves.
    let (status, log) = app.get("/audit-log?action=password_reset", session).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries = log["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    let entry = &entries[0];
    assert_eq!(entry["actor_kind"], "agent", "{entry}");
    assert_eq!(entry["actor_id"], owner.owner_id.to_string(), "{entry}");
    assert_eq!(entry["target_id"], owner.owner_id.to_string(), "{entry}");
    assert_eq!(entry["ip_address"], "127.0.0.1", "{entry}");
    assert!(!entry.to_string().contains(&token), "no token in the log: {entry}");
}

#[tokio::test]
async fn an_expired_link_is_refused_and_a_reset_spends_the_other_links() {
    let sink = SmtpSink::start().await;
    let app = app(&sink, &[("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0")]).await;
    let owner = app.signup("Acme").await;
    let mut tokens = Vec::new();
    for n in 1..=3 {
        assert_eq!(ask(&app, &owner.email).await.0, StatusCode::ACCEPTED);
        tokens.push(nth_link(&app, &sink, &owner.email, n).await);
    }
    sql(
        &app,
        &format!(
            "UPDATE password_resets SET expires_at = {} WHERE token_hash = '{}'",
            millis_ago(1),
            stored(&tokens[0])
        ),
    )
    .await;

    let (status, body) = reset(&app, &tokens[0], NEW_PASSWORD).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "token");
    assert_eq!(signin(&app, &owner.email, PASSWORD).await.0, StatusCode::OK, "the expired link changed nothing");

    let (status, body) = reset(&app, &tokens[1], NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // The third link, still unexpired and unused, stopped working with the reset.
    let (status, body) = reset(&app, &tokens[2], "another fine passphrase 42").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(body["field"], "token");
    assert_eq!(signin(&app, &owner.email, NEW_PASSWORD).await.0, StatusCode::OK);
}

/// Status, `Retry-After` and body of a request for a link.
async fn ask_with_headers(app: &TestApp, email: &str) -> (StatusCode, Option<u64>, Value) {
    let response =
        app.request(Method::POST, "/password-reset", None).json(&json!({"email": email})).send().await.unwrap();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let (status, body) = json_of(response).await;
    (status, retry_after, body)
}

#[tokio::test]
async fn asking_is_throttled_per_address_and_per_account_known_or_not() {
    let sink = SmtpSink::start().await;
    let app = app(&sink, &[("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "8")]).await;
    let owner = app.signup("Acme").await;

    // Three an hour per account, whether it exists or not; the fourth is refused alike.
    let mut refusals = Vec::new();
    for email in ["ghost@nowhere.test", &owner.email] {
        for _ in 0..3 {
            assert_eq!(ask_with_headers(&app, email).await.0, StatusCode::ACCEPTED);
        }
        let (status, retry_after, body) = ask_with_headers(&app, email).await;
        assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        assert!(retry_after.is_some_and(|secs| secs >= 1), "Retry-After: {retry_after:?}");
        refusals.push(body["message"].as_str().unwrap().split(';').next().unwrap().to_owned());
    }
    assert_eq!(refusals[0], refusals[1], "a known account is refused like an unknown one");
    assert!(refusals[0].contains("this account"), "{refusals:?}");
    // Eight tries from this address in a minute: the ninth is refused, whatever the address.
    let (status, retry_after, body) = ask_with_headers(&app, "someone.else@nowhere.test").await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(body["message"].as_str().unwrap().contains("your address"), "{body}");
    assert!(retry_after.is_some_and(|secs| secs >= 1), "Retry-After: {retry_after:?}");

    // The owner got the three mails that were allowed, and no more.
    sink.wait_for(3, system_tests::PATIENCE).await;
    app.outbox_rounds_pass("mail", 3).await;
    assert_eq!(mails_to(&sink, &owner.email).len(), 3);
    assert_eq!(sink.received().len(), 3);
}

#[tokio::test]
async fn another_sites_pages_can_neither_ask_nor_reset() {
    let sink = SmtpSink::start().await;
    let app = app(&sink, &[("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0")]).await;
    let owner = app.signup("Acme").await;
    let from = |origin: &str, path: &str, body: Value| {
        app.request(Method::POST, path, None)
            .header("origin", origin)
            .header("sec-fetch-site", "cross-site")
            .json(&body)
    };
    let (status, body) =
        json_of(from("https://evil.example", "/password-reset", json!({"email": owner.email})).send().await.unwrap())
            .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "origin_not_allowed");
    // From Rapport's own page, the same request is taken.
    let own = app
        .request(Method::POST, "/password-reset", None)
        .header("origin", &app.address)
        .json(&json!({"email": owner.email}));
    assert_eq!(own.send().await.unwrap().status(), StatusCode::ACCEPTED);
    let token = nth_link(&app, &sink, &owner.email, 1).await;
    let reset_body = json!({"token": token, "new_password": NEW_PASSWORD});
    let (status, body) =
        json_of(from("https://evil.example", "/password-reset/confirm", reset_body.clone()).send().await.unwrap())
            .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "origin_not_allowed");
    assert_eq!(signin(&app, &owner.email, PASSWORD).await.0, StatusCode::OK, "the foreign page changed nothing");
    assert_eq!(reset(&app, &token, NEW_PASSWORD).await.0, StatusCode::NO_CONTENT);
}
