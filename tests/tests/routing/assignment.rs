//! Automatic assignment: policies, capacity, presence, agents who leave, two nodes.

use std::collections::BTreeMap;

use openapi::realtime::ClientFrame;
use system_tests::{fresh_redis_prefix, redis_url};

use crate::common::*;

#[tokio::test]
async fn least_busy_respects_capacity_and_skips_offline_and_away_agents() {
    let app = fast_router(300).await;
    let acme = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&acme.token).await;
    set_policy(&app, &acme.token, site_id, "least_busy").await;
    let (ann, ann_token) = agent(&app, &acme.token, "ann@acme.test", 2).await;
    let (bob, bob_token) = agent(&app, &acme.token, "bob@acme.test", 1).await;
    let (cat, _cat_token) = agent(&app, &acme.token, "cat@acme.test", 5).await; // never connects
    let (dan, dan_token) = agent(&app, &acme.token, "dan@acme.test", 5).await;
    let _ann_console = agent_socket(&app, &ann_token).await;
    let _bob_console = agent_socket(&app, &bob_token).await;
    let mut dan_console = agent_socket(&app, &dan_token).await;
    dan_console.send(&ClientFrame::Status { status: AgentStatus::Away }).await;
    dan_console
        .recv_until(
            "dan's away status",
            |f| matches!(f, ServerFrame::AgentStatus { agent_id, status: AgentStatus::Away } if *agent_id == dan),
        )
        .await;

    let mut conversations = Vec::new();
    for n in 0..5 {
        conversations.push(waiting_visitor(&app, &site_key, &format!("question {n}")).await.1);
    }
    let expected: BTreeMap<Option<Uuid>, usize> = [(Some(ann), 2), (Some(bob), 1), (None, 2)].into();
    eventually("ann full, bob full, two waiting", || async {
        let loads = loads(&app, &acme.token, &conversations).await;
        (loads == expected).then_some(())
    })
    .await;
    // Nothing more happens: the remaining two wait for capacity, not for cat or dan.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let loads_now = loads(&app, &acme.token, &conversations).await;
    assert_eq!(loads_now, expected, "cat (offline) and dan (away) got nothing");
    assert!(!loads_now.contains_key(&Some(cat)) && !loads_now.contains_key(&Some(dan)));
    // The oldest conversations were served first.
    for id in &conversations[..3] {
        assert!(!conversation(&app, &acme.token, *id).await["assignee_id"].is_null(), "served in waiting order");
    }

    // Ann resolves one: the longest-waiting conversation goes to her.
    let mut anns = None;
    for id in &conversations[..3] {
        if conversation(&app, &acme.token, *id).await["assignee_id"] == json!(ann) {
            anns = Some(*id);
            break;
        }
    }
    let resolved = anns.expect("ann has a conversation");
    let (status, _) = app.patch(&format!("/conversations/{resolved}"), &ann_token, json!({"status": "resolved"})).await;
    assert_eq!(status, StatusCode::OK);
    let next = conversations[3];
    eventually("the next in line goes to ann", || async {
        (conversation(&app, &acme.token, next).await["assignee_id"] == json!(ann)).then_some(())
    })
    .await;
    assert!(conversation(&app, &acme.token, conversations[4]).await["assignee_id"].is_null());

    // Dan comes back online: he takes the last one.
    dan_console.send(&ClientFrame::Status { status: AgentStatus::Online }).await;
    eventually("dan takes the last one", || async {
        (conversation(&app, &acme.token, conversations[4]).await["assignee_id"] == json!(dan)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn round_robin_takes_turns() {
    let app = fast_router(300).await;
    let acme = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&acme.token).await;
    set_policy(&app, &acme.token, site_id, "round_robin").await;
    let (ann, ann_token) = agent(&app, &acme.token, "ann@acme.test", 10).await;
    let (bob, bob_token) = agent(&app, &acme.token, "bob@acme.test", 10).await;
    let _consoles = (agent_socket(&app, &ann_token).await, agent_socket(&app, &bob_token).await);

    let mut assignees = Vec::new();
    for n in 0..6 {
        let (_, conversation_id) = waiting_visitor(&app, &site_key, &format!("question {n}")).await;
        let assignee = eventually("an assignment", || async {
            conversation(&app, &acme.token, conversation_id).await["assignee_id"]
                .as_str()
                .map(|s| s.parse::<Uuid>().unwrap())
        })
        .await;
        assignees.push(assignee);
    }
    for pair in assignees.windows(2) {
        assert_ne!(pair[0], pair[1], "turns alternate: {assignees:?}");
    }
    assert_eq!(assignees.iter().filter(|a| **a == ann).count(), 3);
    assert_eq!(assignees.iter().filter(|a| **a == bob).count(), 3);
}

#[tokio::test]
async fn a_team_policy_routes_only_to_its_members() {
    let app = fast_router(300).await;
    let acme = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&acme.token).await; // manual
    let (ann, ann_token) = agent(&app, &acme.token, "ann@acme.test", 10).await;
    let (_bob, bob_token) = agent(&app, &acme.token, "bob@acme.test", 10).await;
    let _consoles = (agent_socket(&app, &ann_token).await, agent_socket(&app, &bob_token).await);
    let (status, team) = app
        .post("/teams", &acme.token, json!({"name": "Billing", "member_ids": [ann], "routing_policy": "round_robin"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    assert_eq!(team["routing_policy"], "round_robin");

    let (_, untouched) = waiting_visitor(&app, &site_key, "manual site: waits").await;
    let (_, billing) = waiting_visitor(&app, &site_key, "invoice").await;
    app.post(&format!("/conversations/{billing}/transfer"), &acme.token, json!({"team_id": team["id"]})).await;
    eventually("billing goes to ann", || async {
        (conversation(&app, &acme.token, billing).await["assignee_id"] == json!(ann)).then_some(())
    })
    .await;
    assert!(conversation(&app, &acme.token, untouched).await["assignee_id"].is_null(), "the site routes manually");
}

#[tokio::test]
async fn an_absent_agents_conversations_go_back_to_the_queue_after_the_grace_period() {
    let app = fast_router(1).await;
    let acme = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&acme.token).await;
    set_policy(&app, &acme.token, site_id, "least_busy").await;
    let (ann, ann_token) = agent(&app, &acme.token, "ann@acme.test", 5).await;
    let (bob, bob_token) = agent(&app, &acme.token, "bob@acme.test", 5).await;
    let ann_console = agent_socket(&app, &ann_token).await;
    let (_, conversation_id) = waiting_visitor(&app, &site_key, "hello").await;
    eventually("ann gets it", || async {
        (conversation(&app, &acme.token, conversation_id).await["assignee_id"] == json!(ann)).then_some(())
    })
    .await;

    // Ann's console closes; Bob is online. After the grace period the conversation goes
    // back to the queue with a note saying why, and on to Bob.
    drop(ann_console);
    let _bob_console = agent_socket(&app, &bob_token).await;
    eventually("bob gets it", || async {
        (conversation(&app, &acme.token, conversation_id).await["assignee_id"] == json!(bob)).then_some(())
    })
    .await;
    let (_, messages) = app.get(&format!("/conversations/{conversation_id}/messages"), &acme.token).await;
    let note = &messages["items"][1];
    assert_eq!(note["kind"], "note");
    assert_eq!(note["author_kind"], "system");
    assert_eq!(note["body"], "Back in the queue: ann went offline.");
}

#[tokio::test]
async fn a_short_absence_keeps_the_conversations() {
    let app = fast_router(300).await;
    let acme = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&acme.token).await;
    set_policy(&app, &acme.token, site_id, "least_busy").await;
    let (ann, ann_token) = agent(&app, &acme.token, "ann@acme.test", 5).await;
    let console = agent_socket(&app, &ann_token).await;
    let (_, conversation_id) = waiting_visitor(&app, &site_key, "hello").await;
    eventually("ann gets it", || async {
        (conversation(&app, &acme.token, conversation_id).await["assignee_id"] == json!(ann)).then_some(())
    })
    .await;
    drop(console);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(conversation(&app, &acme.token, conversation_id).await["assignee_id"], json!(ann));
}

#[tokio::test]
async fn two_nodes_assigning_at_once_never_exceed_capacity_or_double_assign() {
    let prefix = fresh_redis_prefix();
    let _ = redis_url();
    let mut options = fast_options(300);
    options.redis_prefix = Some(prefix.clone());
    let a = spawn_app_with(options.clone()).await;
    options.database_url = Some(a.database_url.clone());
    let b = spawn_app_with(options).await;

    let acme = a.signup("Acme").await;
    let (site_id, site_key) = a.create_site(&acme.token).await;
    set_policy(&a, &acme.token, site_id, "least_busy").await;
    let mut agents = Vec::new();
    let mut consoles = Vec::new();
    for (n, node) in [&a, &b, &a, &b].into_iter().enumerate() {
        let (agent_id, token) = agent(&a, &acme.token, &format!("agent{n}@acme.test"), 3).await;
        consoles.push(agent_socket(node, &token).await);
        agents.push(agent_id);
    }

    // 16 conversations for 12 seats, started on both nodes at once.
    let starts = (0..16).map(|n| {
        let node = if n % 2 == 0 { &a } else { &b };
        let key = site_key.clone();
        async move { waiting_visitor(node, &key, &format!("question {n}")).await.1 }
    });
    let conversations: Vec<Uuid> = futures_util::future::join_all(starts).await;

    let loads = eventually("12 assigned, 4 waiting", || async {
        let loads = loads(&a, &acme.token, &conversations).await;
        (loads.get(&None) == Some(&4)).then_some(loads)
    })
    .await;
    for agent_id in &agents {
        assert_eq!(loads.get(&Some(*agent_id)), Some(&3), "every agent exactly at capacity: {loads:?}");
    }
    // Each assignment was announced once, to the same assignee the database holds.
    let mut first = consoles.remove(0);
    let mut announced: BTreeMap<Uuid, Uuid> = BTreeMap::new();
    while announced.len() < 12 {
        let frame = first.recv().await;
        if let ServerFrame::Conversation { change: ConversationChange::Assigned, conversation } = frame {
            let assignee = conversation.assignee_id.expect("assigned");
            if let Some(previous) = announced.insert(conversation.id, assignee) {
                assert_eq!(previous, assignee, "one conversation announced for two agents");
            }
        }
    }
    for (conversation_id, assignee) in announced {
        assert_eq!(conversation(&a, &acme.token, conversation_id).await["assignee_id"], json!(assignee));
    }
}
