//! The audit log: every change to agents, roles, keys, webhooks, sites and settings is
//! recorded with who made it, what changed (before and after) and from where; owners and
//! admins read it, nobody else; no secret ever appears in it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use system_tests::{AppOptions, TestApp, assert_error, spawn_app_with};

async fn app() -> TestApp {
    let env = [("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0")];
    spawn_app_with(AppOptions {
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..AppOptions::default()
    })
    .await
}

const ADA_PASSWORD: &str = "Bo's own long passphrase 7";

async fn log(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("/audit-log?limit=200{query}"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_change_is_recorded_with_who_what_and_where() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let other = app.signup("Globex").await;

    // Agents and roles.
    let (_, ada) = app
        .post(
            "/agents",
            &owner.token,
            json!({"name": "Ada", "email": "ada@acme.test", "role": "admin", "password": ADA_PASSWORD}),
        )
        .await;
    let ada_id = ada["agent"]["id"].as_str().unwrap().to_owned();
    let (_, bo) = app.post("/agents", &owner.token, json!({"name": "Bo", "email": "bo@acme.test"})).await;
    let bo_id = bo["agent"]["id"].as_str().unwrap().to_owned();
    let (_, session) = app
        .call(Method::POST, "/signin", None, Some(json!({"email": "ada@acme.test", "password": ADA_PASSWORD})))
        .await;
    let ada_token = session["token"].as_str().unwrap().to_owned();
    let (status, _) = app.patch(&format!("/agents/{bo_id}"), &ada_token, json!({"role": "admin", "capacity": 7})).await;
    assert_eq!(status, StatusCode::OK);
    // Keys, webhooks, sites, settings.
    let (_, key) = app.post("/api-keys", &owner.token, json!({"name": "CRM", "scope": "write"})).await;
    let key_id = key["api_key"]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api-keys/{key_id}/revoke"), &owner.token, json!({})).await;
    let (status, hook) = app
        .post("/webhooks", &owner.token, json!({"url": "http://93.184.216.34/hook", "events": ["message.created"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let hook_id = hook["webhook"]["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/webhooks/{hook_id}"), &owner.token, json!({"enabled": false})).await;
    app.post(&format!("/webhooks/{hook_id}/rotate-secret"), &owner.token, json!({})).await;
    app.call(Method::DELETE, &format!("/webhooks/{hook_id}"), Some(&owner.token), None).await;
    let (site_id, _) = app.create_site(&owner.token).await;
    app.patch(&format!("/sites/{site_id}"), &owner.token, json!({"greeting": "Hello there"})).await;
    app.patch(&format!("/sites/{site_id}/mail-settings"), &owner.token, json!({"notify_email": "team@acme.test"}))
        .await;
    app.call(Method::DELETE, &format!("/sites/{site_id}"), Some(&owner.token), None).await;
    app.patch("/workspace", &owner.token, json!({"time_zone": "Europe/Paris"})).await;
    let (status, _) = app
        .post(
            "/me/password",
            &ada_token,
            json!({"current_password": ADA_PASSWORD, "new_password": "tangerine submarine kettle 88"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let entries = log(&app, &owner.token, "").await;
    let actions: Vec<&str> = entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "agent_created",
            "agent_invited",
            "agent_updated",
            "api_key_created",
            "api_key_revoked",
            "webhook_created",
            "webhook_updated",
            "webhook_secret_rotated",
            "webhook_deleted",
            "site_created",
            "site_updated",
            "site_mail_settings_updated",
            "site_deleted",
            "workspace_updated",
            "password_changed",
        ]
    );
    // Who, what, from where: Ada made Bo an admin.
    let promoted = entries.iter().find(|e| e["action"] == "agent_updated").unwrap();
    assert_eq!(promoted["actor_kind"], "agent");
    assert_eq!(promoted["actor_id"], json!(ada_id));
    assert_eq!(promoted["actor_name"], "Ada <ada@acme.test>");
    assert_eq!(promoted["target_kind"], "agent");
    assert_eq!(promoted["target_id"], json!(bo_id));
    assert_eq!(promoted["ip_address"], "127.0.0.1");
    assert_eq!(
        promoted["changes"],
        json!([
            {"field": "capacity", "from": "5", "to": "7"},
            {"field": "role", "from": "\"agent\"", "to": "\"admin\""},
        ])
    );
    assert!(promoted["summary"].as_str().unwrap().contains("Bo <bo@acme.test>"), "{promoted}");
    let zone = entries.iter().find(|e| e["action"] == "workspace_updated").unwrap();
    assert_eq!(zone["changes"], json!([{"field": "time_zone", "from": "\"UTC\"", "to": "\"Europe/Paris\""}]));
    // No secret anywhere: not the key (its public prefix is fine), not the webhook's, not a
    // password or an invitation token.
    let text = serde_json::to_string(&entries).unwrap();
    for secret in [key["secret"].as_str().unwrap(), hook["secret"].as_str().unwrap(), ADA_PASSWORD, "rpi_", "whsec_"] {
        assert!(!text.contains(secret), "{secret} leaked into the audit log");
    }
    // Filters.
    let about_bo = log(&app, &owner.token, &format!("&target_id={bo_id}")).await;
    assert_eq!(
        about_bo.iter().map(|e| e["action"].as_str().unwrap()).collect::<Vec<_>>(),
        ["agent_updated", "agent_invited"]
    );
    let revoked = log(&app, &ada_token, "&action=api_key_revoked").await;
    assert_eq!(revoked.len(), 1, "admins read it too");
    // Another workspace sees none of it, and its own changes stay its own.
    assert!(log(&app, &other.token, "").await.is_empty());
}

#[tokio::test]
async fn only_owners_and_admins_read_the_audit_log() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    app.post("/agents", &owner.token, json!({"name": "Cy", "email": "cy@acme.test", "password": ADA_PASSWORD})).await;
    let (_, session) =
        app.call(Method::POST, "/signin", None, Some(json!({"email": "cy@acme.test", "password": ADA_PASSWORD}))).await;
    let (status, body) = app.get("/audit-log", session["token"].as_str().unwrap()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, key) = app.post("/api-keys", &owner.token, json!({"name": "CRM", "scope": "write"})).await;
    let (status, body) = app.get("/audit-log", key["secret"].as_str().unwrap()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, _) = app.call(Method::GET, "/audit-log", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
