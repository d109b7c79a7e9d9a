//! One storage conformance suite, run against both engines: every case below runs once on
//! SQLite and once on PostgreSQL, through the same domain functions the server uses.

use std::collections::BTreeSet;

use backend::{
    agents,
    auth::{Actor, Caller, VisitorCaller},
    conversations,
    error::Error,
    messages::{self, Audience, Author, Draft},
    sites,
    store::Store,
    visitors, widget,
    workspaces::{self, NewWorkspace},
};
use openapi::{
    agents::Role,
    messages::{AuthorKind, MessageKind},
    sites::NewSite,
};
use system_tests::{Engine, ScratchDir, fresh_database};
use uuid::Uuid;

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
    emails_are_unique_across_workspaces,
    queries_are_scoped_by_workspace,
    seq_is_gapless_under_concurrent_senders,
    client_msg_id_stores_once_even_when_raced,
    duplicate_rolls_back_its_seq,
    visitors_never_read_notes,
    visitor_sessions_resume_only_on_their_site,
    starting_a_conversation_is_idempotent,
);

async fn open(engine: Engine) -> (Store, ScratchDir) {
    let dir = ScratchDir::new();
    let url = fresh_database(engine, &dir).await;
    let store = Store::connect(&url).await.expect("connecting");
    store.migrate().await.expect("migrating");
    (store, dir)
}

/// A workspace with its owner as a caller, a site and a visitor.
struct Fixture {
    owner: Caller,
    site: sites::SiteRow,
    visitor: VisitorCaller,
}

async fn fixture(store: &Store, name: &str) -> Fixture {
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

async fn conversation(store: &Store, f: &Fixture) -> Uuid {
    let (conversation, _, _) =
        widget::start_conversation(store, &f.visitor, visitor_draft(&f.visitor, "hello", Some("first"))).await.unwrap();
    conversation.id
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
    // A failed sign-up (taken email) leaves no orphan workspace behind.
    let again = NewWorkspace::parse("Other", "Owner", "owner@acme.test", "correct horse battery").unwrap();
    assert!(matches!(workspaces::create(&store, again).await, Err(Error::Conflict { code: "email_taken", .. })));
    let count: i64 =
        backend::on_pool!(&store, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM workspaces").fetch_one(pool).await)
            .unwrap();
    assert_eq!(count, 1);
}

async fn emails_are_unique_across_workspaces(store: Store) {
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
    let clash =
        agents::create(&store, &b.owner, &openapi::agents::NewAgent { email: "bo@shared.test".into(), ..new }).await;
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
    assert!(matches!(messages::append(&store, a_id, b_conversation, draft).await, Err(Error::NotFound(_))));
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
                messages::append(&store, workspace_id, id, draft).await.unwrap();
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
        tasks.push(tokio::spawn(async move { messages::append(&store, workspace_id, id, draft).await.unwrap() }));
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
    messages::append(&store, ws, id, visitor_draft(&f.visitor, "a", Some("a"))).await.unwrap();
    let again = messages::append(&store, ws, id, visitor_draft(&f.visitor, "a", Some("a"))).await.unwrap();
    assert!(!again.created);
    let next = messages::append(&store, ws, id, visitor_draft(&f.visitor, "b", Some("b"))).await.unwrap();
    assert_eq!(next.message.seq, 3, "the duplicate did not consume a seq");
}

async fn visitors_never_read_notes(store: Store) {
    let f = fixture(&store, "acme").await;
    let id = conversation(&store, &f).await;
    let ws = f.owner.workspace_id;
    let agent = Author { kind: AuthorKind::Agent, id: Some(f.owner.agent_id().unwrap()) };
    messages::append(&store, ws, id, Draft::parse(agent, MessageKind::Note, "internal", None).unwrap()).await.unwrap();
    messages::append(&store, ws, id, Draft::parse(agent, MessageKind::Text, "public", None).unwrap()).await.unwrap();
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
