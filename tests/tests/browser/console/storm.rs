//! A busy workspace: 500 open conversations load with a handful of requests (each
//! visitor fetched once, in batches), none refused by the rate limit, and the console
//! keeps it that way as the socket announces more.

use std::collections::BTreeMap;

use super::stage::*;

const CONVERSATIONS: usize = 500;

/// Requests the server answered so far, by status class, from its own `/metrics`.
async fn answered(s: &Stage) -> BTreeMap<String, u64> {
    let text = s
        .app
        .http
        .get(format!("{}/metrics", s.app.address))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut counts = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("rapport_http_request_duration_seconds_count{")) {
        let status = line.split("status=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or("?");
        let count: u64 = line.rsplit(' ').next().and_then(|n| n.parse::<f64>().ok()).unwrap_or(0.0) as u64;
        *counts.entry(status.to_owned()).or_default() += count;
    }
    counts
}

fn difference(after: &BTreeMap<String, u64>, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after.iter().map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0))).filter(|(_, v)| *v > 0).collect()
}

/// Starts a named visitor's conversation over the widget API, and names the visitor with
/// the owner's sign-up session (not the console's: each session has its own rate limit).
async fn seed(s: &Stage, n: usize) {
    let (status, session) =
        s.app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": s.site_key}))).await;
    assert_eq!(status, 200, "{session}");
    let token = session["visitor_token"].as_str().unwrap();
    let visitor = id(&session["visitor_id"]);
    s.app.start_conversation(token, &format!("Question number {n}")).await;
    let (status, body) = s
        .app
        .patch(&format!("/visitors/{visitor}"), &s.workspace.token, json!({"name": format!("Customer {n:03}")}))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn five_hundred_open_conversations_load_with_a_handful_of_requests_and_none_refused() {
    let s = stage().await;
    for chunk in (0..CONVERSATIONS).collect::<Vec<_>>().chunks(25) {
        futures_util::future::join_all(chunk.iter().map(|n| seed(&s, *n))).await;
    }

    let before = answered(&s).await;
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    s.wait(
        "every conversation in the queue, with its visitor's name",
        &format!(
            "const names = Array.from(document.querySelectorAll('[data-list=queue] .conv-name'));
             return names.length === {CONVERSATIONS} && names.every(n => n.textContent.startsWith('Customer '))
                 && document.querySelector('[data-count=queue]')?.textContent === '{CONVERSATIONS}'"
        ),
    )
    .await;
    let loaded = difference(&answered(&s).await, &before);
    // What the browser asked for, by path (resource timing holds 250 entries: a storm
    // would fill it, and the server's count below would show it anyway).
    let paths = s
        .js("const counts = {};
             for (const e of performance.getEntriesByType('resource')) {
                 const path = new URL(e.name).pathname.replace(/[0-9a-f-]{36}/g, '{id}');
                 counts[path] = (counts[path] || 0) + 1;
             }
             return counts")
        .await;
    // Less this test's own scrape before the reload.
    let total: u64 = loaded.values().sum::<u64>().saturating_sub(1);
    assert!(total > 0, "the server counted the console's requests: {loaded:?}");
    println!("requests while loading {CONVERSATIONS} conversations: {total} {loaded:?}; by path {paths}");
    assert!(!loaded.contains_key("4xx") && !loaded.contains_key("5xx"), "refused or failed requests: {loaded:?}");
    let visitor_requests = paths["/api/v1/visitors"].as_u64().unwrap_or(0);
    assert!(visitor_requests <= 7, "visitors came in {visitor_requests} requests: {paths}");
    assert!(total <= 60, "{total} requests for {CONVERSATIONS} conversations on screen: {loaded:?} {paths}");
    s.browser.screenshot("console-busy-queue").await;

    // New conversations announced by the socket: one batch each, still nothing refused.
    let before = answered(&s).await;
    for n in CONVERSATIONS..CONVERSATIONS + 3 {
        seed(&s, n).await;
    }
    s.wait(
        "the new conversations with their names",
        &format!(
            "const names = Array.from(document.querySelectorAll('[data-list=queue] .conv-name')).map(n => n.textContent);
             return names.length === {} && names.every(n => n.startsWith('Customer '))",
            CONVERSATIONS + 3
        ),
    )
    .await;
    let later = difference(&answered(&s).await, &before);
    // The seeding itself made 3 requests per visitor (session, start, name).
    let console = later.values().sum::<u64>().saturating_sub(3 * 3 + 1);
    println!("requests for 3 announced conversations: {console} ({later:?})");
    assert!(!later.contains_key("4xx") && !later.contains_key("5xx"), "{later:?}");
    assert!(console <= 9, "{console} requests for 3 new conversations: {later:?}");
}
