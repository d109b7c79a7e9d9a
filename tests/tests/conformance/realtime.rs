//! One real-time conformance suite, run against both implementations: every case below
//! runs once in process (`LocalBus`, `LocalPresence`) and once on Redis (`RedisBus`,
//! `RedisPresence`), through the same traits the server uses.
//!
//! Redis is reached at `RAPPORT_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`). Each
//! Redis test uses a fresh key and channel prefix, so tests share one server without
//! seeing each other; the last cases are Redis-only (prefixes, a broken link).

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use backend::realtime::{
    bus::{Bus, Event, Interrupted, LocalBus, RedisBus, Subscription, Topic},
    presence::{self, LocalPresence, PresenceStore, RedisPresence, Roster},
};
use openapi::realtime::AgentStatus;
use uuid::Uuid;

/// Runs each listed case as two tests, `<case>::local` and `<case>::redis`; `$open` builds
/// the case's argument for a [`Backend`].
macro_rules! conformance {
    ($open:ident => $($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local() {
                super::$case(super::$open(super::Backend::Local).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis() {
                let prefix = super::fresh_prefix();
                super::$case(super::$open(super::Backend::Redis(prefix.clone())).await).await;
                super::forget(&prefix).await;
            }
        }
    )+};
}

conformance!(
    bus =>
    delivers_to_every_subscriber_of_the_topic_only,
    keeps_publish_order,
    delivers_everything_published_after_subscribe,
    nodes_see_each_other,
    last_unsubscribe_stops_delivery_and_resubscribing_works,
    slow_subscriber_lags_while_fast_one_keeps_up,
);

conformance!(
    presence =>
    members_touch_and_leave,
    several_connections_of_a_member_count_once,
    connections_expire_after_their_ttl,
    rosters_are_isolated,
    agent_statuses_are_per_workspace,
);

/// How long a case waits for an event before failing.
const PATIENCE: Duration = Duration::from_secs(5);

/// Which implementation a test runs on.
enum Backend {
    Local,
    /// Redis, with this key and channel prefix.
    Redis(String),
}

fn redis_url() -> String {
    std::env::var("RAPPORT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn fresh_prefix() -> String {
    format!("rapport-test:{}:", Uuid::new_v4())
}

async fn redis_admin() -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("Redis must be reachable at RAPPORT_TEST_REDIS_URL (redis-server --port 6379)")
}

/// Deletes what a test left under `prefix` (status hashes never expire on their own).
async fn forget(prefix: &str) {
    let mut admin = redis_admin().await;
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut admin).await.unwrap();
    if !keys.is_empty() {
        redis::cmd("DEL").arg(keys).exec_async(&mut admin).await.unwrap();
    }
}

/// The bus of one deployment, able to start more of its nodes.
enum Deployment {
    /// One process: every node is the same bus.
    Local(LocalBus),
    /// Each node is its own `RedisBus` on the shared prefix.
    Redis(String),
}

async fn bus(backend: Backend) -> Deployment {
    match backend {
        Backend::Local => Deployment::Local(LocalBus::new()),
        Backend::Redis(prefix) => Deployment::Redis(prefix),
    }
}

impl Deployment {
    async fn node(&self) -> Arc<dyn Bus> {
        match self {
            Self::Local(bus) => Arc::new(bus.clone()),
            Self::Redis(prefix) => Arc::new(RedisBus::connect(&redis_url(), prefix).await.expect("connecting a bus")),
        }
    }

    /// Waits until no node listens to `topic` (on Redis: its channel lost its subscriber),
    /// so an event published next can reach nobody.
    async fn until_unsubscribed(&self, topic: Topic) {
        let Self::Redis(prefix) = self else { return };
        let (admin, channel) = (redis_admin().await, format!("{prefix}{topic}"));
        system_tests::until("the channel without subscribers", || {
            let (mut admin, channel) = (admin.clone(), channel.clone());
            async move {
                let (_, subscribers): (String, i64) =
                    redis::cmd("PUBSUB").arg("NUMSUB").arg(&channel).query_async(&mut admin).await.unwrap();
                subscribers == 0
            }
        })
        .await;
    }
}

/// A distinct event, numbered so order can be checked.
fn event(n: u128) -> Event {
    Event::SessionEnded { session_id: Uuid::from_u128(n) }
}

fn workspace() -> Topic {
    Topic::Workspace(Uuid::new_v4())
}

async fn next(subscription: &mut Subscription) -> Event {
    match tokio::time::timeout(PATIENCE, subscription.recv()).await {
        Ok(Ok(event)) => (*event).clone(),
        Ok(Err(interrupted)) => panic!("{} interrupted: {interrupted:?}", subscription.topic()),
        Err(_) => panic!("no event on {} in time", subscription.topic()),
    }
}

async fn delivers_to_every_subscriber_of_the_topic_only(deployment: Deployment) {
    let node = deployment.node().await;
    let (a, b) = (workspace(), Topic::Visitor(Uuid::new_v4()));
    let mut first = node.subscribe(a).await.unwrap();
    let mut second = node.subscribe(a).await.unwrap();
    let mut other = node.subscribe(b).await.unwrap();
    node.publish(a, event(1)).await.unwrap();
    node.publish(b, event(2)).await.unwrap();
    assert_eq!(next(&mut first).await, event(1));
    assert_eq!(next(&mut second).await, event(1));
    // The other topic's first event is its own: `a`'s never reached it.
    assert_eq!(next(&mut other).await, event(2));
    assert_eq!(first.topic(), a);
}

async fn keeps_publish_order(deployment: Deployment) {
    let node = deployment.node().await;
    let topic = workspace();
    let mut subscription = node.subscribe(topic).await.unwrap();
    for n in 0..200 {
        node.publish(topic, event(n)).await.unwrap();
    }
    for n in 0..200 {
        assert_eq!(next(&mut subscription).await, event(n), "event {n} out of order");
    }
}

/// Connections read the database right after subscribing: an event published once
/// `subscribe` resolved must never be missed, even when the topic was just left.
async fn delivers_everything_published_after_subscribe(deployment: Deployment) {
    let (listener, publisher) = (deployment.node().await, deployment.node().await);
    let reused = workspace();
    for n in 0..60 {
        let topic = if n % 2 == 0 { workspace() } else { reused };
        let mut subscription = listener.subscribe(topic).await.unwrap();
        publisher.publish(topic, event(n)).await.unwrap();
        assert_eq!(next(&mut subscription).await, event(n), "round {n}");
    }
}

async fn nodes_see_each_other(deployment: Deployment) {
    let (one, two) = (deployment.node().await, deployment.node().await);
    let topic = workspace();
    let mut on_one = one.subscribe(topic).await.unwrap();
    let mut on_two = two.subscribe(topic).await.unwrap();
    one.publish(topic, event(1)).await.unwrap();
    two.publish(topic, event(2)).await.unwrap();
    for subscription in [&mut on_one, &mut on_two] {
        assert_eq!(next(subscription).await, event(1));
        assert_eq!(next(subscription).await, event(2));
    }
}

async fn last_unsubscribe_stops_delivery_and_resubscribing_works(deployment: Deployment) {
    let node = deployment.node().await;
    let topic = workspace();
    let leaving = node.subscribe(topic).await.unwrap();
    let mut staying = node.subscribe(topic).await.unwrap();
    drop(leaving);
    node.publish(topic, event(1)).await.unwrap();
    assert_eq!(next(&mut staying).await, event(1), "one subscriber leaving does not stop the others");

    drop(staying);
    deployment.until_unsubscribed(topic).await;
    node.publish(topic, event(2)).await.unwrap();
    let mut again = node.subscribe(topic).await.unwrap();
    node.publish(topic, event(3)).await.unwrap();
    assert_eq!(next(&mut again).await, event(3), "nothing published while nobody listened arrives later");
}

async fn slow_subscriber_lags_while_fast_one_keeps_up(deployment: Deployment) {
    let node = deployment.node().await;
    let topic = workspace();
    let mut fast = node.subscribe(topic).await.unwrap();
    let mut slow = node.subscribe(topic).await.unwrap();
    // In rounds, so the fast one is never more than a round behind.
    let per_round = 100;
    let rounds = topic.capacity() / per_round + 2;
    assert!(rounds * per_round > topic.capacity());
    for round in 0..rounds {
        let numbers = (round * per_round) as u128..((round + 1) * per_round) as u128;
        for n in numbers.clone() {
            node.publish(topic, event(n)).await.unwrap();
        }
        for n in numbers {
            assert_eq!(next(&mut fast).await, event(n));
        }
    }
    let lagged = tokio::time::timeout(PATIENCE, slow.recv()).await.expect("the slow subscriber is told at once");
    assert_eq!(lagged.unwrap_err(), Interrupted::Lagged);
}

async fn presence(backend: Backend) -> Box<dyn PresenceStore> {
    match backend {
        Backend::Local => Box::new(LocalPresence::new()),
        Backend::Redis(prefix) => {
            Box::new(RedisPresence::connect(&redis_url(), &prefix).await.expect("connecting presence"))
        }
    }
}

const LONG: Duration = Duration::from_secs(30);

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort_unstable();
    ids
}

async fn members_touch_and_leave(store: Box<dyn PresenceStore>) {
    let roster = Roster::SiteVisitors(Uuid::new_v4());
    let (ann, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let (ann_tab, bob_tab) = (Uuid::new_v4(), Uuid::new_v4());
    assert!(store.members(roster).await.unwrap().is_empty());
    store.touch(roster, ann, ann_tab, LONG).await.unwrap();
    store.touch(roster, bob, bob_tab, LONG).await.unwrap();
    // A heartbeat touches again: still one entry.
    store.touch(roster, ann, ann_tab, LONG).await.unwrap();
    assert_eq!(store.members(roster).await.unwrap(), sorted(vec![ann, bob]));
    store.leave(roster, ann, ann_tab).await.unwrap();
    assert_eq!(store.members(roster).await.unwrap(), vec![bob]);
    store.leave(roster, bob, bob_tab).await.unwrap();
    assert!(store.members(roster).await.unwrap().is_empty());
    // Leaving twice (a close racing an expiry) is harmless.
    store.leave(roster, bob, bob_tab).await.unwrap();
}

async fn several_connections_of_a_member_count_once(store: Box<dyn PresenceStore>) {
    let roster = Roster::WorkspaceAgents(Uuid::new_v4());
    let agent = Uuid::new_v4();
    let (laptop, phone) = (Uuid::new_v4(), Uuid::new_v4());
    store.touch(roster, agent, laptop, LONG).await.unwrap();
    store.touch(roster, agent, phone, LONG).await.unwrap();
    assert_eq!(store.members(roster).await.unwrap(), vec![agent]);
    store.leave(roster, agent, laptop).await.unwrap();
    assert_eq!(store.members(roster).await.unwrap(), vec![agent], "present while any connection lives");
    store.leave(roster, agent, phone).await.unwrap();
    assert!(store.members(roster).await.unwrap().is_empty());
}

/// What makes a crashed node's connections vanish: nobody refreshes them.
async fn connections_expire_after_their_ttl(store: Box<dyn PresenceStore>) {
    let roster = Roster::SiteVisitors(Uuid::new_v4());
    let (crashed, alive) = (Uuid::new_v4(), Uuid::new_v4());
    store.touch(roster, crashed, Uuid::new_v4(), Duration::from_millis(300)).await.unwrap();
    store.touch(roster, alive, Uuid::new_v4(), LONG).await.unwrap();
    assert_eq!(store.members(roster).await.unwrap(), sorted(vec![crashed, alive]));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(store.members(roster).await.unwrap(), vec![alive]);

    // A heartbeat within the TTL keeps a connection present past its first expiry.
    let roster = Roster::SiteVisitors(Uuid::new_v4());
    let (visitor, tab, ttl) = (Uuid::new_v4(), Uuid::new_v4(), Duration::from_millis(500));
    store.touch(roster, visitor, tab, ttl).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    store.touch(roster, visitor, tab, ttl).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.members(roster).await.unwrap(), vec![visitor]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(store.members(roster).await.unwrap().is_empty());
}

async fn rosters_are_isolated(store: Box<dyn PresenceStore>) {
    let id = Uuid::new_v4();
    let member = Uuid::new_v4();
    store.touch(Roster::SiteVisitors(id), member, Uuid::new_v4(), LONG).await.unwrap();
    assert_eq!(store.members(Roster::SiteVisitors(id)).await.unwrap(), vec![member]);
    assert!(store.members(Roster::SiteVisitors(Uuid::new_v4())).await.unwrap().is_empty());
    // Same id, other kind of roster.
    assert!(store.members(Roster::WorkspaceAgents(id)).await.unwrap().is_empty());
}

async fn agent_statuses_are_per_workspace(store: Box<dyn PresenceStore>) {
    let (acme, globex) = (Uuid::new_v4(), Uuid::new_v4());
    let (ann, bob) = (Uuid::new_v4(), Uuid::new_v4());
    assert!(store.statuses(acme).await.unwrap().is_empty());
    store.set_status(acme, ann, AgentStatus::Away).await.unwrap();
    store.set_status(acme, bob, AgentStatus::Online).await.unwrap();
    store.set_status(globex, ann, AgentStatus::Online).await.unwrap();
    store.set_status(acme, bob, AgentStatus::Offline).await.unwrap();
    assert_eq!(
        store.statuses(acme).await.unwrap(),
        BTreeMap::from([(ann, AgentStatus::Away), (bob, AgentStatus::Offline)])
    );
    assert_eq!(store.statuses(globex).await.unwrap(), BTreeMap::from([(ann, AgentStatus::Online)]));

    // Effective statuses: present agents only, offline ones left out.
    let roster = Roster::WorkspaceAgents(acme);
    store.touch(roster, ann, Uuid::new_v4(), LONG).await.unwrap();
    store.touch(roster, bob, Uuid::new_v4(), LONG).await.unwrap();
    assert_eq!(presence::agents(&*store, acme).await.unwrap(), BTreeMap::from([(ann, AgentStatus::Away)]));
    assert_eq!(presence::agent_status(&*store, globex, ann).await.unwrap(), AgentStatus::Offline, "not present there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_prefixes_are_isolated() {
    let (first, second) = (fresh_prefix(), fresh_prefix());
    let url = redis_url();
    let (bus_one, bus_two) =
        (RedisBus::connect(&url, &first).await.unwrap(), RedisBus::connect(&url, &second).await.unwrap());
    let topic = workspace();
    let mut on_one = bus_one.subscribe(topic).await.unwrap();
    let mut on_two = bus_two.subscribe(topic).await.unwrap();
    bus_one.publish(topic, event(1)).await.unwrap();
    bus_two.publish(topic, event(2)).await.unwrap();
    assert_eq!(next(&mut on_one).await, event(1));
    assert_eq!(next(&mut on_two).await, event(2), "the other deployment's event never arrives");

    let (presence_one, presence_two) =
        (RedisPresence::connect(&url, &first).await.unwrap(), RedisPresence::connect(&url, &second).await.unwrap());
    let (roster, workspace_id, agent) = (Roster::WorkspaceAgents(Uuid::new_v4()), Uuid::new_v4(), Uuid::new_v4());
    presence_one.touch(roster, agent, Uuid::new_v4(), LONG).await.unwrap();
    presence_one.set_status(workspace_id, agent, AgentStatus::Away).await.unwrap();
    assert!(presence_two.members(roster).await.unwrap().is_empty());
    assert!(presence_two.statuses(workspace_id).await.unwrap().is_empty());
    forget(&first).await;
    forget(&second).await;
}

/// When a node's pub/sub connection drops, its subscribers may have missed events: they
/// must be told (so their clients resume from the database), and the node must recover.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_broken_link_closes_subscriptions_then_recovers() {
    // A Redis user of its own lets this test kill its bus's connection, and only that one,
    // while other tests share the server.
    let mut admin = redis_admin().await;
    let user = RedisUser::create(&mut admin).await;
    let prefix = fresh_prefix();
    let node = RedisBus::connect(&user.url(), &prefix).await.unwrap();
    let other = RedisBus::connect(&redis_url(), &prefix).await.unwrap();
    let topic = workspace();
    let mut before = node.subscribe(topic).await.unwrap();
    other.publish(topic, event(1)).await.unwrap();
    assert_eq!(next(&mut before).await, event(1));

    let killed: i64 = redis::cmd("CLIENT")
        .arg(&["KILL", "USER", user.name.as_str(), "TYPE", "pubsub"])
        .query_async(&mut admin)
        .await
        .unwrap();
    assert_eq!(killed, 1, "exactly the bus's pub/sub connection");
    let closed = tokio::time::timeout(PATIENCE, before.recv()).await.expect("subscribers are told at once");
    assert_eq!(closed.unwrap_err(), Interrupted::Closed);

    // The link reconnects with backoff; until then subscribing fails rather than hangs.
    let mut after = system_tests::eventually("the bus to recover", || async { node.subscribe(topic).await.ok() }).await;
    other.publish(topic, event(2)).await.unwrap();
    node.publish(topic, event(3)).await.unwrap();
    assert_eq!(next(&mut after).await, event(2));
    assert_eq!(next(&mut after).await, event(3));
}

/// A Redis user of its own, deleted when dropped (even when the test fails).
struct RedisUser {
    name: String,
    password: String,
}

impl RedisUser {
    async fn create(admin: &mut redis::aio::MultiplexedConnection) -> Self {
        let user = Self {
            name: format!("rapport-test-{}", Uuid::new_v4().simple()),
            password: Uuid::new_v4().simple().to_string(),
        };
        let password = format!(">{}", user.password);
        redis::cmd("ACL")
            .arg(&["SETUSER", user.name.as_str(), "on", password.as_str(), "~*", "&*", "+@all"])
            .exec_async(admin)
            .await
            .expect("creating a Redis user (the test server must allow ACL SETUSER)");
        user
    }

    /// The test server's URL with this user's credentials.
    fn url(&self) -> String {
        let base = redis_url();
        let (scheme, rest) = base.split_once("://").expect("a Redis URL has a scheme");
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{}:{}@{host}", self.name, self.password)
    }
}

impl Drop for RedisUser {
    fn drop(&mut self) {
        // Blocking, on a thread of its own: drop cannot await inside the test's runtime.
        let name = self.name.clone();
        let deleted = std::thread::spawn(move || -> redis::RedisResult<()> {
            let mut admin = redis::Client::open(redis_url())?.get_connection()?;
            redis::cmd("ACL").arg("DELUSER").arg(name).exec(&mut admin)
        })
        .join();
        if !matches!(deleted, Ok(Ok(()))) {
            eprintln!("could not delete Redis user {}", self.name);
        }
    }
}
