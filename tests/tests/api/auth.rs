//! Sign-up, sign-in, sessions, invitations and roles.

use crate::common::*;

fn signup_body(email: &str, password: &str) -> Value {
    json!({"workspace_name": "Acme", "name": "Ana", "email": email, "password": password})
}

async fn me(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.get("/me", token).await
}

#[tokio::test]
async fn signup_creates_a_workspace_and_sets_an_http_only_strict_cookie() {
    let app = spawn_app().await;
    let response =
        app.request(Method::POST, "/signup", None).json(&signup_body("ana@acme.test", PASSWORD)).send().await.unwrap();
    let cookie = response.headers().get("set-cookie").expect("Set-Cookie header").to_str().unwrap().to_owned();
    let (status, body) = json_of(response).await;

    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = token_of(&body);
    assert!(cookie.starts_with(&format!("rapport_session={token};")), "cookie does not carry the token: {cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert_eq!(body["agent"]["role"], "owner");
    assert_eq!(body["agent"]["email"], "ana@acme.test");
    assert_eq!(body["workspace"]["name"], "Acme");
    assert!(body["agent"].get("password_hash").is_none(), "the hash must never leave the server: {body}");
}

#[tokio::test]
async fn signup_with_an_address_used_elsewhere_makes_another_workspace() {
    // Asking must not tell whether an address has an account (tests/security/addresses.rs).
    let app = spawn_app().await;
    let first = app.signup("Acme").await;
    let (status, body) =
        app.call(Method::POST, "/signup", None, Some(signup_body(&first.email.to_uppercase(), PASSWORD))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_ne!(id(&body["workspace"]["id"]), first.id);
}

#[tokio::test]
async fn signup_is_refused_when_closed() {
    let app = spawn_app_with(AppOptions { signup_closed: true, ..AppOptions::default() }).await;
    let (status, body) = app.call(Method::POST, "/signup", None, Some(signup_body("ana@acme.test", PASSWORD))).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "signup_closed");
}

#[tokio::test]
async fn signup_with_a_short_password_names_the_field() {
    let app = spawn_app().await;
    let (status, body) = app.call(Method::POST, "/signup", None, Some(signup_body("ana@acme.test", "short"))).await;
    assert_invalid(status, &body, "password");
}

#[tokio::test]
async fn signin_returns_a_session_that_works_as_bearer() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;

    let (status, session) = signin(&app, &workspace.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["agent"]["id"]), workspace.owner_id);
    assert_eq!(id(&session["workspace"]["id"]), workspace.id);
    let token = token_of(&session);
    assert_ne!(token, workspace.token, "each sign-in opens its own session");

    let (status, body) = me(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(id(&body["agent"]["id"]), workspace.owner_id);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_indistinguishable() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;

    let (wrong_status, wrong) = signin(&app, &workspace.email, "not the password").await;
    let (unknown_status, unknown) = signin(&app, "nobody@acme.test", PASSWORD).await;
    assert_error(wrong_status, &wrong, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_error(unknown_status, &unknown, StatusCode::UNAUTHORIZED, "unauthorized");
    // Same answer either way, so sign-in cannot be used to find out who has an account.
    assert_eq!(wrong, unknown);
}

#[tokio::test]
async fn the_session_cookie_authenticates_like_the_bearer() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;

    let response = app
        .http
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("rapport_session={}", workspace.token))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(id(&body["agent"]["id"]), workspace.owner_id);
    assert_eq!(id(&body["workspace"]["id"]), workspace.id);

    let response =
        app.http.get(app.url("/api/v1/me")).header("cookie", "rapport_session=rps_forged").send().await.unwrap();
    let (status, body) = json_of(response).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn requests_without_credentials_are_unauthorized() {
    let app = spawn_app().await;
    let (status, body) = app.call(Method::GET, "/me", None, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn signout_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (_, other) = signin(&app, &workspace.email, PASSWORD).await;
    let other = token_of(&other);

    let response = app.request(Method::POST, "/signout", Some(&workspace.token)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cookie = response.headers().get("set-cookie").expect("Set-Cookie header").to_str().unwrap();
    assert!(cookie.starts_with("rapport_session=;") && cookie.contains("Max-Age=0"), "cookie not cleared: {cookie}");

    let (status, body) = me(&app, &workspace.token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    // Only the session used is ended: the agent's other sessions go on.
    let (status, body) = me(&app, &other).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_invited_agent_signs_in_only_after_accepting_once() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (agent_id, invitation) = invite_agent(&app, &workspace.token, "bo@acme.test").await;

    let (status, agent) = app.get(&format!("/agents/{agent_id}"), &workspace.token).await;
    assert_eq!(status, StatusCode::OK, "{agent}");
    assert_eq!(agent["has_password"], false);
    // No password yet: nothing to sign in with, not even an empty one.
    for password in ["", PASSWORD] {
        let (status, body) = signin(&app, "bo@acme.test", password).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }

    let accept = |password: &'static str| {
        let invitation = invitation.clone();
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/invitations/accept",
                None,
                Some(json!({"token": invitation, "password": password})),
            )
            .await
        }
    };
    let (status, body) = accept("short").await;
    assert_invalid(status, &body, "password");
    let (status, session) = accept("Bo's own long passphrase 7").await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["agent"]["id"]), agent_id);
    assert_eq!(session["agent"]["has_password"], true);
    let (status, body) = me(&app, &token_of(&session)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = accept("Another good passphrase 9").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = signin(&app, "bo@acme.test", "Bo's own long passphrase 7").await;
    assert_eq!(status, StatusCode::OK, "the first password stays: {body}");
    let (status, body) = signin(&app, "bo@acme.test", "Another good passphrase 9").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_deactivated_agent_is_signed_out_everywhere_and_cannot_sign_in() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (agent_id, agent_token) = agent_session(&app, &workspace.token, "bo@acme.test", "agent").await;

    let (status, agent) = app.patch(&format!("/agents/{agent_id}"), &workspace.token, json!({"active": false})).await;
    assert_eq!(status, StatusCode::OK, "{agent}");
    assert_eq!(agent["active"], false);

    let (status, body) = me(&app, &agent_token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = signin(&app, "bo@acme.test", PASSWORD).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

    // Reactivating lets them back in (with a new sign-in: old sessions stay ended).
    let (status, body) = app.patch(&format!("/agents/{agent_id}"), &workspace.token, json!({"active": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = me(&app, &agent_token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = signin(&app, "bo@acme.test", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_last_owner_can_be_neither_demoted_nor_deactivated() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let path = format!("/agents/{}", workspace.owner_id);

    for change in [json!({"role": "admin"}), json!({"role": "agent"}), json!({"active": false})] {
        let (status, body) = app.patch(&path, &workspace.token, change).await;
        assert_error(status, &body, StatusCode::CONFLICT, "last_owner");
    }
    let (_, owner) = app.get(&path, &workspace.token).await;
    assert_eq!(owner["role"], "owner");
    assert_eq!(owner["active"], true);

    // With a second owner, the first may step down.
    let (second, _) = agent_session(&app, &workspace.token, "co@acme.test", "owner").await;
    let (status, body) = app.patch(&path, &workspace.token, json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "admin");
    let (_, second) = app.get(&format!("/agents/{second}"), &workspace.token).await;
    assert_eq!(second["role"], "owner");
}

#[tokio::test]
async fn plain_agents_cannot_manage_the_workspace() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (_, agent_token) = agent_session(&app, &workspace.token, "bo@acme.test", "agent").await;

    let (status, body) = try_create_agent(&app, &agent_token, "eve@acme.test", "agent", Some(PASSWORD)).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) =
        app.patch(&format!("/agents/{}", workspace.owner_id), &agent_token, json!({"capacity": 1})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.post("/api-keys", &agent_token, json!({"name": "mine", "scope": "write"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.post("/teams", &agent_token, json!({"name": "Mine"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    // Nothing was created by the refused calls.
    let agents = list_ids(&app, "/agents", &workspace.token).await;
    assert_eq!(agents.len(), 2, "{agents:?}");
}

#[tokio::test]
async fn admins_cannot_touch_owners_or_create_them() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (_, admin_token) = agent_session(&app, &workspace.token, "ad@acme.test", "admin").await;

    let (status, body) = try_create_agent(&app, &admin_token, "boss@acme.test", "owner", Some(PASSWORD)).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) =
        app.patch(&format!("/agents/{}", workspace.owner_id), &admin_token, json!({"active": false})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    // Admins do manage plain agents.
    let (status, body) = try_create_agent(&app, &admin_token, "bo@acme.test", "agent", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn api_keys_cannot_act_as_an_agent() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (_, key) = api_key(&app, &workspace.token, "write").await;

    for (method, path) in [(Method::GET, "/me"), (Method::POST, "/signout")] {
        let (status, body) = app.call(method, path, Some(&key), None).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let (status, body) = app.post("/api-keys", &key, json!({"name": "child", "scope": "write"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
}
