//! What every load benchmark sets up: a database of its own, a `rapport-node` process on
//! it, a workspace with a site and signed-in agents, visitor tokens; and small helpers
//! for running setup requests and reading figures.

use anyhow::{Context, Result, anyhow};
use futures_util::{StreamExt, stream};
use serde_json::json;
use sqlx::Connection;
use system_tests::{
    ScratchDir, TestApp,
    node::{Node, free_port},
};
use uuid::Uuid;

use std::sync::Arc;

use tokio::{sync::watch, task::JoinHandle};

use crate::{
    procstat::postgres_cpu_seconds,
    traffic::{self, ORIGIN, Plan, Shared},
};

/// A storage engine to run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database of the engine's own for one run.
pub struct Database {
    pub url: String,
    /// PostgreSQL: its name, and a connection to read its backends' CPU and drop it after.
    postgres: Option<(String, sqlx::PgPool)>,
    _dir: ScratchDir,
}

/// A fresh database; `postgres` is the PostgreSQL server's URL (without a database).
pub async fn database(postgres: &str, engine: Engine) -> Result<Database> {
    let dir = ScratchDir::new();
    match engine {
        Engine::Sqlite => {
            let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.0.display());
            Ok(Database { url, postgres: None, _dir: dir })
        }
        Engine::Postgres => {
            let name = format!("rapport_load_{}", Uuid::new_v4().simple());
            let admin_url = format!("{}/postgres", postgres.trim_end_matches('/'));
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.context("connecting to PostgreSQL")?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
            let pool = sqlx::PgPool::connect(&admin_url).await?;
            let url = format!("{}/{name}", postgres.trim_end_matches('/'));
            Ok(Database { url, postgres: Some((name, pool)), _dir: dir })
        }
    }
}

impl Database {
    pub async fn cpu_seconds(&self) -> f64 {
        match &self.postgres {
            Some((name, pool)) => postgres_cpu_seconds(pool, name).await,
            None => 0.0,
        }
    }

    pub async fn drop_postgres(&self) {
        if let Some((name, pool)) = &self.postgres {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(pool)
                .await;
        }
    }
}

pub async fn start_node(database: &Database, data_dir: &ScratchDir) -> Result<Node> {
    let vars = [
        ("RAPPORT_DATABASE_URL", database.url.clone()),
        ("RAPPORT_DATA_DIR", data_dir.0.display().to_string()),
        ("RAPPORT_SIGNUP", "open".to_owned()),
        // Setup makes thousands of REST calls from one address.
        ("RAPPORT_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
    ];
    tokio::spawn(async move { Node::start(free_port(), &vars).await })
        .await
        .map_err(|_| anyhow!("rapport-node did not start (its messages, if any, are above)"))
}

/// Runs `count` jobs with at most `limit` at once, in order; the first error stops them.
pub async fn bounded<T, F, Fut>(count: usize, limit: usize, make: F) -> Result<Vec<T>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    stream::iter((0..count).map(make)).buffered(limit).collect::<Vec<_>>().await.into_iter().collect()
}

pub struct Team {
    pub owner_token: String,
    pub site_key: String,
    pub agent_tokens: Vec<String>,
}

/// The workspace, its site, and agents who sign in with a password (each sign-in hashes
/// it: that is the memory the server must give back).
pub async fn team(app: &TestApp, agents: usize) -> Result<Team> {
    let password = format!("bench-{}", Uuid::new_v4().simple());
    let (status, body) = app
        .call(
            reqwest::Method::POST,
            "/signup",
            None,
            Some(
                json!({"workspace_name": "Bench", "name": "Owner", "email": "owner@bench.test", "password": password}),
            ),
        )
        .await;
    anyhow::ensure!(status == 201, "sign-up: {status} {body}");
    let owner_token = body["token"].as_str().context("a token")?.to_owned();
    let (status, body) = app.post("/sites", &owner_token, json!({"name": "Shop", "allowed_origins": [ORIGIN]})).await;
    anyhow::ensure!(status == 201, "site: {status} {body}");
    let site_key = body["site_key"].as_str().context("a site key")?.to_owned();
    let mut agent_tokens = Vec::with_capacity(agents);
    for n in 0..agents {
        let email = format!("agent{n}@bench.test");
        let agent = json!({"name": format!("Agent {n}"), "email": email, "password": password, "capacity": 100});
        let (status, body) = app.post("/agents", &owner_token, agent).await;
        anyhow::ensure!(status == 201, "agent: {status} {body}");
        let signin = json!({"email": email, "password": password});
        let (status, body) = app.call(reqwest::Method::POST, "/signin", None, Some(signin)).await;
        anyhow::ensure!(status == 200, "sign-in: {status} {body}");
        agent_tokens.push(body["token"].as_str().context("a session token")?.to_owned());
    }
    Ok(Team { owner_token, site_key, agent_tokens })
}

pub async fn visitor_token(app: &TestApp, site_key: &str) -> Result<String> {
    let (status, body) =
        app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    anyhow::ensure!(status == 200, "widget session: {status} {body}");
    Ok(body["visitor_token"].as_str().context("a visitor token")?.to_owned())
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    f64::from(sorted[rank.min(sorted.len()) - 1]) / 1000.0
}

/// `count` visitors of the site, each with a conversation it started: (visitor token,
/// conversation id), `concurrency` at once.
pub async fn conversations(
    app: &Arc<TestApp>,
    site_key: &str,
    count: usize,
    concurrency: usize,
) -> Result<Vec<(String, Uuid)>> {
    bounded(count, concurrency, |_| {
        let (app, site_key) = (app.clone(), site_key.to_owned());
        async move {
            let token = visitor_token(&app, &site_key).await?;
            let conversation = app.start_conversation(&token, "hello").await;
            Ok((token, conversation))
        }
    })
    .await
}

/// Opens a visitor socket for each of `conversations` and starts it sending on the
/// clock `planned` gives (quiet until it says so).
pub async fn start_senders(
    address: &str,
    conversations: &[(String, Uuid)],
    shared: &Arc<Shared>,
    planned: &watch::Receiver<Plan>,
) -> Result<Vec<JoinHandle<()>>> {
    let sockets = bounded(conversations.len(), 64, |v| {
        let (address, token) = (address.to_owned(), conversations[v].0.clone());
        async move { traffic::connect(&address, "/ws/visitor", &token, Some(ORIGIN)).await }
    })
    .await?;
    Ok(sockets
        .into_iter()
        .zip(conversations)
        .enumerate()
        .map(|(v, (ws, (_, conversation)))| {
            tokio::spawn(traffic::visitor(shared.clone(), ws, *conversation, planned.clone(), (v as u64) * 7919))
        })
        .collect())
}
