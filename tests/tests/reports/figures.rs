//! Every figure of every report, checked exactly against seeded conversations, in UTC and
//! in Europe/Paris (UTC+2 in June), with filters and an empty range.

use crate::common::*;

/// The week of Monday 2026-06-01 to Sunday 2026-06-07.
const WEEK: &str = "from=2026-06-01&to=2026-06-07";

/// Seeds the week: six conversations in UTC, one just before it (inside it in Paris) and
/// one another workspace started, which no report of this one may count.
async fn seeded_week() -> Shop {
    let shop = Shop::open(spawn_app().await, "Shop").await;
    let (alice, bob) = (Some(shop.alice), Some(shop.bob));
    // c1: Alice, queued 10 s, answered in 30 s, resolved after 10 min, rated 5.
    shop.seed(&Seed {
        created_at: at("2026-06-01T09:00:00"),
        assignee: alice,
        assigned_after: Some(10),
        replied_after: Some(30),
        resolved_after: Some(600),
        score: Some(5),
        visitor_messages: 3,
        agent_messages: 2,
        notes: 1,
        ..Seed::default()
    })
    .await;
    // c2: Alice, queued 20 s, answered in 90 s, still open, rated 2.
    shop.seed(&Seed {
        created_at: at("2026-06-01T09:05:00"),
        assignee: alice,
        assigned_after: Some(20),
        replied_after: Some(90),
        score: Some(2),
        visitor_messages: 1,
        agent_messages: 1,
        ..Seed::default()
    })
    .await;
    // c3: Bob, for the Billing team, queued 40 s, answered in 200 s, resolved after 20 min, rated 4.
    shop.seed(&Seed {
        created_at: at("2026-06-02T14:00:00"),
        assignee: bob,
        team: Some(shop.team),
        assigned_after: Some(40),
        replied_after: Some(200),
        resolved_after: Some(1200),
        score: Some(4),
        visitor_messages: 2,
        agent_messages: 1,
        notes: 2,
        ..Seed::default()
    })
    .await;
    // c4: 23:30 UTC on Wednesday (01:30 Thursday in Paris); resolved unanswered: missed.
    shop.seed(&Seed {
        created_at: at("2026-06-03T23:30:00"),
        resolved_after: Some(300),
        visitor_messages: 1,
        ..Seed::default()
    })
    .await;
    // c5: on the other site, unanswered and open: waiting.
    shop.seed(&Seed {
        created_at: at("2026-06-04T10:00:00"),
        site: Some(shop.other_site),
        visitor_messages: 1,
        ..Seed::default()
    })
    .await;
    // c6: Sunday 23:30 UTC before the week (01:30 Monday in Paris), waiting.
    shop.seed(&Seed { created_at: at("2026-05-31T23:30:00"), visitor_messages: 1, ..Seed::default() }).await;
    // c7: Sunday 22:30 UTC (00:30 Monday after the week in Paris): Bob, answered after 4000 s.
    shop.seed(&Seed {
        created_at: at("2026-06-07T22:30:00"),
        assignee: bob,
        assigned_after: Some(100),
        replied_after: Some(4000),
        visitor_messages: 1,
        agent_messages: 1,
        ..Seed::default()
    })
    .await;
    // Alice: online 08:00–12:00 on Monday, away, online 08:00–09:30 on Tuesday.
    shop.status_change(shop.alice, "online", at("2026-06-01T08:00:00")).await;
    shop.status_change(shop.alice, "away", at("2026-06-01T12:00:00")).await;
    shop.status_change(shop.alice, "online", at("2026-06-02T08:00:00")).await;
    shop.status_change(shop.alice, "offline", at("2026-06-02T09:30:00")).await;
    // Bob: online from 20:00 UTC on Sunday before the week to 02:00 on Monday.
    shop.status_change(shop.bob, "online", at("2026-05-31T20:00:00")).await;
    shop.status_change(shop.bob, "offline", at("2026-06-01T02:00:00")).await;

    // Another tenant in the same database, busy the same week.
    let other = Shop::open_in(&shop.app, "Other").await;
    for day in 1..=7 {
        other
            .seed(&Seed {
                created_at: at(&format!("2026-06-0{day}T09:00:00")),
                assignee: Some(other.alice),
                assigned_after: Some(1),
                replied_after: Some(5),
                resolved_after: Some(50),
                score: Some(1),
                visitor_messages: 4,
                agent_messages: 4,
                ..Seed::default()
            })
            .await;
    }
    shop
}

fn stats(count: u64, median: i64, p90: i64) -> Value {
    json!({"count": count, "median_seconds": median, "p90_seconds": p90})
}

#[tokio::test]
async fn summary_counts_every_figure_exactly() {
    let shop = seeded_week().await;
    let summary = shop.report(&format!("summary?{WEEK}")).await;
    assert_eq!(
        summary["range"],
        json!({"from": "2026-06-01", "to": "2026-06-07", "time_zone": "UTC", "today": summary["range"]["today"]})
    );
    assert_eq!(summary["conversations_started"], 6, "{summary}");
    assert_eq!(summary["answered"], 4);
    assert_eq!(summary["missed"], 1);
    assert_eq!(summary["waiting"], 1);
    // First responses 30, 90, 200, 4000 s: nearest-rank median is the 2nd, p90 the 4th.
    assert_eq!(summary["first_response"], stats(4, 90, 4000));
    // Resolutions 300, 600, 1200 s.
    assert_eq!(summary["resolution"], stats(3, 600, 1200));
    // Queue waits 10, 20, 40, 100 s.
    assert_eq!(summary["queue_wait"], stats(4, 20, 100));
    // 5 + 2 + 3 + 1 + 1 + 2 visitor and agent messages; notes and system lines excluded.
    assert_eq!(summary["messages"], 14);
    assert_eq!(summary["messages_per_conversation"], 2.33);
    assert_eq!(summary["csat"], json!({"ratings": 3, "good": 2, "good_share": 0.6667}));
    let buckets: Vec<(String, u64)> = summary["first_response_distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["label"].as_str().unwrap().to_owned(), b["conversations"].as_u64().unwrap()))
        .collect();
    let expected = [
        ("< 30 s", 0),
        ("30 s–1 min", 1),
        ("1–2 min", 1),
        ("2–5 min", 1),
        ("5–15 min", 0),
        ("15–60 min", 0),
        ("≥ 1 h", 1),
    ];
    assert_eq!(buckets, expected.map(|(l, n)| (l.to_owned(), n)).to_vec());
    assert_eq!(summary["first_response_distribution"][6]["from_seconds"], 3600);
    assert!(summary["first_response_distribution"][6].get("to_seconds").is_none());
}

#[tokio::test]
async fn daily_rows_and_busiest_hours_follow_the_time_zone() {
    let shop = seeded_week().await;
    let daily = shop.report(&format!("daily?{WEEK}")).await;
    let days = daily["days"].as_array().unwrap();
    assert_eq!(days.len(), 7, "every day, empty ones too: {daily}");
    let row = |d: &Value| {
        (
            d["date"].as_str().unwrap().to_owned(),
            d["conversations_started"].as_u64().unwrap(),
            d["answered"].as_u64().unwrap(),
            d["missed"].as_u64().unwrap(),
            d["ratings"].as_u64().unwrap(),
            d["good_ratings"].as_u64().unwrap(),
            d["median_first_response_seconds"].as_i64(),
        )
    };
    let utc: Vec<_> = days.iter().map(row).collect();
    assert_eq!(
        utc,
        vec![
            ("2026-06-01".into(), 2, 2, 0, 2, 1, Some(30)),
            ("2026-06-02".into(), 1, 1, 0, 1, 1, Some(200)),
            ("2026-06-03".into(), 1, 0, 1, 0, 0, None),
            ("2026-06-04".into(), 1, 0, 0, 0, 0, None),
            ("2026-06-05".into(), 0, 0, 0, 0, 0, None),
            ("2026-06-06".into(), 0, 0, 0, 0, 0, None),
            ("2026-06-07".into(), 1, 1, 0, 0, 0, Some(4000)),
        ]
    );
    let hours = shop.report(&format!("busiest-hours?{WEEK}")).await;
    let mut expected = vec![vec![0u64; 24]; 7];
    expected[0][9] = 2; // Monday 09:00 and 09:05
    expected[1][14] = 1;
    expected[2][23] = 1; // Wednesday 23:30
    expected[3][10] = 1;
    expected[6][22] = 1;
    assert_eq!(hours["weekdays"], json!(expected));
    assert_eq!(hours["max"], 2);

    // In Paris (UTC+2) the week starts two hours earlier: the Sunday 23:30 UTC conversation
    // is in (Monday 01:30), the last one is out (Monday 00:30 after the week), and 23:30 UTC
    // on Wednesday is 01:30 on Thursday.
    shop.set_time_zone("Europe/Paris").await;
    let daily = shop.report(&format!("daily?{WEEK}")).await;
    assert_eq!(daily["range"]["time_zone"], "Europe/Paris");
    let paris: Vec<_> = daily["days"].as_array().unwrap().iter().map(row).collect();
    assert_eq!(
        paris,
        vec![
            ("2026-06-01".into(), 3, 2, 0, 2, 1, Some(30)),
            ("2026-06-02".into(), 1, 1, 0, 1, 1, Some(200)),
            ("2026-06-03".into(), 0, 0, 0, 0, 0, None),
            ("2026-06-04".into(), 2, 0, 1, 0, 0, None),
            ("2026-06-05".into(), 0, 0, 0, 0, 0, None),
            ("2026-06-06".into(), 0, 0, 0, 0, 0, None),
            ("2026-06-07".into(), 0, 0, 0, 0, 0, None),
        ]
    );
    let hours = shop.report(&format!("busiest-hours?{WEEK}")).await;
    let mut expected = vec![vec![0u64; 24]; 7];
    expected[0][1] = 1;
    expected[0][11] = 2;
    expected[1][16] = 1;
    expected[3][1] = 1;
    expected[3][12] = 1;
    assert_eq!(hours["weekdays"], json!(expected));
    let summary = shop.report(&format!("summary?{WEEK}")).await;
    assert_eq!(summary["conversations_started"], 6);
    assert_eq!(summary["waiting"], 2);
    assert_eq!(summary["first_response"], stats(3, 90, 200));
}

#[tokio::test]
async fn the_agent_table_has_load_csat_and_time_online() {
    let shop = seeded_week().await;
    let report = shop.report(&format!("agents?{WEEK}")).await;
    let agents = report["agents"].as_array().unwrap();
    let names: Vec<&str> = agents.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alice", "Bob \"B\", Jr", "Owner"], "every agent of the workspace, by name");
    assert_eq!(
        agents[0],
        json!({"agent_id": shop.alice, "name": "Alice", "conversations_handled": 2, "replied": 2, "resolved": 0,
               "median_first_response_seconds": 30,
               "csat": {"ratings": 2, "good": 1, "good_share": 0.5},
               // 4 h on Monday and 1.5 h on Tuesday.
               "online_seconds": 19_800,
               // c2 is still open while c1 is being handled.
               "peak_concurrent": 2})
    );
    assert_eq!(
        agents[1],
        json!({"agent_id": shop.bob, "name": "Bob \"B\", Jr", "conversations_handled": 2, "replied": 2, "resolved": 0,
               "median_first_response_seconds": 200,
               "csat": {"ratings": 1, "good": 1, "good_share": 1.0},
               // Online since Sunday 20:00: only 00:00–02:00 is in the week.
               "online_seconds": 7_200,
               "peak_concurrent": 1})
    );
    assert_eq!(
        agents[2],
        json!({"agent_id": shop.owner_id, "name": "Owner", "conversations_handled": 0, "replied": 0, "resolved": 0,
               "csat": {"ratings": 0, "good": 0}, "online_seconds": 0, "peak_concurrent": 0})
    );

    // In Paris the week starts at 22:00 UTC on Sunday: Bob's 4 hours online are all in it.
    shop.set_time_zone("Europe/Paris").await;
    let report = shop.report(&format!("agents?{WEEK}&agent_id={}", shop.bob)).await;
    let agents = report["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1, "{report}");
    assert_eq!(agents[0]["online_seconds"], 14_400);
    assert_eq!(agents[0]["conversations_handled"], 1, "the last conversation is after the Paris week");
}

#[tokio::test]
async fn filters_narrow_the_conversations_counted() {
    let shop = seeded_week().await;
    let started = |body: Value| body["conversations_started"].as_u64().unwrap();
    assert_eq!(started(shop.report(&format!("summary?{WEEK}&site_id={}", shop.site)).await), 5);
    assert_eq!(started(shop.report(&format!("summary?{WEEK}&site_id={}", shop.other_site)).await), 1);
    assert_eq!(started(shop.report(&format!("summary?{WEEK}&agent_id={}", shop.alice)).await), 2);
    let billing = shop.report(&format!("summary?{WEEK}&team_id={}", shop.team)).await;
    assert_eq!(started(billing.clone()), 1);
    assert_eq!(billing["first_response"], stats(1, 200, 200));
    // The team filter also limits the agent table to the team's members.
    let agents = shop.report(&format!("agents?{WEEK}&team_id={}", shop.team)).await;
    let rows = agents["agents"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{agents}");
    assert_eq!(rows[0]["agent_id"], json!(shop.bob));
    assert_eq!(rows[0]["conversations_handled"], 1);
    // Filters combine.
    assert_eq!(
        started(shop.report(&format!("summary?{WEEK}&site_id={}&agent_id={}", shop.other_site, shop.alice)).await),
        0
    );
}

#[tokio::test]
async fn an_empty_range_is_zeros_and_absent_figures_not_an_error() {
    let shop = seeded_week().await;
    let range = "from=2026-01-01&to=2026-01-03";
    let summary = shop.report(&format!("summary?{range}")).await;
    for zero in ["conversations_started", "answered", "missed", "waiting", "messages"] {
        assert_eq!(summary[zero], 0, "{zero}: {summary}");
    }
    for stats in ["first_response", "resolution", "queue_wait"] {
        assert_eq!(summary[stats], json!({"count": 0}), "{stats}: {summary}");
    }
    assert!(summary.get("messages_per_conversation").is_none(), "{summary}");
    assert_eq!(summary["csat"], json!({"ratings": 0, "good": 0}));
    assert!(summary["first_response_distribution"].as_array().unwrap().iter().all(|b| b["conversations"] == 0));

    let daily = shop.report(&format!("daily?{range}")).await;
    assert_eq!(daily["days"].as_array().unwrap().len(), 3);
    assert!(daily["days"].as_array().unwrap().iter().all(|d| d["conversations_started"] == 0));
    let hours = shop.report(&format!("busiest-hours?{range}")).await;
    assert_eq!(hours["weekdays"], json!(vec![vec![0; 24]; 7]));
    assert_eq!(hours["max"], 0);
    let agents = shop.report(&format!("agents?{range}")).await;
    assert!(
        agents["agents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["conversations_handled"] == 0 && a["online_seconds"] == 0)
    );
}

#[tokio::test]
async fn tables_export_as_csv() {
    let shop = seeded_week().await;
    let csv = |path: String| {
        let request = shop.app.request(Method::GET, &path, Some(&shop.token));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(content_type.starts_with("text/csv"), "{content_type}");
            let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
            (disposition, response.text().await.unwrap())
        }
    };
    let (disposition, daily) = csv(format!("/reports/daily/csv?{WEEK}")).await;
    assert_eq!(disposition, "attachment; filename=\"rapport-daily-2026-06-01-to-2026-06-07.csv\"");
    let lines: Vec<&str> = daily.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "date,conversations_started,answered,missed,ratings,good_ratings,median_first_response_seconds"
    );
    assert_eq!(lines[1], "2026-06-01,2,2,0,2,1,30");
    assert_eq!(lines[3], "2026-06-03,1,0,1,0,0,");
    assert_eq!(lines.len(), 9, "header, 7 days, and the final line end: {daily}");

    let (_, hours) = csv(format!("/reports/busiest-hours/csv?{WEEK}")).await;
    let lines: Vec<&str> = hours.split("\r\n").collect();
    assert!(lines[0].starts_with("weekday,h00,h01,"), "{}", lines[0]);
    assert!(lines[0].ends_with(",h23"));
    assert_eq!(
        lines[1],
        format!("Monday,{}", (0..24).map(|h| if h == 9 { "2" } else { "0" }).collect::<Vec<_>>().join(","))
    );

    let (_, agents) = csv(format!("/reports/agents/csv?{WEEK}")).await;
    let lines: Vec<&str> = agents.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "agent_id,name,conversations_handled,replied,resolved,median_first_response_seconds,ratings,good_ratings,good_share,online_seconds,peak_concurrent"
    );
    assert_eq!(lines[1], format!("{},Alice,2,2,0,30,2,1,0.5,19800,2", shop.alice));
    // The comma and quotes in Bob's name are quoted, not taken for separators.
    assert_eq!(lines[2], format!("{},\"Bob \"\"B\"\", Jr\",2,2,0,200,1,1,1,7200,1", shop.bob));
    assert_eq!(lines[3], format!("{},Owner,0,0,0,,0,0,,0,0", shop.owner_id));
}
