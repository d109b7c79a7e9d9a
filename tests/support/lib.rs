//! Test support: a real `rapport` server on a random port, on a fresh database.
//!
//! The engine comes from `RAPPORT_TEST_ENGINE` (`sqlite`, the default, or `postgres`);
//! PostgreSQL is reached at `RAPPORT_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432`), where each test gets its own database.

pub mod browser;
pub mod files;
pub mod frame_schema;
pub mod host_page;
pub mod link;
pub mod node;
pub mod smtp;
pub mod webhook_receiver;
pub mod ws;

use std::path::PathBuf;

use backend::{config::Settings, startup::Application};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use uuid::Uuid;

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine selected for this test run.
    pub fn from_env() -> Self {
        match std::env::var("RAPPORT_TEST_ENGINE").as_deref() {
            Ok("postgres") => Self::Postgres,
            _ => Self::Sqlite,
        }
    }
}

pub fn postgres_base_url() -> String {
    std::env::var("RAPPORT_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A scratch directory removed when dropped.
pub struct ScratchDir(pub PathBuf);

impl ScratchDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("rapport-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("creating a scratch directory");
        Self(dir)
    }
}

impl Default for ScratchDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty database URL for `engine` (a new PostgreSQL database, or a SQLite file in `dir`).
pub async fn fresh_database(engine: Engine, dir: &ScratchDir) -> String {
    match engine {
        Engine::Sqlite => format!("sqlite://{}", dir.0.join("rapport.db").display()),
        Engine::Postgres => {
            let base = postgres_base_url();
            // Dated, so `cargo xtask test` can drop the ones whose run is over.
            let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let name = format!("rapport_test_{created}_{}", Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres")).await.expect(
                "PostgreSQL must be reachable at RAPPORT_TEST_POSTGRES_URL (start it, or run `cargo xtask test`)",
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("creating a test database");
            format!("{base}/{name}")
        }
    }
}

/// A running server.
pub struct TestApp {
    pub address: String,
    pub engine: Engine,
    pub http: reqwest::Client,
    pub database_url: String,
    /// The server's own state, when it runs in this process.
    pub state: Option<backend::state::AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: ScratchDir,
}

/// Options for [`spawn_app_with`].
#[derive(Default, Clone)]
pub struct AppOptions {
    pub signup_closed: bool,
    pub max_body_bytes: Option<usize>,
    /// Use this database instead of a fresh one (a second node of the same system).
    pub database_url: Option<String>,
    /// Use Redis for the bus and presence, with this key prefix (nodes of one system
    /// share a prefix; each test picks its own).
    pub redis_prefix: Option<String>,
    /// `RAPPORT_PUBLIC_URL`, e.g. the address of a [`link::Link`] in front of the server.
    pub public_url: Option<String>,
    /// `RAPPORT_WIDGET_DIR`; by default the built `dist/widget` of this checkout.
    pub widget_dir: Option<String>,
    /// More configuration variables (`RAPPORT_…`), taking precedence over the above.
    pub env: Vec<(String, String)>,
    /// Seed the demo workspace, as `rapport serve --demo` does (its site allows the
    /// server's own address as an origin).
    pub demo: bool,
}

pub fn redis_url() -> String {
    std::env::var("RAPPORT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A Redis key prefix no other test uses.
pub fn fresh_redis_prefix() -> String {
    format!("rapport-test:{}:", Uuid::new_v4().simple())
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    let engine = Engine::from_env();
    let dir = ScratchDir::new();
    let database_url = match options.database_url.clone() {
        Some(url) => url,
        None => fresh_database(engine, &dir).await,
    };
    let mut vars = options.env.clone();
    vars.extend([
        ("RAPPORT_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        ("RAPPORT_DATA_DIR".to_owned(), dir.0.display().to_string()),
        ("RAPPORT_DATABASE_URL".to_owned(), database_url.clone()),
        ("RAPPORT_SIGNUP".to_owned(), if options.signup_closed { "closed" } else { "open" }.to_owned()),
        ("RAPPORT_MAX_BODY_BYTES".to_owned(), options.max_body_bytes.unwrap_or(1024 * 1024).to_string()),
        // Every simulated visitor comes from 127.0.0.1: tests that create hundreds would
        // meet the per-address throttle of new visitors. Its own test turns it back on.
        ("RAPPORT_WIDGET_SESSIONS_PER_MINUTE".to_owned(), "0".to_owned()),
        // `/metrics` is closed without a token; tests read the outbox workers' rounds there.
        ("RAPPORT_METRICS_TOKEN".to_owned(), METRICS_TOKEN.to_owned()),
    ]);
    if let Some(url) = &options.public_url {
        vars.push(("RAPPORT_PUBLIC_URL".to_owned(), url.clone()));
    }
    if let Some(dir) = &options.widget_dir {
        vars.push(("RAPPORT_WIDGET_DIR".to_owned(), dir.clone()));
    }
    if let Some(prefix) = &options.redis_prefix {
        vars.push(("RAPPORT_REDIS_URL".to_owned(), redis_url()));
        vars.push(("RAPPORT_REDIS_PREFIX".to_owned(), prefix.clone()));
    }
    let settings = Settings::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        .expect("test settings");
    let app = Application::build(settings).await.expect("building the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    if options.demo {
        backend::demo::ensure(&app.state().store, &address).await.expect("seeding the demo workspace");
    }
    let state = app.state().clone();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        engine,
        http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        database_url,
        state: Some(state),
        shutdown: Some(shutdown),
        _dir: dir,
    }
}

impl TestApp {
    /// A client for a server this harness did not start (a `rapport-node` process).
    pub fn attach(address: &str, engine: Engine, database_url: &str) -> Self {
        TestApp {
            address: address.to_owned(),
            engine,
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            database_url: database_url.to_owned(),
            state: None,
            shutdown: None,
            _dir: ScratchDir::new(),
        }
    }

    /// Stops the server (gracefully: its sockets close with 1001).
    pub fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl TestApp {
    /// Rounds the `outbox` worker (`mail` or `webhooks`) of this server has completed, as
    /// `/metrics` counts them.
    pub async fn outbox_rounds(&self, outbox: &str) -> u64 {
        let metrics =
            self.http.get(self.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.expect("GET /metrics");
        assert_eq!(metrics.status(), StatusCode::OK, "/metrics must be open to the harness's token");
        let text = metrics.text().await.unwrap();
        let series = format!("rapport_outbox_rounds_total{{outbox=\"{outbox}\"}} ");
        text.lines().find_map(|line| line.strip_prefix(&series)).map_or(0, |n| n.trim().parse().unwrap())
    }

    /// Waits until the `outbox` worker has completed `rounds` more rounds: whatever it
    /// would have sent by then, it has. How tests show that something is *not* sent,
    /// without sleeping for a guessed while.
    pub async fn outbox_rounds_pass(&self, outbox: &str, rounds: u64) {
        let target = self.outbox_rounds(outbox).await + rounds;
        eventually(&format!("{rounds} rounds of the {outbox} worker"), || async {
            (self.outbox_rounds(outbox).await >= target).then_some(())
        })
        .await;
    }
}

/// A signed-up workspace with its owner's session token.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub token: String,
    pub email: String,
}

pub const PASSWORD: &str = "correct horse battery";

/// `RAPPORT_METRICS_TOKEN` of the servers [`spawn_app_with`] starts (a test may set its own,
/// or an empty one to leave `/metrics` closed).
pub const METRICS_TOKEN: &str = "harness-metrics-token-7f3a";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request to `/api/v1{path}` with an optional bearer token.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.http.request(method, self.url(&format!("/api/v1{path}")));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path, token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        json_of(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    /// Signs up a new workspace named `name`, its owner `owner@<name>.test`.
    pub async fn signup(&self, name: &str) -> Workspace {
        let email = format!("owner@{}.test", name.to_lowercase().replace(' ', "-"));
        let (status, body) = self
            .call(
                Method::POST,
                "/signup",
                None,
                Some(json!({"workspace_name": name, "name": "Owner", "email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "signup failed: {body}");
        Workspace {
            id: id(&body["workspace"]["id"]),
            owner_id: id(&body["agent"]["id"]),
            token: body["token"].as_str().unwrap().to_owned(),
            email,
        }
    }

    /// Creates a site allowing `https://shop.test`; returns (site id, site key).
    pub async fn create_site(&self, token: &str) -> (Uuid, String) {
        let (status, body) =
            self.post("/sites", token, json!({"name": "Shop", "allowed_origins": ["https://shop.test"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (id(&body["id"]), body["site_key"].as_str().unwrap().to_owned())
    }

    /// Starts a visitor session on a site; returns the visitor token.
    pub async fn visitor(&self, site_key: &str) -> String {
        let (status, body) =
            self.call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["visitor_token"].as_str().unwrap().to_owned()
    }

    /// A visitor starts a conversation; returns its id.
    pub async fn start_conversation(&self, visitor_token: &str, body: &str) -> Uuid {
        let (status, response) = self
            .post(
                "/widget/conversations",
                visitor_token,
                json!({"body": body, "client_msg_id": Uuid::new_v4().to_string()}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{response}");
        id(&response["conversation"]["id"])
    }
}

/// How long [`eventually`] waits: generous, because a busy CI machine is slow and nothing
/// that waits this way measures speed.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(20);

/// Polls `check` until it returns `Some`, for up to [`PATIENCE`]; with [`until`], the one
/// way tests wait for something another task or process does.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let mut pace = Pace::new();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        pace.wait(what).await;
    }
}

/// [`eventually`] for a condition that only holds or not.
pub async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let mut pace = Pace::new();
    while !check().await {
        pace.wait(what).await;
    }
}

/// How waits poll: quick at first, then at most five checks a second, so a check that
/// makes requests stays within the API's rate limit however long the wait.
struct Pace {
    deadline: tokio::time::Instant,
    pause: std::time::Duration,
}

impl Pace {
    fn new() -> Self {
        Self { deadline: tokio::time::Instant::now() + PATIENCE, pause: std::time::Duration::from_millis(25) }
    }

    async fn wait(&mut self, what: &str) {
        assert!(tokio::time::Instant::now() < self.deadline, "timed out after {PATIENCE:?} waiting for {what}");
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(std::time::Duration::from_millis(200));
    }
}

/// Status and JSON body of a response (`null` for an empty body).
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("response body");
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, body)
}

pub fn id(value: &Value) -> Uuid {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not a uuid: {value}"))
}

/// Asserts the documented error body and returns its code.
pub fn assert_error(status: StatusCode, body: &Value, expected_status: StatusCode, expected_code: &str) {
    assert_eq!(status, expected_status, "unexpected status, body: {body}");
    assert_eq!(body["code"], expected_code, "unexpected error body: {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "error without message: {body}");
}
