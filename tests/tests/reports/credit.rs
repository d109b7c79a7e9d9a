//! Who the per-agent report credits: every agent who handled a conversation (replied to
//! the visitor, or resolved it), so a conversation handed over after a requeue or a
//! transfer counts for each of them; and first responses in business time.

use crate::common::*;

const WEEK: &str = "from=2026-06-01&to=2026-06-07";

fn row(report: &Value, agent: Uuid) -> &Value {
    report["agents"].as_array().unwrap().iter().find(|a| a["agent_id"] == json!(agent)).expect("the agent's row")
}

#[tokio::test]
async fn a_conversation_handed_over_after_a_requeue_counts_for_both_agents() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    let (alice, bob) = (shop.alice, shop.bob);
    // h1: Alice answered in 30 s, went offline, the conversation was requeued and Bob took
    // it, replied after 5 min and resolved it; rated 5. Bob holds it now.
    shop.seed(&Seed {
        created_at: at("2026-06-01T09:00:00"),
        assignee: Some(bob),
        assigned_after: Some(5),
        replied_after: Some(30),
        resolved_after: Some(900),
        resolved_by: Some(bob),
        replies_by: vec![(alice, 30), (bob, 300)],
        score: Some(5),
        visitor_messages: 2,
        ..Seed::default()
    })
    .await;
    // h2: Alice alone, answered in 60 s, resolved by her; rated 2.
    shop.seed(&Seed {
        created_at: at("2026-06-02T10:00:00"),
        assignee: Some(alice),
        assigned_after: Some(10),
        replied_after: Some(60),
        resolved_after: Some(600),
        resolved_by: Some(alice),
        agent_messages: 2,
        score: Some(2),
        visitor_messages: 1,
        ..Seed::default()
    })
    .await;
    // h3: Bob answered in 120 s, then transferred it to Alice, who replied and holds it.
    shop.seed(&Seed {
        created_at: at("2026-06-03T11:00:00"),
        assignee: Some(alice),
        assigned_after: Some(20),
        replied_after: Some(120),
        replies_by: vec![(bob, 120), (alice, 400)],
        visitor_messages: 1,
        ..Seed::default()
    })
    .await;
    // h4: nobody answered; Bob resolved it (a missed conversation, still his to answer for).
    shop.seed(&Seed {
        created_at: at("2026-06-04T12:00:00"),
        resolved_after: Some(3600),
        resolved_by: Some(bob),
        visitor_messages: 1,
        ..Seed::default()
    })
    .await;

    let report = shop.report(&format!("agents?{WEEK}")).await;
    let a = row(&report, alice);
    assert_eq!(
        (a["conversations_handled"].as_u64(), a["replied"].as_u64(), a["resolved"].as_u64()),
        (Some(3), Some(3), Some(1)),
        "Alice: h1, h2, h3 replied; h2 resolved: {a}"
    );
    // Her first responses: h1 (30 s) and h2 (60 s); h3's first reply was Bob's.
    assert_eq!(a["median_first_response_seconds"], 30);
    assert_eq!(a["csat"], json!({"ratings": 2, "good": 1, "good_share": 0.5}));
    let b = row(&report, bob);
    assert_eq!(
        (b["conversations_handled"].as_u64(), b["replied"].as_u64(), b["resolved"].as_u64()),
        (Some(3), Some(2), Some(2)),
        "Bob: h1 and h3 replied; h1 and h4 resolved: {b}"
    );
    // His only first response: h3 after 120 s.
    assert_eq!(b["median_first_response_seconds"], 120);
    assert_eq!(b["csat"], json!({"ratings": 1, "good": 1, "good_share": 1.0}));
    let owner = row(&report, shop.owner_id);
    assert_eq!((owner["conversations_handled"].as_u64(), owner["replied"].as_u64()), (Some(0), Some(0)));
    // The summary still counts each conversation once.
    assert_eq!(shop.report(&format!("summary?{WEEK}")).await["conversations_started"], 4);
}

#[tokio::test]
async fn resolving_and_replying_through_the_api_credit_whoever_did_it() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    let (alice_id, alice) = create_agent(&shop.app, &shop.token, "Alicia", "alicia@shop.test", "agent").await;
    let (bob_id, bob) = create_agent(&shop.app, &shop.token, "Bobby", "bobby@shop.test", "agent").await;
    let (_, site_key) = shop.app.create_site(&shop.token).await;
    let start = |text: &'static str| {
        let app = shop.app.clone();
        let site_key = site_key.clone();
        async move {
            let visitor = app.visitor(&site_key).await;
            let conversation = app.start_conversation(&visitor, text).await;
            (visitor, conversation)
        }
    };
    let reply = |token: String, c: Uuid, text: &'static str| {
        let app = shop.app.clone();
        async move {
            let (status, body) = app.post(&format!("/conversations/{c}/messages"), &token, json!({"body": text})).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    };
    let act = |token: String, c: Uuid, changes: Value| {
        let app = shop.app.clone();
        async move {
            let (status, body) = app.patch(&format!("/conversations/{c}"), &token, changes).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    let claim = |token: String, c: Uuid| {
        let app = shop.app.clone();
        async move {
            let (status, body) = app.post(&format!("/conversations/{c}/claim"), &token, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };

    // A: Alicia claims and replies; back to the queue; Bobby claims, replies, resolves.
    let (visitor_a, a) = start("My parcel is late").await;
    claim(alice.clone(), a).await;
    reply(alice.clone(), a, "Checking with the carrier.").await;
    act(shop.token.clone(), a, json!({"unassign": true})).await;
    claim(bob.clone(), a).await;
    reply(bob.clone(), a, "It ships today.").await;
    act(bob.clone(), a, json!({"status": "resolved"})).await;
    // B: Alicia claims, replies, resolves. A note is not a reply.
    let (visitor_b, b) = start("Wrong size").await;
    claim(alice.clone(), b).await;
    let (status, body) =
        shop.app.post(&format!("/conversations/{b}/messages"), &bob, json!({"body": "VIP", "kind": "note"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    reply(alice.clone(), b, "Exchange sent.").await;
    act(alice.clone(), b, json!({"status": "resolved"})).await;
    // C: nobody answers; Bobby resolves it.
    let (_, c) = start("Hello?").await;
    act(bob.clone(), c, json!({"status": "resolved"})).await;
    // The visitors rate A and B.
    for (visitor, conversation, score) in [(&visitor_a, a, 5), (&visitor_b, b, 2)] {
        let (status, body) = shop
            .app
            .call(
                Method::POST,
                &format!("/widget/conversations/{conversation}/rating"),
                Some(visitor),
                Some(json!({"score": score})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let report = shop.report("agents").await;
    let a_row = row(&report, alice_id);
    assert_eq!(
        (a_row["conversations_handled"].as_u64(), a_row["replied"].as_u64(), a_row["resolved"].as_u64()),
        (Some(2), Some(2), Some(1)),
        "{a_row}"
    );
    assert_eq!(a_row["csat"], json!({"ratings": 2, "good": 1, "good_share": 0.5}));
    assert!(a_row["median_first_response_seconds"].is_i64(), "she answered A and B first: {a_row}");
    let b_row = row(&report, bob_id);
    assert_eq!(
        (b_row["conversations_handled"].as_u64(), b_row["replied"].as_u64(), b_row["resolved"].as_u64()),
        (Some(2), Some(1), Some(2)),
        "{b_row}"
    );
    assert_eq!(b_row["csat"], json!({"ratings": 1, "good": 1, "good_share": 1.0}));
    assert!(b_row.get("median_first_response_seconds").is_none(), "he never answered first: {b_row}");
}

#[tokio::test]
async fn first_responses_can_count_business_hours_only() {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    // Weekdays 09:00–17:00 UTC (the workspace's zone).
    let hours: Vec<Value> = (1..=5).map(|day| json!({"weekday": day, "opens": "09:00", "closes": "17:00"})).collect();
    let (status, body) = shop
        .app
        .call(
            Method::PUT,
            &format!("/sites/{}/business-hours", shop.site),
            Some(&shop.token),
            Some(json!({"enabled": true, "hours": hours, "holidays": []})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Friday 16:30, answered Monday 09:30: 65 hours on the clock, one in business time.
    shop.seed(&Seed {
        created_at: at("2026-06-05T16:30:00"),
        assignee: Some(shop.alice),
        replied_after: Some(65 * 3600),
        agent_messages: 1,
        visitor_messages: 1,
        ..Seed::default()
    })
    .await;
    // Tuesday 10:00 answered at 10:02: two minutes either way.
    shop.seed(&Seed {
        created_at: at("2026-06-02T10:00:00"),
        assignee: Some(shop.alice),
        replied_after: Some(120),
        agent_messages: 1,
        visitor_messages: 1,
        ..Seed::default()
    })
    .await;
    let range = "from=2026-06-01&to=2026-06-07";
    let clock = shop.report(&format!("summary?{range}")).await;
    assert_eq!(clock["first_response"], json!({"count": 2, "median_seconds": 120, "p90_seconds": 234_000}));
    let business = shop.report(&format!("summary?{range}&business_hours=true")).await;
    assert_eq!(business["first_response"], json!({"count": 2, "median_seconds": 120, "p90_seconds": 3600}));
    let agents = shop.report(&format!("agents?{range}&business_hours=true")).await;
    assert_eq!(row(&agents, shop.alice)["median_first_response_seconds"], 120);
    let daily = shop.report(&format!("daily?{range}&business_hours=true")).await;
    let friday = daily["days"].as_array().unwrap().iter().find(|d| d["date"] == "2026-06-05").unwrap();
    assert_eq!(friday["median_first_response_seconds"], 3600);
}
