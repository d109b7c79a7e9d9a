//! Accounts: changing one's password ends one's other sessions; sessions listed and ended
//! one by one; idle and absolute lifetimes; the password policy; owners protected from
//! admins; invitations that expire.
//!
//! Time passing is simulated by moving a session's or invitation's stored times back,
//! never by sleeping.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use system_tests::{PASSWORD, TestApp, assert_error, ws};

use crate::common::{UNTHROTTLED, app_with, millis_ago, sql};

/// A server whose sign-in is not throttled (these tests sign in often from one address).
async fn app() -> TestApp {
    app_with(&UNTHROTTLED).await
}

async fn signin_as(app: &TestApp, email: &str, password: &str, user_agent: &str) -> (StatusCode, Value) {
    let request = app
        .request(Method::POST, "/signin", None)
        .header("user-agent", user_agent)
        .json(&json!({"email": email, "password": password}));
    system_tests::json_of(request.send().await.unwrap()).await
}

async fn session(app: &TestApp, email: &str, password: &str) -> String {
    let (status, body) = signin_as(app, email, password, "test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

const NEW_PASSWORD: &str = "tangerine submarine kettle 88";

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_their_sockets() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let laptop = session(&app, &owner.email, PASSWORD).await;
    let phone = session(&app, &owner.email, PASSWORD).await;
    let mut phone_socket =
        ws::connect(&app.address, "/ws/agent", ws::Credential::Protocol(&phone), None).await.unwrap();

    // Wrong current password, weak or unchanged new one: refused, nothing changes.
    for (body, field) in [
        (json!({"current_password": "not it at all", "new_password": NEW_PASSWORD}), "current_password"),
        (json!({"current_password": PASSWORD, "new_password": "password123"}), "new_password"),
        (json!({"current_password": PASSWORD, "new_password": "owner@acme.test"}), "new_password"),
        (json!({"current_password": PASSWORD, "new_password": PASSWORD}), "new_password"),
    ] {
        let (status, answer) = app.post("/me/password", &laptop, body.clone()).await;
        assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(answer["field"], field, "{body}: {answer}");
    }
    assert_eq!(app.get("/me", &phone).await.0, StatusCode::OK);

    let (status, answer) =
        app.post("/me/password", &laptop, json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["sessions_ended"], 2, "the sign-up's session and the phone's: {answer}");
    // The laptop goes on; every other session is over, its socket closed at once.
    assert_eq!(app.get("/me", &laptop).await.0, StatusCode::OK);
    for other in [&phone, &owner.token] {
        let (status, body) = app.get("/me", other).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert!(matches!(phone_socket.closed().await, ws::Ended::Closed(4001, _)));
    // Only the new password signs in.
    assert_eq!(signin_as(&app, &owner.email, PASSWORD, "t").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(signin_as(&app, &owner.email, NEW_PASSWORD, "t").await.0, StatusCode::OK);
}

#[tokio::test]
async fn sessions_are_listed_to_their_agent_and_ended_one_by_one() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let (_, firefox) = signin_as(&app, &owner.email, PASSWORD, "Mozilla/5.0 Firefox/140.0").await;
    let (_, phone) = signin_as(&app, &owner.email, PASSWORD, "Rapport iOS 1.2").await;
    let (firefox, phone) = (firefox["token"].as_str().unwrap(), phone["token"].as_str().unwrap());
    // Another agent's sessions are theirs alone.
    let (status, bo) = app
        .post(
            "/agents",
            &owner.token,
            json!({"name": "Bo", "email": "bo@acme.test", "password": "Bo's own long passphrase 7"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{bo}");
    let bo = session(&app, "bo@acme.test", "Bo's own long passphrase 7").await;

    let (status, list) = app.get("/me/sessions", firefox).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "sign-up, Firefox, phone: {list}");
    assert_eq!(items[0]["user_agent"], "Rapport iOS 1.2", "newest first");
    assert_eq!(items[1]["user_agent"], "Mozilla/5.0 Firefox/140.0");
    assert_eq!(items[1]["current"], true);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(items[1]["ip_address"], "127.0.0.1");
    for item in items {
        assert!(item["idle_expires_at"].as_str().unwrap() <= item["expires_at"].as_str().unwrap(), "{item}");
    }
    let phone_id = items[0]["id"].as_str().unwrap().to_owned();
    let (_, bo_list) = app.get("/me/sessions", &bo).await;
    let bo_id = bo_list["items"][0]["id"].as_str().unwrap().to_owned();

    // Ending Bo's session from the owner's list: not theirs, not found, nothing ended.
    let (status, body) = app.call(Method::DELETE, &format!("/me/sessions/{bo_id}"), Some(firefox), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.get("/me", &bo).await.0, StatusCode::OK);
    // Ending the phone's: its token stops working at once, the rest go on.
    let mut phone_socket = ws::connect(&app.address, "/ws/agent", ws::Credential::Protocol(phone), None).await.unwrap();
    let (status, _) = app.call(Method::DELETE, &format!("/me/sessions/{phone_id}"), Some(firefox), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/me", phone).await.0, StatusCode::UNAUTHORIZED);
    assert!(matches!(phone_socket.closed().await, ws::Ended::Closed(4001, _)));
    assert_eq!(app.get("/me", firefox).await.0, StatusCode::OK);
    let (_, list) = app.get("/me/sessions", firefox).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // API keys have no sessions.
    let (_, key) = app.post("/api-keys", &owner.token, json!({"name": "CRM", "scope": "write"})).await;
    let (status, body) = app.get("/me/sessions", key["secret"].as_str().unwrap()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn sessions_end_when_unused_for_the_idle_lifetime_and_at_their_absolute_age() {
    let env = [
        ("RAPPORT_SESSION_IDLE_HOURS", "2"),
        ("RAPPORT_SESSION_MAX_DAYS", "3"),
        ("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0"),
    ];
    let app = app_with(&env).await;
    let owner = app.signup("Acme").await;
    let (_, signed_in) = signin_as(&app, &owner.email, PASSWORD, "t").await;
    // The absolute lifetime is what the session and its cookie say.
    let expires = chrono::DateTime::parse_from_rfc3339(signed_in["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.timestamp() - chrono::Utc::now().timestamp()) as f64 / 86_400.0;
    assert!((2.99..=3.0).contains(&days), "{days} days");
    let used = signed_in["token"].as_str().unwrap();

    // Unused for 1 h 50 min: still good, and using it moves `last_seen_at` forward.
    let agent = format!("(SELECT id FROM agents WHERE email = '{}')", owner.email);
    sql(&app, &format!("UPDATE sessions SET last_seen_at = {} WHERE agent_id = {agent}", millis_ago(110 * 60))).await;
    assert_eq!(app.get("/me", used).await.0, StatusCode::OK);
    let (_, list) = app.get("/me/sessions", used).await;
    let current = list["items"].as_array().unwrap().iter().find(|s| s["current"] == true).unwrap().clone();
    let seen = chrono::DateTime::parse_from_rfc3339(current["last_seen_at"].as_str().unwrap()).unwrap();
    assert!(chrono::Utc::now().timestamp() - seen.timestamp() < 60, "last seen just now: {current}");
    // The sign-up's session, untouched for 1 h 50 min too, stays listed…
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // …until it has been unused for over 2 h: then it is over, and no longer listed.
    sql(&app, &format!("UPDATE sessions SET last_seen_at = {} WHERE agent_id = {agent}", millis_ago(121 * 60))).await;
    let (status, body) = app.get("/me", &owner.token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(body["message"].as_str().unwrap().contains("without use"), "{body}");

    // However busy, a session ends at its absolute age.
    let busy = session(&app, &owner.email, PASSWORD).await;
    let (_, list) = app.get("/me/sessions", &busy).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "idle ones are not listed: {list}");
    sql(&app, &format!("UPDATE sessions SET expires_at = {} WHERE agent_id = {agent}", millis_ago(1000))).await;
    let (status, body) = app.get("/me", &busy).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
}

#[tokio::test]
async fn guessable_passwords_are_refused_everywhere_a_password_is_chosen() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    // Common, breached-pattern, keyboard, repeated — and built from the account itself.
    let common = ["aaaaaaaaaa", "Password1!", "qwertyuiop123", "1234567890", "iloveyou2024"];
    for weak in common.into_iter().chain(["acmeacme2026", "ana@acme.test"]) {
        let signup = json!({"workspace_name": "Acme", "name": "Ana", "email": "ana@acme.test", "password": weak});
        let (status, body) = app.call(Method::POST, "/signup", None, Some(signup)).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "password", "{weak}: {body}");
        assert!(body["message"].as_str().unwrap().contains("too easy to guess"), "{weak}: {body}");
    }
    for weak in common.into_iter().chain(["bo@acme.test"]) {
        let agent = json!({"name": "Bo", "email": "bo@acme.test", "password": weak});
        let (status, body) = app.post("/agents", &owner.token, agent).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "password", "{weak}: {body}");
    }
    // Nothing was created by the refusals.
    let (_, agents) = app.get("/agents", &owner.token).await;
    assert_eq!(agents["items"].as_array().unwrap().len(), 1);
    let (status, body) = app
        .call(Method::POST, "/signin", None, Some(json!({"email": "ana@acme.test", "password": "aaaaaaaaaa"})))
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn an_admin_cannot_rename_demote_or_deactivate_the_owner() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let (status, admin) = app
        .post(
            "/agents",
            &owner.token,
            json!({"name": "Adele", "email": "adele@acme.test", "role": "admin", "password": "Bo's own long passphrase 7"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{admin}");
    let admin_token = session(&app, "adele@acme.test", "Bo's own long passphrase 7").await;
    let path = format!("/agents/{}", owner.owner_id);
    for change in
        [json!({"name": "Mallory"}), json!({"role": "agent"}), json!({"active": false}), json!({"capacity": 1})]
    {
        let (status, body) = app.patch(&path, &admin_token, change.clone()).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    // Nor make themselves an owner.
    let (status, body) = app
        .patch(&format!("/agents/{}", admin["agent"]["id"].as_str().unwrap()), &admin_token, json!({"role": "owner"}))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, stored) = app.get(&path, &owner.token).await;
    assert_eq!(
        (stored["name"].as_str(), stored["role"].as_str(), stored["active"].as_bool()),
        (Some("Owner"), Some("owner"), Some(true))
    );
    // The owner may rename themselves.
    let (status, body) = app.patch(&path, &owner.token, json!({"name": "Olive"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Olive");
}

#[tokio::test]
async fn an_invitation_expires_after_a_week() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let (status, invited) = app.post("/agents", &owner.token, json!({"name": "Bo", "email": "bo@acme.test"})).await;
    assert_eq!(status, StatusCode::CREATED, "{invited}");
    let token = invited["invitation_token"].as_str().expect("an invitation token").to_owned();
    sql(&app, &format!("UPDATE agents SET invitation_expires_at = {} WHERE email = 'bo@acme.test'", millis_ago(1)))
        .await;
    let accept = json!({"token": token, "password": "Bo's own long passphrase 7"});
    let (status, body) = app.call(Method::POST, "/invitations/accept", None, Some(accept)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
}
