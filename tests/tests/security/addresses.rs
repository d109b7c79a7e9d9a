//! One address, several workspaces: signing up or adding an agent answers alike whether
//! or not the address already has an account elsewhere, so neither tells anyone who uses
//! Rapport; each account keeps its own password and sees only its own workspace. The
//! address's owner is told by mail instead, and invitations arrive by mail.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use system_tests::{PASSWORD, TestApp, assert_error, eventually, id, smtp::SmtpSink};
use uuid::Uuid;

use crate::common::{UNTHROTTLED, app_with, mailing_app, mails_to, read};

/// A server whose sign-up and sign-in are not throttled (these tests do many of each).
async fn app() -> TestApp {
    app_with(&UNTHROTTLED).await
}

/// The subjects and plain texts of the mails `sink` received for `address`.
fn texts_to(sink: &SmtpSink, address: &str) -> Vec<(String, String)> {
    mails_to(sink, address).iter().map(read).collect()
}

async fn signup(app: &TestApp, workspace: &str, email: &str, password: &str) -> (StatusCode, Value) {
    let body = json!({"workspace_name": workspace, "name": "Ana", "email": email, "password": password});
    app.call(Method::POST, "/signup", None, Some(body)).await
}

async fn signin(app: &TestApp, email: &str, password: &str, workspace_id: Option<Uuid>) -> (StatusCode, Value) {
    let mut body = json!({"email": email, "password": password});
    if let Some(workspace_id) = workspace_id {
        body["workspace_id"] = json!(workspace_id);
    }
    app.call(Method::POST, "/signin", None, Some(body)).await
}

/// The names of an answer's fields, nested, with the kind of each value: what an answer
/// tells apart from the values themselves.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(fields) => fields.iter().map(|(k, v)| (k.clone(), shape(v))).collect(),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => Value::Null,
    }
}

/// The account notices among them (Globex's team, Ana, also gets the offline message below).
fn notices_to(sink: &SmtpSink, address: &str) -> Vec<(String, String)> {
    let notice = |(subject, _): &(String, String)| subject.starts_with("Your address has a new Rapport account");
    texts_to(sink, address).into_iter().filter(notice).collect()
}

#[tokio::test]
async fn signing_up_answers_alike_whether_or_not_the_address_has_an_account() {
    let app = app().await;
    let (fresh_status, fresh) = signup(&app, "Acme", "ana@acme.test", PASSWORD).await;
    assert_eq!(fresh_status, StatusCode::CREATED, "{fresh}");
    // Emails are case-insensitive: another spelling is the same address.
    let (taken_status, taken) = signup(&app, "Globex", "ANA@acme.test", "another strong passphrase 42").await;
    assert_eq!(taken_status, StatusCode::CREATED, "{taken}");
    assert_eq!(shape(&fresh), shape(&taken));
    assert_ne!(fresh["workspace"]["id"], taken["workspace"]["id"]);
    assert_eq!(taken["agent"]["email"], "ana@acme.test");
    assert_eq!(taken["agent"]["role"], "owner");
    // Each account is its own: the second workspace sees only itself.
    let (_, agents) = app.get("/agents", taken["token"].as_str().unwrap()).await;
    let emails: Vec<&str> = agents["items"].as_array().unwrap().iter().map(|a| a["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["ana@acme.test"]);
}

#[tokio::test]
async fn adding_an_agent_answers_alike_whether_or_not_the_address_is_used_in_another_workspace() {
    let app = app().await;
    let acme = app.signup("Acme").await;
    let globex = app.signup("Globex").await;
    let add = |email: &str| json!({"name": "Bo", "email": email, "role": "agent"});
    let (fresh_status, fresh) = app.post("/agents", &acme.token, add("bo@nowhere.test")).await;
    assert_eq!(fresh_status, StatusCode::CREATED, "{fresh}");
    let (used_status, used) = app.post("/agents", &acme.token, add(&globex.email)).await;
    assert_eq!(used_status, StatusCode::CREATED, "{used}");
    assert_eq!(shape(&fresh), shape(&used));
    assert!(used["invitation_token"].is_string(), "{used}");
    // Within one workspace the admin sees the list anyway: a repeat is named.
    let (status, body) = app.post("/agents", &acme.token, add("BO@nowhere.test")).await;
    assert_error(status, &body, StatusCode::CONFLICT, "email_taken");

    // The invitation works although the address has an account in Globex: it becomes a
    // second account with its own password, and Globex's is untouched.
    let accept = json!({"token": used["invitation_token"], "password": "acme side passphrase 77"});
    let (status, session) = app.call(Method::POST, "/invitations/accept", None, Some(accept)).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), acme.id);
    let (status, session) = signin(&app, &globex.email, PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), globex.id);
    let (status, session) = signin(&app, &globex.email, "acme side passphrase 77", None).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), acme.id);
}

#[tokio::test]
async fn one_password_for_two_accounts_opens_the_latest_used_unless_a_workspace_is_named() {
    let app = app().await;
    let (_, first) = signup(&app, "First", "cy@both.test", PASSWORD).await;
    let (_, second) = signup(&app, "Second", "cy@both.test", PASSWORD).await;
    let first_id = id(&first["workspace"]["id"]);
    let second_id = id(&second["workspace"]["id"]);
    // The second sign-up's session is the newest.
    let (status, session) = signin(&app, "cy@both.test", PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), second_id);
    // Named, the first; then, the most recently used, it is the default.
    let (status, session) = signin(&app, "cy@both.test", PASSWORD, Some(first_id)).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), first_id);
    let (_, session) = signin(&app, "cy@both.test", PASSWORD, None).await;
    assert_eq!(id(&session["workspace"]["id"]), first_id);
    // A workspace the address has no account in opens nothing, like a wrong password.
    let (status, body) = signin(&app, "cy@both.test", PASSWORD, Some(Uuid::now_v7())).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = signin(&app, "cy@both.test", "not the passphrase at all", None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_deactivated_account_does_not_hide_the_active_one() {
    let app = app().await;
    let acme = app.signup("Acme").await;
    let globex = app.signup("Globex").await;
    // Dee is an agent of both, with one password; Acme deactivates her account.
    let dee = json!({"name": "Dee", "email": "dee@both.test", "role": "agent", "password": PASSWORD});
    let (_, in_acme) = app.post("/agents", &acme.token, dee.clone()).await;
    app.post("/agents", &globex.token, dee).await;
    let (_, acme_session) = signin(&app, "dee@both.test", PASSWORD, Some(acme.id)).await;
    assert!(acme_session["token"].is_string(), "{acme_session}");
    let (status, body) = app
        .patch(&format!("/agents/{}", in_acme["agent"]["id"].as_str().unwrap()), &acme.token, json!({"active": false}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, session) = signin(&app, "dee@both.test", PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), globex.id);
    let (status, body) = signin(&app, "dee@both.test", PASSWORD, Some(acme.id)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["message"].as_str().unwrap().contains("deactivated"), "{body}");
}

#[tokio::test]
async fn an_address_joins_at_most_five_workspaces() {
    let app = app().await;
    for n in 1..=5 {
        let (status, body) = signup(&app, &format!("Shop {n}"), "eve@many.test", PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED, "sign-up {n}: {body}");
    }
    let (status, body) = signup(&app, "Shop 6", "eve@many.test", PASSWORD).await;
    assert_error(status, &body, StatusCode::CONFLICT, "too_many_accounts");
    let owner = app.signup("Other").await;
    let (status, body) =
        app.post("/agents", &owner.token, json!({"name": "Eve", "email": "eve@many.test", "role": "agent"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "too_many_accounts");
    // The five accounts still work; the newest is the default.
    let (_, session) = signin(&app, "eve@many.test", PASSWORD, None).await;
    let (_, me) = app.get("/me", session["token"].as_str().unwrap()).await;
    assert_eq!(me["workspace"]["name"], "Shop 5");
}

#[tokio::test]
async fn an_invitation_is_mailed_with_the_link_that_signs_the_agent_in() {
    let sink = SmtpSink::start().await;
    let app = mailing_app(&sink, &UNTHROTTLED).await;
    let acme = app.signup("Acme").await;
    let (status, created) = app.post("/agents", &acme.token, json!({"name": "Bo", "email": "bo@acme.test"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (subject, text) = eventually("the invitation mail", || async { texts_to(&sink, "bo@acme.test").pop() }).await;
    assert_eq!(subject, "Owner invited you to Acme on Rapport");
    let link = format!("{}/console/?invitation=", app.address);
    let start = text.find(&link).unwrap_or_else(|| panic!("a link to {link}… in {text}")) + link.len();
    let token = text[start..].split_whitespace().next().unwrap().trim_end_matches(['>', ')']);
    assert_eq!(token, created["invitation_token"].as_str().unwrap(), "the mailed link carries the invitation");
    assert!(text.contains("works once, within 7 days"), "{text}");
    let accept = json!({"token": token, "password": "bo's own passphrase 31"});
    let (status, session) = app.call(Method::POST, "/invitations/accept", None, Some(accept)).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), acme.id);
}

#[tokio::test]
async fn an_address_getting_another_account_is_told_by_mail_and_a_new_address_is_not() {
    let sink = SmtpSink::start().await;
    let app = mailing_app(&sink, &UNTHROTTLED).await;
    signup(&app, "Acme", "ana@shared.test", PASSWORD).await;
    let (status, globex) = signup(&app, "Globex", "ana@shared.test", "globex side passphrase 5").await;
    assert_eq!(status, StatusCode::CREATED);
    let (subject, text) =
        eventually("the notice of a second account", || async { texts_to(&sink, "ana@shared.test").pop() }).await;
    assert_eq!(subject, "Your address has a new Rapport account in Globex");
    assert!(
        text.contains("A new workspace, Globex, was created on Rapport with your address ana@shared.test"),
        "{text}"
    );
    assert!(text.contains("your account in Acme is unchanged"), "{text}");
    // Globex's admins — whoever signed it up — cannot read the notice in their mail log:
    // its existence alone says the address has another account.
    let globex_token = globex["token"].as_str().unwrap();
    let (status, mail) = app.get("/mail", globex_token).await;
    assert_eq!(status, StatusCode::OK, "{mail}");
    assert_eq!(mail["items"], json!([]), "{mail}");
    // Nor by exporting a visitor of theirs who gives that address.
    let (_, site_key) = app.create_site(globex_token).await;
    let vera = app.visitor(&site_key).await;
    let offline = json!({"email": "ana@shared.test", "body": "Hello?", "client_msg_id": "o-1"});
    let (status, started) = app.post("/widget/offline-message", &vera, offline).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let (_, visitor) =
        app.get(&format!("/conversations/{}", started["conversation"]["id"].as_str().unwrap()), globex_token).await;
    let (status, export) =
        app.get(&format!("/visitors/{}/export", visitor["visitor_id"].as_str().unwrap()), globex_token).await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let kinds: Vec<&Value> = export["mail"].as_array().unwrap().iter().map(|m| &m["kind"]).collect();
    assert!(!kinds.contains(&&json!("account_notice")), "{kinds:?}");

    // An admin adding the address with a password: told too, naming both others.
    let initech = app.signup("Initech").await;
    let agent = json!({"name": "Ana", "email": "ana@shared.test", "password": "initech side passphrase 9"});
    let (status, body) = app.post("/agents", &initech.token, agent).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (subject, text) = eventually("the notice of a third account", || async {
        let notices = notices_to(&sink, "ana@shared.test");
        (notices.len() >= 2).then(|| notices[1].clone())
    })
    .await;
    assert_eq!(subject, "Your address has a new Rapport account in Initech");
    assert!(text.contains("An admin of Initech added your address ana@shared.test"), "{text}");
    assert!(text.contains("Globex") && text.contains("Acme"), "{text}");

    // Acme's sign-up, the first account of the address, mailed nothing; nor did Initech's.
    app.outbox_rounds_pass("mail", 3).await;
    assert_eq!(notices_to(&sink, "ana@shared.test").len(), 2);
    assert!(mails_to(&sink, &initech.email).is_empty());
}
