//! One storage conformance suite, run against both engines: every case below runs once on
//! SQLite and once on PostgreSQL, through the same domain functions the server uses.

use std::collections::BTreeSet;

use std::time::Duration;

use backend::{
    agents,
    auth::{Actor, Caller, VisitorCaller},
    conversations::{self, feed},
    error::Error,
    labels,
    messages::{self, Audience, Author, Draft},
    pagination::PageRequest,
    privacy, routing, sites,
    store::Store,
    teams, visitors, webhooks, widget,
    workspaces::{self, NewWorkspace},
};
use openapi::{
    agents::Role,
    conversations::{ConversationStatus, ConversationUpdate},
    labels::{LabelUpdate, NewLabel},
    messages::{AuthorKind, MessageKind},
    sites::NewSite,
    teams::TeamInput,
    webhooks::{NewWebhook, WebhookEventType},
};
use std::sync::atomic::Ordering::Relaxed;

use system_tests::{Engine, ScratchDir, eventually, fresh_database};
use uuid::Uuid;

/// Sends through the server's one send path (the group-commit writer).
async fn send(
    store: &Store,
    workspace_id: Uuid,
    conversation_id: Uuid,
    draft: Draft,
) -> Result<messages::Stored, Error> {
    messages::send(store, messages::Outgoing { workspace_id, conversation_id, draft }).await
}

/// Runs each listed case as two tests, `<case>::sqlite` and `<case>::postgres`.
macro_rules! conformance {
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (store, _dir) = super::open(system_tests::Engine::Sqlite).await;
                super::$case(store).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let (store, _dir) = super::open(system_tests::Engine::Postgres).await;
                super::$case(store).await;
            }
        }
    )+};
}

conformance!(
    migrations_are_idempotent,
    workspace_and_owner_are_created_together,
    an_address_is_unique_within_a_workspace_only,
    queries_are_scoped_by_workspace,
    seq_is_gapless_under_concurrent_senders,
    client_msg_id_stores_once_even_when_raced,
    duplicate_rolls_back_its_seq,
    visitors_never_read_notes,
    visitor_sessions_resume_only_on_their_site,
    starting_a_conversation_is_idempotent,
    senders_share_one_commit_and_a_refused_one_fails_alone,
    a_batch_keeps_each_workspace_s_feed_and_webhooks,
    a_batch_over_many_conversations_stores_and_numbers_each,
    a_label_rename_and_a_batch_of_messages_wait_for_each_other,
    returning_an_agent_s_conversations_and_a_batch_wait_for_each_other,
    waking_snoozed_conversations_and_a_batch_wait_for_each_other,
    deleting_a_team_and_a_batch_wait_for_each_other,
    deleting_a_team_takes_it_off_a_conversation_handed_to_it_meanwhile,
    handing_to_a_team_deleted_since_it_was_checked_is_refused_clearly,
    erasing_a_visitor_and_a_batch_wait_for_each_other,
    erasing_a_visitor_counts_what_they_wrote_while_it_waited,
    erasing_a_visitor_takes_the_conversation_they_were_starting,
    retention_keeps_a_conversation_written_to_while_it_waited,
    looking_up_earlier_sends_reads_the_index_on_a_new_database,
    a_batch_s_conversations_are_read_through_the_index_on_a_new_database,
    a_batch_s_statements_are_planned_once_per_connection,
    a_transaction_dropped_unfinished_stores_nothing,
);

async fn open(engine: Engine) -> (Store, ScratchDir) {
    let dir = ScratchDir::new();
    let url = fresh_database(engine, &dir).await;
    let store = Store::connect(&url).await.expect("connecting");
    store.migrate().await.expect("migrating");
    (store, dir)
}

/// A workspace with its owner as a caller, a site and a visitor.
pub(super) struct Fixture {
    pub(super) owner: Caller,
    site: sites::SiteRow,
    visitor: VisitorCaller,
}

pub(super) async fn fixture(store: &Store, name: &str) -> Fixture {
    let new = NewWorkspace::parse(name, "Owner", &format!("owner@{name}.test"), "correct horse battery").unwrap();
    let (workspace, owner) = workspaces::create(store, new).await.unwrap();
    let owner = Caller {
        workspace_id: workspace.id,
        actor: Actor::Agent { agent_id: owner.id, role: Role::Owner, session_id: Uuid::nil() },
    };
    let site = sites::create(
        store,
        &owner,
        &NewSite {
            name: "Shop".into(),
            allowed_origins: vec!["https://shop.test".into()],
            color: None,
            greeting: None,
            require_identity: None,
            routing_policy: None,
            prechat_name: None,
            prechat_email: None,
            offline_form: None,
            typing_preview: None,
        },
    )
    .await
    .unwrap();
    let (visitor, _) = visitors::start_session(store, &site, None).await.unwrap();
    let visitor = VisitorCaller { workspace_id: workspace.id, site_id: site.id, visitor_id: visitor.id };
    Fixture { owner, site, visitor }
}

fn visitor_draft(visitor: &VisitorCaller, body: &str, client_msg_id: Option<&str>) -> Draft {
    Draft::parse(
        Author { kind: AuthorKind::Visitor, id: Some(visitor.visitor_id) },
        MessageKind::Text,
        body,
        client_msg_id,
    )
    .unwrap()
}

pub(super) async fn conversation(store: &Store, f: &Fixture) -> Uuid {
    let (conversation, _, _) =
        widget::start_conversation(store, &f.visitor, visitor_draft(&f.visitor, "hello", Some("first"))).await.unwrap();
    conversation.id
}

/// A team of the fixture's workspace, without members.
async fn billing_team(store: &Store, f: &Fixture) -> openapi::teams::Team {
    let input = TeamInput { name: "Billing".into(), member_ids: Vec::new(), routing_policy: None };
    teams::create(store, &f.owner, &input).await.unwrap()
}

async fn migrations_are_idempotent(store: Store) {
    store.migrate().await.expect("a second run applies nothing and succeeds");
    assert!(store.ping().await);
}

async fn workspace_and_owner_are_created_together(store: Store) {
    let f = fixture(&store, "acme").await;
    let owner = agents::get(&store, f.owner.workspace_id, f.owner.agent_id().unwrap()).await.unwrap();
    assert_eq!(owner.role, "owner");
    assert!(owner.password_hash.as_deref().is_some_and(|h| h.starts_with("$argon2id$")));
    // An address may own several workspaces, up to a limit; a refused sign-up leaves no
    // orphan workspace behind.
    for n in 1..agents::MAX_ACCOUNTS_PER_ADDRESS {
        let again =
            NewWorkspace::parse(&format!("Other {n}"), "Owner", "OWNER@acme.test", "correct horse battery").unwrap();
        workspaces::create(&store, again).await.unwrap();
    }
    let refused = NewWorkspace::parse("One too many", "Owner", "owner@acme.test", "correct horse battery").unwrap();
    assert!(matches!(
        workspaces::create(&store, refused).await,
        Err(Error::Conflict { code: "too_many_accounts", .. })
    ));
    let count: i64 =
        backend::on_pool!(&store, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM workspaces").fetch_one(pool).await)
            .unwrap();
    assert_eq!(count, agents::MAX_ACCOUNTS_PER_ADDRESS);
}

async fn an_address_is_unique_within_a_workspace_only(store: Store) {
    let a = fixture(&store, "a").await;
    let b = fixture(&store, "b").await;
    let new = openapi::agents::NewAgent {
        name: "Bo".into(),
        email: "BO@shared.test".into(),
        role: None,
        capacity: None,
        password: Some("correct horse battery".into()),
    };
    agents::create(&store, &a.owner, &new).await.unwrap();
    let again = openapi::agents::NewAgent { email: "bo@shared.test".into(), ..new };
    agents::create(&store, &b.owner, &again).await.unwrap();
    let clash = agents::create(&store, &a.owner, &again).await;
    assert!(matches!(clash, Err(Error::Conflict { code: "email_taken", .. })));
}

async fn queries_are_scoped_by_workspace(store: Store) {
    let a = fixture(&store, "a").await;
    let b = fixture(&store, "b").await;
    let b_conversation = conversation(&store, &b).await;
    let a_id = a.owner.workspace_id;
    assert!(matches!(conversations::get(&store, a_id, b_conversation).await, Err(Error::NotFound(_))));
    assert!(matches!(sites::get(&store, a_id, b.site.id).await, Err(Error::NotFound(_))));
    assert!(matches!(visitors::get(&store, a_id, b.visitor.visitor_id).await, Err(Error::NotFound(_))));
    let draft = Draft::parse(Author { kind: AuthorKind::Agent, id: None }, MessageKind::Text, "hi", None).unwrap();
    assert!(matches!(send(&store, a_id, b_conversation, draft).await, Err(Error::NotFound(_))));
    let unchanged = conversations::get(&store, b.owner.workspace_id, b_conversation).await.unwrap();
    assert_eq!(unchanged.last_seq, 1);
}

async fn seq_is_gapless_under_concurrent_senders(store: Store) {
    let f = fixture(&store, "acme").await;
    let id = conversation(&store, &f).await;
    let workspace_id = f.owner.workspace_id;
    let mut tasks = Vec::new();
    for sender in 0..8 {
        let store = store.clone();
        let visitor = f.visitor.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..10 {
                let draft = visitor_draft(&visitor, &format!("{sender}-{n}"), Some(&format!("{sender}-{n}")));
                send(&store, workspace_id, id, draft).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let stored = messages::list_after(&store, workspace_id, id, 0, 500, Audience::Team).await.unwrap();
    let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=81).collect::<Vec<_>>(), "every seq once, no gap");
    // Each sender's own messages keep their order.
    for sender in 0..8 {
        let mine: Vec<&str> =
            stored.iter().filter(|m| m.body.starts_with(&format!("{sender}-"))).map(|m| m.body.as_str()).collect();
        let expected: Vec<String> = (0..10).map(|n| format!("{sender}-{n}")).collect();
        assert_eq!(mine, expected);
    }
    assert_eq!(conversations::get(&store, workspace_id, id).await.unwrap().last_seq, 81);
}

async fn client_msg_id_stores_once_even_when_raced(store: Store) {
    let f = fixture(&store, "acme").await;
    let id = conversation(&store, &f).await;
    let workspace_id = f.owner.workspace_id;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = store.clone();
        let draft = visitor_draft(&f.visitor, "only once", Some("retry-me"));
        tasks.push(tokio::spawn(async move { send(&store, workspace_id, id, draft).await.unwrap() }));
    }
    let mut created = 0;
    let mut ids = BTreeSet::new();
    for task in tasks {
        let stored = task.await.unwrap();
        created += usize::from(stored.created);
        ids.insert(stored.message.id);
        assert_eq!(stored.message.seq, 2);
    }
    assert_eq!(created, 1, "exactly one attempt stores");
    assert_eq!(ids.len(), 1, "every attempt gets the same message");
}

async fn duplicate_rolls_back_its_seq(store: Store) {
    let f = fixture(&store, "acme").await;
    let id = conversation(&store, &f).await;
    let ws = f.owner.workspace_id;
    send(&store, ws, id, visitor_draft(&f.visitor, "a", Some("a"))).await.unwrap();
    let again = send(&store, ws, id, visitor_draft(&f.visitor, "a", Some("a"))).await.unwrap();
    assert!(!again.created);
    let next = send(&store, ws, id, visitor_draft(&f.visitor, "b", Some("b"))).await.unwrap();
    assert_eq!(next.message.seq, 3, "the duplicate did not consume a seq");
}

async fn visitors_never_read_notes(store: Store) {
    let f = fixture(&store, "acme").await;
    let id = conversation(&store, &f).await;
    let ws = f.owner.workspace_id;
    let agent = Author { kind: AuthorKind::Agent, id: Some(f.owner.agent_id().unwrap()) };
    send(&store, ws, id, Draft::parse(agent, MessageKind::Note, "internal", None).unwrap()).await.unwrap();
    send(&store, ws, id, Draft::parse(agent, MessageKind::Text, "public", None).unwrap()).await.unwrap();
    let team: Vec<String> = messages::list_after(&store, ws, id, 0, 10, Audience::Team)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect();
    let visitor: Vec<String> = messages::list_after(&store, ws, id, 0, 10, Audience::Visitor)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(team, ["hello", "internal", "public"]);
    assert_eq!(visitor, ["hello", "public"]);
    let conversation = conversations::get(&store, ws, id).await.unwrap();
    assert!(conversation.first_response_at.is_some(), "the public reply counts as first response");
}

async fn visitor_sessions_resume_only_on_their_site(store: Store) {
    let f = fixture(&store, "acme").await;
    let (first, token) = visitors::start_session(&store, &f.site, None).await.unwrap();
    let (again, same_token) = visitors::start_session(&store, &f.site, Some(&token)).await.unwrap();
    assert_eq!((again.id, same_token.as_str()), (first.id, token.as_str()));
    let other = fixture(&store, "other").await;
    let (stranger, new_token) = visitors::start_session(&store, &other.site, Some(&token)).await.unwrap();
    assert_ne!(stranger.id, first.id, "a token from another site never resumes");
    assert_ne!(new_token, token);
    let stored_hash: String =
        backend::on_pool!(&store, |pool| sqlx::query_scalar("SELECT token_hash FROM visitors WHERE id = $1")
            .bind(first.id)
            .fetch_one(pool)
            .await)
        .unwrap();
    assert!(!stored_hash.contains(&token[4..]), "only a hash of the token is stored");
}

async fn starting_a_conversation_is_idempotent(store: Store) {
    let f = fixture(&store, "acme").await;
    let draft = visitor_draft(&f.visitor, "hello", Some("start-1"));
    let (a, _, created_a) = widget::start_conversation(&store, &f.visitor, draft.clone()).await.unwrap();
    let (b, message, created_b) = widget::start_conversation(&store, &f.visitor, draft).await.unwrap();
    assert!(created_a && !created_b);
    assert_eq!(a.id, b.id);
    assert_eq!(message.seq, 1);
    let all = conversations::list(
        &store,
        f.owner.workspace_id,
        &conversations::Filter::default(),
        backend::pagination::PageRequest::parse(None, None).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(all.len(), 1);
}

/// Many senders, one transaction: while the writer is held up, sends queue; they are then
/// stored together, numbered in order, and the ones that must be refused are refused on
/// their own without costing the others their place.
async fn senders_share_one_commit_and_a_refused_one_fails_alone(store: Store) {
    let f = fixture(&store, "acme").await;
    let other = fixture(&store, "other").await;
    let id = conversation(&store, &f).await;
    let elsewhere = conversation(&store, &other).await;
    let ws = f.owner.workspace_id;
    let agent = Author { kind: AuthorKind::Agent, id: Some(f.owner.agent_id().unwrap()) };
    // seq 2: an agent's message under the key the visitor will wrongly reuse.
    send(&store, ws, id, Draft::parse(agent, MessageKind::Text, "mine", Some("taken")).unwrap()).await.unwrap();

    // Queued behind a probe held up: 20 good messages, a retry of one of them, a key
    // another sender used, and a conversation of another workspace.
    let mut drafts: Vec<(Uuid, Uuid, Draft)> =
        (0..20).map(|n| (ws, id, visitor_draft(&f.visitor, &format!("m{n}"), Some(&format!("k{n}"))))).collect();
    drafts.insert(10, (ws, id, visitor_draft(&f.visitor, "m3", Some("k3"))));
    drafts.insert(5, (ws, id, visitor_draft(&f.visitor, "thief", Some("taken"))));
    drafts.insert(15, (ws, elsewhere, visitor_draft(&f.visitor, "lost", Some("lost"))));
    let total = drafts.len();
    let probe = (ws, id, visitor_draft(&f.visitor, "probe", Some("probe")));
    let (probe, results) = sent_together(&store, &[id], probe, drafts).await;

    let probe = probe.unwrap();
    assert_eq!((probe.message.seq, probe.batch_size), (3, 1));
    let stored: Vec<&messages::Stored> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(stored.len(), total - 2, "all but the two refused are answered with their message");
    assert!(stored.iter().all(|s| s.batch_size == total), "answered from one transaction of {total}");
    assert!(matches!(&results[5], Err(Error::Conflict { code: "client_msg_id_taken", .. })), "{:?}", results[5]);
    assert!(matches!(&results[15], Err(Error::NotFound("conversation"))), "{:?}", results[15]);
    let retry = results[11].as_ref().unwrap();
    assert!(!retry.created, "the retry in the same batch is a retry");
    assert_eq!(retry.message.id, results[3].as_ref().unwrap().message.id, "…of the message k3 stored");

    let listed = messages::list_after(&store, ws, id, 0, 500, Audience::Team).await.unwrap();
    let bodies: Vec<&str> = listed.iter().map(|m| m.body.as_str()).collect();
    let mut expected = vec!["hello", "mine", "probe"];
    let batch: Vec<String> = (0..20).map(|n| format!("m{n}")).collect();
    expected.extend(batch.iter().map(String::as_str));
    assert_eq!(bodies, expected, "stored once each, in the order sent");
    let seqs: Vec<i64> = listed.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=23).collect::<Vec<_>>(), "no gap where the refused ones were");
    assert_eq!(conversations::get(&store, ws, id).await.unwrap().last_seq, 23);
    let untouched = conversations::get(&store, other.owner.workspace_id, elsewhere).await.unwrap();
    assert_eq!(untouched.last_seq, 1, "another workspace's conversation is not written");
}

/// A batch bigger than one of SQLite's statement chunks (`store::sqlite_chunks`: 80
/// messages are inserted as 64 + 16 rows, 40 conversations locked and written back as 32 +
/// 8): every message is stored once in its place, every conversation written back with its
/// own feed position, and a retry whose key is looked up in a later chunk is answered
/// with the message stored before.
async fn a_batch_over_many_conversations_stores_and_numbers_each(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let mut chats: Vec<(Uuid, VisitorCaller)> = Vec::new();
    for n in 0..40 {
        let (visitor, _) = visitors::start_session(&store, &f.site, None).await.unwrap();
        let visitor = VisitorCaller { workspace_id: ws, site_id: f.site.id, visitor_id: visitor.id };
        let (started, _, _) =
            widget::start_conversation(&store, &visitor, visitor_draft(&visitor, "hello", Some(&format!("s{n}"))))
                .await
                .unwrap();
        chats.push((started.id, visitor));
    }
    let head = feed::head(&store, ws).await.unwrap();
    let mut drafts: Vec<(Uuid, Uuid, Draft)> = Vec::new();
    for (n, (id, visitor)) in chats.iter().enumerate() {
        for part in ["a", "b"] {
            drafts.push((ws, *id, visitor_draft(visitor, &format!("{part}{n}"), Some(&format!("{part}{n}")))));
        }
    }
    let (last_id, last_visitor) = &chats[39];
    drafts.push((ws, *last_id, visitor_draft(last_visitor, "hello", Some("s39"))));
    let (first_id, first_visitor) = &chats[0];
    let probe = (ws, *first_id, visitor_draft(first_visitor, "probe", Some("probe")));
    let (probe, results) = sent_together(&store, &[*first_id], probe, drafts).await;
    probe.unwrap();

    let stored: Vec<&messages::Stored> = results.iter().map(|r| r.as_ref().unwrap()).collect();
    assert!(stored.iter().all(|s| s.batch_size == 81), "one transaction of 81");
    let retry = stored[80];
    assert!(!retry.created && retry.message.seq == 1, "the retry of s39 is answered with the first message");
    for (n, (id, _)) in chats.iter().enumerate() {
        let listed = messages::list_after(&store, ws, *id, 0, 10, Audience::Team).await.unwrap();
        let bodies: Vec<&str> = listed.iter().map(|m| m.body.as_str()).collect();
        let (a, b) = (format!("a{n}"), format!("b{n}"));
        let expected: Vec<&str> = if n == 0 { vec!["hello", "probe", &a, &b] } else { vec!["hello", &a, &b] };
        assert_eq!(bodies, expected, "conversation {n}");
        let seqs: Vec<i64> = listed.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=expected.len() as i64).collect::<Vec<_>>(), "conversation {n}");
        assert_eq!(conversations::get(&store, ws, *id).await.unwrap().last_seq, expected.len() as i64);
    }
    // The probe's batch took head + 1; this one the next 40 positions, one per conversation.
    let listed = feed::after(&store, ws, head + 1, None, 100).await.unwrap();
    let positions: Vec<i64> = listed.iter().map(|c| c.feed_seq).collect();
    assert_eq!(positions, (head + 2..=head + 41).collect::<Vec<_>>());
    let written: BTreeSet<Uuid> = listed.iter().map(|c| c.id).collect();
    assert_eq!(written, chats.iter().map(|(id, _)| *id).collect::<BTreeSet<_>>());
}

/// Renaming a label locks the conversations carrying it in id order, as a batch of
/// messages locks its conversations, so the two wait for each other. Changed in the order
/// its scan met them, the rename deadlocked with a batch on PostgreSQL (seen as a 500 from
/// `PATCH /labels/{id}` under load).
async fn a_label_rename_and_a_batch_of_messages_wait_for_each_other(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let (low, high) = two_conversations(&store, &f).await;
    let label = labels::create(&store, &f.owner, &NewLabel { name: "vip".into(), color: None }).await.unwrap();
    for id in [low, high] {
        let update = ConversationUpdate { labels: Some(vec!["vip".into()]), ..Default::default() };
        conversations::update(&store, &f.owner, id, &update).await.unwrap();
    }
    let rename = {
        let (store, owner, id) = (store.clone(), f.owner.clone(), label.id);
        async move { labels::update(&store, &owner, id, &LabelUpdate { name: Some("gold".into()), color: None }).await }
    };
    let (_, touched) = beside_a_batch_on_both(&store, ws, low, high, rename).await.expect("the rename completes");
    assert_eq!(touched.len(), 2);
    for id in [low, high] {
        let labels = conversations::get(&store, ws, id).await.unwrap().to_wire().unwrap().labels;
        assert_eq!(labels, ["gold"]);
    }
}

/// The same for an agent's open conversations going back to the queue when they leave.
async fn returning_an_agent_s_conversations_and_a_batch_wait_for_each_other(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let agent_id = f.owner.agent_id().unwrap();
    let (low, high) = two_conversations(&store, &f).await;
    for id in [low, high] {
        let update = ConversationUpdate { assignee_id: Some(agent_id), ..Default::default() };
        conversations::update(&store, &f.owner, id, &update).await.unwrap();
    }
    let leave = {
        let store = store.clone();
        async move { routing::return_to_queue(&store, ws, agent_id, "Owner").await }
    };
    let returned = beside_a_batch_on_both(&store, ws, low, high, leave).await.expect("the conversations are returned");
    assert_eq!(returned.len(), 2);
    for id in [low, high] {
        let conversation = conversations::get(&store, ws, id).await.unwrap();
        assert!(conversation.assignee_id.is_none() && conversation.queued_at.is_some(), "{conversation:?}");
    }
}

/// The same for snoozed conversations whose time has come (the router's wake-up).
async fn waking_snoozed_conversations_and_a_batch_wait_for_each_other(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let (low, high) = two_conversations(&store, &f).await;
    let until = chrono::Utc::now() + chrono::Duration::milliseconds(50);
    for id in [low, high] {
        let update = ConversationUpdate {
            status: Some(ConversationStatus::Snoozed),
            snoozed_until: Some(until),
            ..Default::default()
        };
        conversations::update(&store, &f.owner, id, &update).await.unwrap();
    }
    eventually("the snoozes are due", || async { (chrono::Utc::now() > until).then_some(()) }).await;
    let wake = {
        let store = store.clone();
        async move {
            let mut tx = store.begin_write().await?;
            let woken = conversations::assignment::wake_snoozed(&mut tx, backend::store::now()).await?;
            tx.commit().await?;
            Ok::<_, Error>(woken)
        }
    };
    let woken = beside_a_batch_on_both(&store, ws, low, high, wake).await.expect("the conversations wake");
    assert_eq!(woken.iter().map(|c| c.id).collect::<BTreeSet<_>>(), BTreeSet::from([low, high]));
    for id in [low, high] {
        let conversation = conversations::get(&store, ws, id).await.unwrap();
        assert!(conversation.status == "open" && conversation.snoozed_until.is_none(), "{conversation:?}");
    }
}

/// The same for a team deleted while its conversations are written to; each loses the
/// team in the feed too.
async fn deleting_a_team_and_a_batch_wait_for_each_other(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let (low, high) = two_conversations(&store, &f).await;
    let team = billing_team(&store, &f).await;
    for id in [low, high] {
        let update = ConversationUpdate { team_id: Some(team.id), ..Default::default() };
        conversations::update(&store, &f.owner, id, &update).await.unwrap();
    }
    let delete = {
        let (store, owner) = (store.clone(), f.owner.clone());
        async move { teams::delete(&store, &owner, team.id).await }
    };
    let head = feed::head(&store, ws).await.unwrap();
    beside_a_batch_on_both(&store, ws, low, high, delete).await.expect("the team is deleted");
    for id in [low, high] {
        assert_eq!(conversations::get(&store, ws, id).await.unwrap().team_id, None);
    }
    // Consoles see both lose the team (`low` also moves with the helper's note).
    let moved = feed::after(&store, ws, head, None, 100).await.unwrap();
    assert!(moved.iter().any(|c| c.id == high && c.team_id.is_none()), "{moved:?}");
}

/// A conversation handed to a team while the team is being deleted loses the team where
/// consoles see it: moved in the feed, not changed unseen by the team's foreign key.
async fn deleting_a_team_takes_it_off_a_conversation_handed_to_it_meanwhile(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let id = conversation(&store, &f).await;
    let team = billing_team(&store, &f).await;
    let mut held = store.begin_write().await.unwrap();
    let handed = conversations::assignment::hand_to_team(&mut held, ws, id, team.id).await.unwrap().unwrap();
    let handed = feed::advance(&mut held, handed).await.unwrap();
    let delete = {
        let (store, owner) = (store.clone(), f.owner.clone());
        tokio::spawn(async move { teams::delete(&store, &owner, team.id).await })
    };
    waits_for_a_lock(&store).await;
    held.commit().await.unwrap();
    delete.await.unwrap().expect("the team is deleted");
    let now = conversations::get(&store, ws, id).await.unwrap();
    assert_eq!(now.team_id, None);
    assert!(now.feed_seq > handed.feed_seq, "consoles are told it left the team");
}

/// A transfer checks the team before its transaction; a team deleted in between is
/// answered as a team that is not there, not as a server error (the foreign key's).
async fn handing_to_a_team_deleted_since_it_was_checked_is_refused_clearly(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let id = conversation(&store, &f).await;
    let team = billing_team(&store, &f).await;
    teams::delete(&store, &f.owner, team.id).await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let handed = conversations::assignment::hand_to_team(&mut tx, ws, id, team.id).await;
    assert!(matches!(handed, Err(Error::Invalid { field: Some("team_id"), .. })), "{handed:?}");
}

/// The same for a visitor erased while writing in two conversations.
async fn erasing_a_visitor_and_a_batch_wait_for_each_other(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let (low, high) = the_visitor_s_two_conversations(&store, &f).await;
    let erase = {
        let store = store.clone();
        let visitor_id = f.visitor.visitor_id;
        async move { privacy::erase(&store, ws, visitor_id).await }
    };
    beside_a_batch_on_both(&store, ws, low, high, erase).await.expect("the visitor is erased");
    for id in [low, high] {
        assert!(matches!(conversations::get(&store, ws, id).await, Err(Error::NotFound(_))));
    }
}

/// Erasing a visitor answers with what it deleted: a message stored in one of their
/// conversations while the erasure waited for it is counted, not deleted unseen. (Counted
/// before the conversations were locked, it was missing from the answer.)
async fn erasing_a_visitor_counts_what_they_wrote_while_it_waited(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let (one, other) = the_visitor_s_two_conversations(&store, &f).await;
    let mut before = 0;
    for id in [one, other] {
        before += conversations::get(&store, ws, id).await.unwrap().last_seq;
    }
    let mut held = store.begin_write().await.unwrap();
    conversations::batch::lock_in(&mut held, &[one]).await.unwrap();
    let erase = {
        let store = store.clone();
        let visitor_id = f.visitor.visitor_id;
        tokio::spawn(async move { privacy::erase(&store, ws, visitor_id).await })
    };
    waits_for_a_lock(&store).await;
    let draft = Draft::parse(Author::SYSTEM, MessageKind::Note, "one more", None).unwrap();
    let outgoing = messages::Outgoing { workspace_id: ws, conversation_id: one, draft };
    let stored = messages::batch::store_in(&mut held, vec![outgoing]).await.unwrap();
    assert!(stored[0].is_ok(), "{stored:?}");
    held.commit().await.unwrap();
    let erased = erase.await.unwrap().expect("the visitor is erased");
    assert_eq!(erased.conversations, 2);
    assert_eq!(erased.messages as i64, before + 1, "the message written while the erasure waited is counted");
    assert!(matches!(conversations::get(&store, ws, one).await, Err(Error::NotFound(_))));
}

/// A conversation the visitor starts while they are being erased is erased with them.
/// (Unseen by the erasure, it made the visitor's deletion fail on PostgreSQL: their row was
/// still referenced.)
async fn erasing_a_visitor_takes_the_conversation_they_were_starting(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let one = conversation(&store, &f).await;
    let mut held = store.begin_write().await.unwrap();
    let started = conversations::insert(&mut held, ws, f.site.id, f.visitor.visitor_id).await.unwrap();
    let erase = {
        let store = store.clone();
        let visitor_id = f.visitor.visitor_id;
        tokio::spawn(async move { privacy::erase(&store, ws, visitor_id).await })
    };
    waits_for_a_lock(&store).await;
    held.commit().await.unwrap();
    let erased = erase.await.unwrap().expect("the visitor is erased");
    assert_eq!(erased.conversations, 2, "the one they had and the one they started");
    for id in [one, started.id] {
        assert!(matches!(conversations::get(&store, ws, id).await, Err(Error::NotFound(_))));
    }
}

/// Retention deletes a conversation only if it is still inactive once locked: one the
/// visitor wrote to while the deletion waited for it stays, with what they wrote. (Picked
/// before the lock, it was deleted, message and all, right after the message was
/// acknowledged.)
async fn retention_keeps_a_conversation_written_to_while_it_waited(store: Store) {
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let (low, high) = two_conversations(&store, &f).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let cutoff = backend::store::now();
    let mut held = store.begin_write().await.unwrap();
    conversations::batch::lock_in(&mut held, &[low]).await.unwrap();
    let retention = {
        let store = store.clone();
        tokio::spawn(async move { privacy::delete_inactive_conversations(&store, ws, cutoff, 200).await })
    };
    waits_for_a_lock(&store).await;
    let draft = Draft::parse(Author::SYSTEM, MessageKind::Note, "still here", None).unwrap();
    let outgoing = messages::Outgoing { workspace_id: ws, conversation_id: low, draft };
    let stored = messages::batch::store_in(&mut held, vec![outgoing]).await.unwrap();
    assert!(stored[0].is_ok(), "{stored:?}");
    held.commit().await.unwrap();
    assert_eq!(retention.await.unwrap().unwrap(), 1, "only the conversation nobody wrote to");
    assert!(matches!(conversations::get(&store, ws, high).await, Err(Error::NotFound(_))));
    assert_eq!(conversations::get(&store, ws, low).await.unwrap().last_seq, 2);
}

/// On PostgreSQL, a batch looks up its `client_msg_id`s through the index even with the
/// plan PostgreSQL caches while `messages` has never been analysed (a new database's):
/// a plan that scans the table, kept as the table grows, reads every message on every
/// batch. (The statement written as `IN (SELECT * FROM UNNEST(..))` got such a plan.)
async fn looking_up_earlier_sends_reads_the_index_on_a_new_database(store: Store) {
    let f = fixture(&store, "acme").await;
    conversation(&store, &f).await;
    let Some(plan) = generic_plan(&store, messages::batch::SENT_BEFORE_ON_POSTGRES).await else { return };
    assert!(plan.contains("Index Scan") && !plan.contains("Seq Scan on messages"), "{plan}");
}

/// The same for the conversations a batch locks and writes back: written as `id = ANY($1)`
/// and `UPDATE .. FROM UNNEST(..)`, PostgreSQL's cached plans scanned `conversations`
/// twice per batch.
async fn a_batch_s_conversations_are_read_through_the_index_on_a_new_database(store: Store) {
    use backend::conversations::batch::{LOCK_ON_POSTGRES, SAVE_ON_POSTGRES, SAVE_WITH_FEED_ON_POSTGRES};
    let f = fixture(&store, "acme").await;
    conversation(&store, &f).await;
    for statement in [LOCK_ON_POSTGRES, SAVE_ON_POSTGRES, SAVE_WITH_FEED_ON_POSTGRES] {
        let Some(plan) = generic_plan(&store, statement).await else { return };
        assert!(plan.contains("Index Scan") && !plan.contains("Seq Scan on conversations"), "{statement}\n{plan}");
    }
}

/// PostgreSQL plans a prepared statement again on each use until it judges its generic
/// plan no dearer; for a batch's statements, whose arrays a generic plan cannot measure,
/// it never did (on the code before, eight batches made eight plans of each), and at
/// 1,000 msg/s planning was over a quarter of its CPU. A batch's transaction runs them on
/// their generic plans, checked above, from the first use on.
async fn a_batch_s_statements_are_planned_once_per_connection(store: Store) {
    use backend::conversations::batch::{LOCK_ON_POSTGRES, SAVE_WITH_FEED_ON_POSTGRES};
    let f = fixture(&store, "acme").await;
    let ws = f.owner.workspace_id;
    let one = conversation(&store, &f).await;
    let statements = [LOCK_ON_POSTGRES, messages::batch::SENT_BEFORE_ON_POSTGRES, SAVE_WITH_FEED_ON_POSTGRES];
    let mut tx = store.begin_batch().await.unwrap();
    if !tx.is_postgres() {
        return;
    }
    // (generic, custom) plans of each statement made so far on the transaction's connection.
    async fn plans(tx: &mut backend::store::Tx, statement: &str) -> (i64, i64) {
        let conn = tx.postgres().expect("PostgreSQL");
        sqlx::query_as("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1")
            .bind(statement)
            .fetch_optional(conn)
            .await
            .unwrap()
            .unwrap_or((0, 0))
    }
    let mut before = Vec::new();
    for statement in statements {
        before.push(plans(&mut tx, statement).await);
    }
    for n in 0..8 {
        let key = format!("note-{n}");
        let draft = Draft::parse(Author::SYSTEM, MessageKind::Note, &format!("note {n}"), Some(&key)).unwrap();
        let outgoing = messages::Outgoing { workspace_id: ws, conversation_id: one, draft };
        let stored = messages::batch::store_in(&mut tx, vec![outgoing]).await.unwrap();
        assert!(stored[0].is_ok(), "{stored:?}");
    }
    for (statement, (generic, custom)) in statements.into_iter().zip(before) {
        let (generic_after, custom_after) = plans(&mut tx, statement).await;
        assert_eq!(
            (generic_after - generic, custom_after - custom),
            (8, 0),
            "eight executions, all on the generic plan: {statement}"
        );
    }
    tx.commit().await.unwrap();
}

/// On PostgreSQL, the plan it caches for `statement` on the store's database as it is now
/// (in these tests: a few rows, never analysed); `None` on SQLite.
async fn generic_plan(store: &Store, statement: &str) -> Option<String> {
    let backend::store::Pool::Postgres(pool) = store.pool() else { return None };
    let mut conn = pool.acquire().await.unwrap();
    let prepare = format!("SET plan_cache_mode = force_generic_plan; PREPARE statement AS {statement}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(prepare)).execute(&mut *conn).await.unwrap();
    let params: i32 =
        sqlx::query_scalar("SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = 'statement'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    // Any values do: a generic plan is made without looking at them.
    let explain = format!("EXPLAIN EXECUTE statement ({})", vec!["NULL"; params as usize].join(", "));
    let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(explain)).fetch_all(&mut *conn).await.unwrap();
    // It leaves with its settings changed: closed, not given back to the pool.
    drop(conn.detach());
    Some(plan.join("\n"))
}

/// Two conversations of the fixture's visitor, the lower id first.
async fn the_visitor_s_two_conversations(store: &Store, f: &Fixture) -> (Uuid, Uuid) {
    let one = conversation(store, f).await;
    let (other, _, _) =
        widget::start_conversation(store, &f.visitor, visitor_draft(&f.visitor, "again", Some("second")))
            .await
            .unwrap();
    if one < other.id { (one, other.id) } else { (other.id, one) }
}

/// Two conversations of the fixture's workspace, the lower id first.
async fn two_conversations(store: &Store, f: &Fixture) -> (Uuid, Uuid) {
    let one = conversation(store, f).await;
    let (visitor, _) = visitors::start_session(store, &f.site, None).await.unwrap();
    let visitor = VisitorCaller { workspace_id: f.owner.workspace_id, site_id: f.site.id, visitor_id: visitor.id };
    let (other, _, _) =
        widget::start_conversation(store, &visitor, visitor_draft(&visitor, "hello", Some("first"))).await.unwrap();
    if one < other.id { (one, other.id) } else { (other.id, one) }
}

/// Runs `change`, a transaction that changes both conversations `low` < `high`, while
/// another holds `low` and then takes `high` too, as a batch of messages writing to both
/// does (it locks them in id order); returns what `change` returned. A note into `low`
/// first, so that on PostgreSQL its row's new version lies after `high`'s and a scan meets
/// `high` first: a `change` that locked in scan order would hold `high` while waiting for
/// `low`, a deadlock PostgreSQL ends by failing one of the two.
async fn beside_a_batch_on_both<T: Send + 'static>(
    store: &Store,
    workspace_id: Uuid,
    low: Uuid,
    high: Uuid,
    change: impl Future<Output = T> + Send + 'static,
) -> T {
    let note = Draft::parse(Author::SYSTEM, MessageKind::Note, "moved", None).unwrap();
    send(store, workspace_id, low, note).await.unwrap();
    let mut held = store.begin_write().await.unwrap();
    conversations::batch::lock_in(&mut held, &[low]).await.unwrap();
    let change = tokio::spawn(change);
    waits_for_a_lock(store).await;
    conversations::batch::lock_in(&mut held, &[high]).await.expect("the higher conversation is not held by the change");
    held.commit().await.unwrap();
    change.await.unwrap()
}

/// Returns once a transaction waits for a lock another holds: on PostgreSQL, seen in
/// `pg_stat_activity`; on SQLite, where a transaction waits for the write turn out of
/// sight, after a pause long enough for it to get there.
async fn waits_for_a_lock(store: &Store) {
    if let backend::store::Pool::Postgres(pool) = store.pool() {
        eventually("a transaction waits for a lock", || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            (waiting > 0).then_some(())
        })
        .await;
    } else {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends `drafts` (workspace, conversation, draft) so that the writer takes them as one
/// batch: `probe` is sent first while the conversations `held` are locked (on SQLite, the
/// write turn too), so its own batch waits; the drafts queue behind it, each queued before
/// the next is sent; then the lock is let go. Returns the probe's answer and theirs.
async fn sent_together(
    store: &Store,
    held: &[Uuid],
    probe: (Uuid, Uuid, Draft),
    drafts: Vec<(Uuid, Uuid, Draft)>,
) -> (Result<messages::Stored, Error>, Vec<Result<messages::Stored, Error>>) {
    let batches = || messages::writer::progress(store).map_or(0, |(_, stats)| stats.batches.load(Relaxed));
    let before = batches();
    let mut held = held.to_vec();
    held.sort_unstable();
    let mut hold = store.begin_write().await.unwrap();
    conversations::batch::lock_in(&mut hold, &held).await.unwrap();
    let send_later = |(workspace_id, conversation_id, draft): (Uuid, Uuid, Draft)| {
        let store = store.clone();
        tokio::spawn(async move { send(&store, workspace_id, conversation_id, draft).await })
    };
    let probe = send_later(probe);
    eventually("the writer takes the probe", || async { (batches() > before).then_some(()) }).await;
    let mut sends = Vec::new();
    for draft in drafts {
        sends.push(send_later(draft));
        let queued = sends.len();
        eventually("the send is queued", || async {
            messages::writer::progress(store).filter(|(waiting, _)| *waiting == queued)
        })
        .await;
    }
    drop(hold);
    let probe = probe.await.unwrap();
    let mut results = Vec::new();
    for task in sends {
        results.push(task.await.unwrap());
    }
    (probe, results)
}

/// A batch that holds several workspaces' messages numbers each workspace's feed apart
/// (consecutive positions, in conversation id order, as a batch of one workspace's does),
/// and records webhook deliveries for the workspace that subscribed, whichever way its
/// batch was written.
async fn a_batch_keeps_each_workspace_s_feed_and_webhooks(store: Store) {
    let a = fixture(&store, "acme").await;
    let b = fixture(&store, "other").await;
    let (ws_a, ws_b) = (a.owner.workspace_id, b.owner.workspace_id);
    let (second, _) = visitors::start_session(&store, &a.site, None).await.unwrap();
    let second = VisitorCaller { workspace_id: ws_a, site_id: a.site.id, visitor_id: second.id };
    let a1 = conversation(&store, &a).await;
    let (a2, _, _) =
        widget::start_conversation(&store, &second, visitor_draft(&second, "hello", Some("first"))).await.unwrap();
    let a2 = a2.id;
    let b1 = conversation(&store, &b).await;
    let settings = webhooks::WebhookSettings {
        allow_private: true,
        max_attempts: 1,
        retry_base: Duration::from_secs(30),
        disable_after_failures: 50,
        disable_after: Duration::from_secs(86_400),
        poll_interval: Duration::from_secs(1),
        timeout: Duration::from_secs(1),
        rotation_grace: Duration::from_secs(60),
    };
    let hook = NewWebhook {
        url: "http://127.0.0.1:9/hook".into(),
        description: None,
        events: vec![WebhookEventType::MessageCreated],
        site_id: None,
    };
    let (hook, _) = webhooks::create(&store, &settings, &a.owner, &hook).await.unwrap();
    let visitor_of = |id: Uuid| {
        if id == a2 {
            &second
        } else if id == b1 {
            &b.visitor
        } else {
            &a.visitor
        }
    };

    for (round, together) in [[a1, a2, b1].as_slice(), &[a1, a2]].into_iter().enumerate() {
        let heads = (feed::head(&store, ws_a).await.unwrap(), feed::head(&store, ws_b).await.unwrap());
        let drafts: Vec<(Uuid, Uuid, Draft)> = together
            .iter()
            .map(|&id| {
                let workspace_id = if id == b1 { ws_b } else { ws_a };
                (workspace_id, id, visitor_draft(visitor_of(id), "together", Some(&format!("r{round}-{id}"))))
            })
            .collect();
        let probe = (ws_a, a1, visitor_draft(&a.visitor, "probe", Some(&format!("r{round}-probe"))));
        let (probe, results) = sent_together(&store, together, probe, drafts).await;
        probe.unwrap();
        assert!(results.iter().all(|r| r.as_ref().is_ok_and(|s| s.batch_size == together.len())), "{results:?}");

        // The probe moved a1 first; then the batch gave each workspace's conversations its
        // next positions, in id order.
        let mut in_a = [a1, a2];
        in_a.sort_unstable();
        let listed = feed::after(&store, ws_a, heads.0, None, 10).await.unwrap();
        let seen: Vec<(Uuid, i64)> = listed.iter().map(|c| (c.id, c.feed_seq)).collect();
        assert_eq!(seen, [(in_a[0], heads.0 + 2), (in_a[1], heads.0 + 3)], "round {round}, workspace a");
        assert_eq!(feed::head(&store, ws_a).await.unwrap(), heads.0 + 3);
        let in_b = if together.contains(&b1) { vec![(b1, heads.1 + 1)] } else { vec![] };
        let listed = feed::after(&store, ws_b, heads.1, None, 10).await.unwrap();
        let seen: Vec<(Uuid, i64)> = listed.iter().map(|c| (c.id, c.feed_seq)).collect();
        assert_eq!(seen, in_b, "round {round}, workspace b");
        assert_eq!(feed::head(&store, ws_b).await.unwrap(), heads.1 + in_b.len() as i64);
    }
    // message.created for each of the six messages sent into workspace a (two probes, four
    // in the batches), none for the ones before it subscribed.
    let page = PageRequest { after: None, limit: 100 };
    let deliveries = webhooks::deliveries::list(&store, &a.owner, hook.id, page).await.unwrap();
    assert_eq!(deliveries.len(), 6, "{deliveries:?}");
    assert!(deliveries.iter().all(|(_, d)| d.event_type == WebhookEventType::MessageCreated));
}

/// A write transaction dropped before its commit (an error, a cancelled request) leaves
/// nothing behind, and the next one starts at once (on SQLite, in the same writer's turn).
async fn a_transaction_dropped_unfinished_stores_nothing(store: Store) {
    let f = fixture(&store, "acme").await;
    let id = conversation(&store, &f).await;
    let ws = f.owner.workspace_id;
    send(&store, ws, id, visitor_draft(&f.visitor, "kept", Some("kept"))).await.unwrap();
    {
        let mut tx = store.begin_write().await.unwrap();
        let outgoing = messages::Outgoing {
            workspace_id: ws,
            conversation_id: id,
            draft: visitor_draft(&f.visitor, "dropped", Some("dropped")),
        };
        let stored = messages::batch::store_in(&mut tx, vec![outgoing]).await.unwrap();
        assert!(stored[0].as_ref().is_ok_and(|s| s.created), "written in the transaction");
    }
    let next = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        send(&store, ws, id, visitor_draft(&f.visitor, "after", Some("after"))),
    )
    .await
    .expect("the next transaction is not held up")
    .unwrap();
    assert_eq!(next.message.seq, 3, "the dropped message took no seq");
    let listed = messages::list_after(&store, ws, id, 0, 10, Audience::Team).await.unwrap();
    let bodies: Vec<&str> = listed.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["hello", "kept", "after"]);
}
