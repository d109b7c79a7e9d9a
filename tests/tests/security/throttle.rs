//! Floods of sign-ins: refused past a threshold per client address (and per account),
//! password hashing bounded so memory stays flat, and the real user still gets in.
//!
//! The server runs as its own `rapport` process so its resident memory is its own. Client
//! addresses differ for real: loopback is all of 127.0.0.0/8 on Linux, so the flood comes
//! from 127.0.0.2 and the real user from 127.0.0.3.

use std::{net::IpAddr, time::Duration};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use system_tests::{
    Engine, PASSWORD, ScratchDir, TestApp, fresh_database,
    node::{Node, free_port},
};

const MIB: u64 = 1024 * 1024;

/// `VmRSS` and `VmHWM` (peak) of a process, in bytes.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("reading /proc/<pid>/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
            * 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A client whose connections leave from `source` (a loopback address of its own).
fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(source.parse::<IpAddr>().unwrap()).build().unwrap()
}

async fn signin(
    client: &reqwest::Client,
    node: &Node,
    email: &str,
    password: &str,
) -> (StatusCode, Option<String>, Value) {
    let response = client
        .post(format!("{}/api/v1/signin", node.address))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sign-in sent");
    let status = response.status();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, retry_after, body)
}

/// A `rapport` process on a fresh database, with `vars`, and a signed-up workspace.
async fn start(dir: &ScratchDir, vars: &[(&str, &str)]) -> (Node, String) {
    let engine = Engine::from_env();
    let database_url = fresh_database(engine, dir).await;
    let mut all =
        vec![("RAPPORT_DATABASE_URL", database_url.clone()), ("RAPPORT_DATA_DIR", dir.0.display().to_string())];
    all.extend(vars.iter().map(|(k, v)| (*k, v.to_string())));
    let node = Node::start(free_port(), &all).await;
    let app = TestApp::attach(&node.address, engine, &database_url);
    let workspace = app.signup("Flooded").await;
    (node, workspace.email)
}

/// Settles the process and reads its resting RSS: after start-up, a sign-up and a sign-in
/// (so the hashing threads and their memory exist, as on any running server).
async fn resting_rss(node: &Node, email: &str) -> u64 {
    let (status, _, body) = signin(&client_from("127.0.0.3"), node, email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    memory(node.pid()).0
}

#[tokio::test]
async fn a_flood_of_wrong_sign_ins_is_refused_and_memory_stays_flat() {
    let dir = ScratchDir::new();
    // The shipped defaults: 10 tries per address per minute, 20 per account per hour.
    let (node, email) = start(&dir, &[]).await;
    let rest = resting_rss(&node, &email).await;

    let flood = client_from("127.0.0.2");
    let guesses: Vec<String> = (0..200).map(|i| format!("wrong guess {i}")).collect();
    let answers = join_all(guesses.iter().map(|guess| signin(&flood, &node, &email, guess))).await;
    let (rss_after, peak) = memory(node.pid());

    let refused: Vec<_> = answers.iter().filter(|(status, ..)| *status == StatusCode::TOO_MANY_REQUESTS).collect();
    let wrong = answers.iter().filter(|(status, ..)| *status == StatusCode::UNAUTHORIZED).count();
    let other: Vec<_> = answers
        .iter()
        .filter(|(s, ..)| *s != StatusCode::TOO_MANY_REQUESTS && *s != StatusCode::UNAUTHORIZED)
        .collect();
    assert!(other.is_empty(), "only 401 and 429 expected: {other:?}");
    // The bucket holds 10 tries and refills one every 6 s: the flood takes a second or two.
    assert!((10..=11).contains(&wrong), "{wrong} wrong passwords were checked; the threshold is 10");
    assert_eq!(refused.len(), 200 - wrong);
    for (_, retry_after, body) in &refused {
        assert_eq!(body["code"], "too_many_attempts", "{body}");
        let secs: u64 = retry_after.as_deref().expect("Retry-After on every 429").parse().unwrap();
        assert!((1..=60).contains(&secs), "Retry-After {secs}");
    }
    println!(
        "RSS at rest {} MiB, after the flood {} MiB, peak {} MiB; {wrong} checked, {} refused",
        rest / MIB,
        rss_after / MIB,
        peak / MIB,
        refused.len()
    );
    assert!(peak <= rest + 100 * MIB, "peak RSS {} MiB, resting {} MiB", peak / MIB, rest / MIB);

    // The flooding address stays refused, even with the right password…
    let (status, _, body) = signin(&flood, &node, &email, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // …while the real user, elsewhere, signs in.
    let (status, _, body) = signin(&client_from("127.0.0.3"), &node, &email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["token"].as_str().is_some_and(|t| t.starts_with("rps_")));
}

/// Password hashing takes 19 MiB a try; once the sign-ins are over, the server gives it all
/// back. With eight hashing threads busy at once, a server whose threads each kept their
/// buffer stayed about 130 MiB above its resting size for good; the pipeline issue allows
/// 50 MB.
#[tokio::test]
async fn memory_taken_by_sign_ins_goes_back_to_the_system() {
    let dir = ScratchDir::new();
    let vars = [("RAPPORT_RATE_LIMIT_PER_MINUTE", "0"), ("RAPPORT_PASSWORD_HASHING_THREADS", "8")];
    let (node, email) = start(&dir, &vars).await;
    // Past the hashing threads' idle second after the sign-up's hash.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rest = memory(node.pid()).0;
    let client = client_from("127.0.0.4");
    for _ in 0..3 {
        let answers = join_all((0..8).map(|_| signin(&client, &node, &email, PASSWORD))).await;
        assert!(answers.iter().all(|(status, ..)| *status == StatusCode::OK), "{answers:?}");
    }
    let (after, peak) = memory(node.pid());
    println!("RSS at rest {} MiB, right after 24 sign-ins {} MiB, peak {} MiB", rest / MIB, after / MIB, peak / MIB);
    let settled = system_tests::eventually("the hashing memory goes back", || async {
        let now = memory(node.pid()).0;
        (now <= rest + 50 * MIB).then_some(now)
    })
    .await;
    println!("RSS settled at {} MiB", settled / MIB);
}

#[tokio::test]
async fn guesses_at_one_account_from_many_addresses_are_refused_per_account() {
    let dir = ScratchDir::new();
    let (node, email) = start(&dir, &[("RAPPORT_SIGNIN_ATTEMPTS_PER_ACCOUNT_PER_HOUR", "5")]).await;
    // The real sign-in in `resting_rss` is the account's first try of five.
    resting_rss(&node, &email).await;
    for n in 0..4 {
        let (status, _, body) =
            signin(&client_from(&format!("127.0.1.{}", n + 1)), &node, &email, "a wrong guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    // A fifth address, and then even the right password, meet the account's limit…
    for password in ["a wrong guess", PASSWORD] {
        let (status, retry_after, body) = signin(&client_from("127.0.1.9"), &node, &email, password).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["code"], "too_many_attempts");
        assert!(retry_after.is_some());
    }
    // …and an unknown account is throttled exactly alike (nothing tells them apart).
    for n in 0..5 {
        let (status, ..) = signin(&client_from(&format!("127.0.2.{}", n + 1)), &node, "nobody@flooded.test", "x").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, ..) = signin(&client_from("127.0.2.9"), &node, "nobody@flooded.test", "x").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn with_throttles_off_hashing_is_still_bounded_and_the_overflow_is_told_to_retry() {
    let dir = ScratchDir::new();
    let (node, email) = start(
        &dir,
        &[
            ("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0"),
            ("RAPPORT_SIGNIN_ATTEMPTS_PER_ACCOUNT_PER_HOUR", "0"),
            ("RAPPORT_PASSWORD_HASHING_THREADS", "2"),
            ("RAPPORT_PASSWORD_HASHING_QUEUE", "8"),
        ],
    )
    .await;
    let rest = resting_rss(&node, &email).await;
    let flood = client_from("127.0.0.2");
    let answers = join_all((0..200).map(|_| signin(&flood, &node, &email, "wrong password here"))).await;
    let (_, peak) = memory(node.pid());
    let busy: Vec<_> = answers.iter().filter(|(status, ..)| *status == StatusCode::SERVICE_UNAVAILABLE).collect();
    let checked = answers.iter().filter(|(status, ..)| *status == StatusCode::UNAUTHORIZED).count();
    assert_eq!(busy.len() + checked, 200, "only 401 and 503 expected");
    assert!(checked >= 10, "the two threads and the queue of 8 served some: {checked}");
    assert!(!busy.is_empty(), "a queue of 8 cannot hold 200");
    for (_, retry_after, body) in &busy {
        assert_eq!(body["code"], "busy", "{body}");
        assert!(retry_after.as_deref().is_some_and(|s| s.parse::<u64>().is_ok()), "Retry-After on every 503");
    }
    println!(
        "RSS at rest {} MiB, peak {} MiB; {checked} checked, {} told to retry",
        rest / MIB,
        peak / MIB,
        busy.len()
    );
    assert!(peak <= rest + 100 * MIB, "peak RSS {} MiB, resting {} MiB", peak / MIB, rest / MIB);
    let (status, _, body) = signin(&flood, &node, &email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the server recovers at once: {body}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let dir = ScratchDir::new();
    let (node, email) =
        start(&dir, &[("RAPPORT_TRUSTED_PROXIES", "127.0.0.5"), ("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "3")]).await;
    let proxy = client_from("127.0.0.5");
    let through = |client: String| {
        let proxy = proxy.clone();
        let address = node.address.clone();
        let email = email.clone();
        async move {
            proxy
                .post(format!("{address}/api/v1/signin"))
                // What the client claims comes first; the proxy appends who it really is.
                .header("x-forwarded-for", format!("10.9.9.9, {client}"))
                .json(&json!({"email": email, "password": "wrong password"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for _ in 0..3 {
        assert_eq!(through("198.51.100.1".into()).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(through("198.51.100.1".into()).await, StatusCode::TOO_MANY_REQUESTS, "that client is spent");
    assert_eq!(
        through("198.51.100.2".into()).await,
        StatusCode::UNAUTHORIZED,
        "another client behind the same proxy is not"
    );

    // From an address that is not a trusted proxy the header means nothing: it cannot
    // buy fresh tries by naming new addresses.
    let direct = client_from("127.0.0.6");
    let mut statuses = Vec::new();
    for n in 0..4 {
        let status = direct
            .post(format!("{}/api/v1/signin", node.address))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .json(&json!({"email": email, "password": "wrong password"}))
            .send()
            .await
            .unwrap()
            .status();
        statuses.push(status);
    }
    assert_eq!(statuses[..3], [StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

#[tokio::test]
async fn new_widget_sessions_and_sign_ups_are_throttled_per_address() {
    use reqwest::Method;
    use system_tests::{AppOptions, json_of, spawn_app_with};
    let env = [("RAPPORT_WIDGET_SESSIONS_PER_MINUTE", "5"), ("RAPPORT_SIGNUPS_PER_HOUR", "2")];
    let app = spawn_app_with(AppOptions {
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..AppOptions::default()
    })
    .await;
    let owner = app.signup("Shop").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let first = app.visitor(&site_key).await;
    for _ in 0..4 {
        app.visitor(&site_key).await;
    }
    let session = |token: Option<&str>| {
        let body = json!({"site_key": site_key, "visitor_token": token});
        json_of_request(app.request(Method::POST, "/widget/session", None).json(&body))
    };
    let (status, body) = session(None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a sixth new visitor: {body}");
    assert_eq!(body["code"], "too_many_attempts");
    // A returning visitor is not a new one.
    let (status, body) = session(Some(&first)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["visitor_token"], json!(first));

    // Sign-ups: the harness's own was the first of two.
    app.signup("Second").await;
    let third = json!({"workspace_name": "Third", "name": "O", "email": "o@third.test", "password": PASSWORD});
    let (status, body) = json_of(app.request(Method::POST, "/signup", None).json(&third).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
}

async fn json_of_request(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    system_tests::json_of(request.send().await.unwrap()).await
}

/// What the load generator (`load.js`, `cargo xtask bench`) does with only
/// `RAPPORT_RATE_LIMIT_PER_MINUTE=0` set: from one address, a sign-up, 20 agents created
/// and signed in, then hundreds of new visitors. Turning rate limits off turns the
/// throttles per address and account off too, so none of it is refused.
#[tokio::test]
async fn rate_limits_off_lets_a_load_test_start_everything_from_one_address() {
    let dir = ScratchDir::new();
    let (node, _) = start(&dir, &[("RAPPORT_RATE_LIMIT_PER_MINUTE", "0")]).await;
    let client = client_from("127.0.0.1");
    let api = |path: &str| format!("{}/api/v1{path}", node.address);
    let post = |path: String, token: Option<String>, body: Value| {
        let client = client.clone();
        async move {
            let mut request = client.post(path).json(&body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for n in 0..3 {
        let body = json!({"workspace_name": format!("Load {n}"), "name": "O", "email": format!("o{n}@load.test"), "password": PASSWORD});
        let (status, signed_up) = post(api("/signup"), None, body).await;
        assert_eq!(status, StatusCode::CREATED, "{signed_up}");
    }
    let body = json!({"workspace_name": "Load", "name": "Owner", "email": "owner@load.test", "password": PASSWORD});
    let (status, owner) = post(api("/signup"), None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{owner}");
    let owner = owner["token"].as_str().unwrap().to_owned();
    let (status, site) =
        post(api("/sites"), Some(owner.clone()), json!({"name": "Load", "allowed_origins": ["http://load.test"]}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    let site_key = site["site_key"].as_str().unwrap().to_owned();

    let signins = join_all((0..20).map(|a| {
        let (post, owner, api) = (&post, owner.clone(), &api);
        async move {
            let email = format!("agent{a}@load.test");
            let agent = json!({"name": format!("Agent {a}"), "email": email, "password": PASSWORD, "role": "agent"});
            let (status, body) = post(api("/agents"), Some(owner), agent).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            post(api("/signin"), None, json!({"email": email, "password": PASSWORD})).await
        }
    }))
    .await;
    for (status, body) in &signins {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let visitors =
        join_all((0..300).map(|_| post(api("/widget/session"), None, json!({"site_key": site_key.clone()})))).await;
    let refused: Vec<_> = visitors.iter().filter(|(status, _)| *status != StatusCode::OK).collect();
    assert!(refused.is_empty(), "{} of 300 new visitors refused, e.g. {:?}", refused.len(), refused.first());
}
