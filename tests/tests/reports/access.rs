//! What reports refuse, and who may read them.

use std::time::Duration;

use system_tests::ws::{self, Credential};

use crate::common::*;

const REPORTS: [&str; 7] =
    ["summary", "daily", "daily/csv", "busiest-hours", "busiest-hours/csv", "agents", "agents/csv"];

#[tokio::test]
async fn bad_ranges_are_refused_with_their_own_code() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    let cases = [
        ("from=2026-06-07&to=2026-06-01", "invalid_range", "to"),
        ("from=2025-01-01&to=2026-01-02", "range_too_long", "to"),
        ("from=2026-13-01&to=2026-12-31", "invalid_date", "from"),
        ("from=2026-06-01&to=tomorrow", "invalid_date", "to"),
        ("from=2026-06-01T00:00&to=2026-06-02", "invalid_date", "from"),
    ];
    for report in REPORTS {
        for (query, code, field) in cases {
            let (status, body) = shop.app.get(&format!("/reports/{report}?{query}"), &shop.token).await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, code);
            assert_eq!(body["field"], field, "{report}?{query}: {body}");
        }
    }
    // A malformed id is the framework's `malformed_request`; a well-formed unknown one 404s.
    let (status, body) = shop.app.get("/reports/summary?site_id=nope", &shop.token).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_request");
    for filter in ["site_id", "team_id", "agent_id"] {
        let (status, body) = shop.app.get(&format!("/reports/summary?{filter}={}", Uuid::now_v7()), &shop.token).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    // Without a range: the last 7 days, today included.
    let body = shop.report("summary").await;
    let today = chrono::NaiveDate::parse_from_str(body["range"]["today"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(body["range"]["to"], today.to_string());
    assert_eq!(body["range"]["from"], (today - chrono::Days::new(6)).to_string());
}

#[tokio::test]
async fn another_workspace_sees_none_of_it() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    shop.seed(&Seed { created_at: at("2026-06-01T09:00:00"), visitor_messages: 1, score: Some(5), ..Seed::default() })
        .await;
    let other = Shop::open_in(&shop.app, "Other").await;
    let week = "from=2026-06-01&to=2026-06-07";
    let mine = shop.report(&format!("summary?{week}")).await;
    assert_eq!(mine["conversations_started"], 1);
    let theirs = other.report(&format!("summary?{week}")).await;
    assert_eq!(theirs["conversations_started"], 0, "{theirs}");
    assert_eq!(theirs["csat"]["ratings"], 0);
    let agents = other.report(&format!("agents?{week}")).await;
    let ids: Vec<Uuid> = agents["agents"].as_array().unwrap().iter().map(|a| id(&a["agent_id"])).collect();
    assert!(!ids.contains(&shop.alice) && !ids.contains(&shop.owner_id), "{agents}");
    // Filtering by the first workspace's ids is as if they did not exist.
    for (filter, value) in [("site_id", shop.site), ("team_id", shop.team), ("agent_id", shop.alice)] {
        let (status, body) = other.app.get(&format!("/reports/summary?{week}&{filter}={value}"), &other.token).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn owners_admins_and_api_keys_read_reports_agents_do_not() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    let (_, agent_token) = plain_agent(&shop, "plain@shop.test").await;
    for report in REPORTS {
        let (status, body) = shop.app.get(&format!("/reports/{report}"), &agent_token).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = shop.app.call(Method::GET, &format!("/reports/{report}"), None, None).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let (status, key) = shop.app.post("/api-keys", &shop.token, json!({"name": "BI", "scope": "read"})).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let (status, body) = shop.app.get("/reports/summary", key["secret"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An admin may, too.
    let (status, _) = shop
        .app
        .post(
            "/agents",
            &shop.token,
            json!({"name": "Ada", "email": "ada@shop.test", "role": "admin", "password": PASSWORD, "capacity": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, session) = shop
        .app
        .call(Method::POST, "/signin", None, Some(json!({"email": "ada@shop.test", "password": PASSWORD})))
        .await;
    let (status, body) = shop.app.get("/reports/agents", session["token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_time_zone_is_validated_and_only_admins_set_it() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    let (status, me) = shop.app.get("/me", &shop.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["workspace"]["time_zone"], "UTC", "the default");

    for bad in ["Mars/Olympus_Mons", "", "Europe/Paris; DROP TABLE workspaces", "+02:00"] {
        let (status, body) = shop.app.patch("/workspace", &shop.token, json!({"time_zone": bad})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], "time_zone");
    }
    let (_, agent_token) = plain_agent(&shop, "plain@shop.test").await;
    let (status, body) = shop.app.patch("/workspace", &agent_token, json!({"time_zone": "Asia/Tokyo"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, me) = shop.app.get("/me", &shop.token).await;
    assert_eq!(me["workspace"]["time_zone"], "UTC", "refused changes store nothing");

    shop.set_time_zone("America/New_York").await;
    let (_, me) = shop.app.get("/me", &shop.token).await;
    assert_eq!(me["workspace"]["time_zone"], "America/New_York");
    // An empty update changes nothing.
    let (status, body) = shop.app.patch("/workspace", &shop.token, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["time_zone"], "America/New_York");
    let summary = shop.report("summary?from=2026-06-01&to=2026-06-01").await;
    assert_eq!(summary["range"]["time_zone"], "America/New_York");
}

#[tokio::test]
async fn a_console_connecting_and_leaving_is_logged_for_time_online() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    let email = "alice@shop.test";
    let (_, session) =
        shop.app.call(Method::POST, "/signin", None, Some(json!({"email": email, "password": PASSWORD}))).await;
    let token = session["token"].as_str().unwrap().to_owned();
    let mut socket =
        ws::connect(&shop.app.address, "/ws/agent", Credential::Protocol(&token), None).await.expect("agent socket");
    socket.recv().await; // hello
    wait_for(&shop, shop.alice, &["online"]).await;
    drop(socket);
    wait_for(&shop, shop.alice, &["online", "offline"]).await;
    // Today's agent table counts the (short) time online; it cannot be negative or absent.
    let agents = shop.report(&format!("agents?agent_id={}", shop.alice)).await;
    assert!(agents["agents"][0]["online_seconds"].as_i64().is_some_and(|s| s >= 0), "{agents}");
}

async fn wait_for(shop: &Shop, agent: Uuid, expected: &[&str]) {
    for _ in 0..100 {
        if shop.logged_statuses(agent).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the status log never became {expected:?}: {:?}", shop.logged_statuses(agent).await);
}
