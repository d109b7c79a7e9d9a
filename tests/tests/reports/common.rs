//! Seeding for the report tests: the workspace, sites, agents and team are made through the
//! API; conversations with known timestamps are written straight into the test's database
//! (the API stamps everything with "now", and reports are about the past).

use std::sync::Arc;

pub use reqwest::{Method, StatusCode};
pub use serde_json::{Value, json};
use sqlx::Connection;
pub use system_tests::{Engine, PASSWORD, TestApp, assert_error, id, spawn_app};
pub use uuid::Uuid;

/// Unix milliseconds of a UTC time written as `2026-06-01T09:00:00`.
pub fn at(utc: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(utc, "%Y-%m-%dT%H:%M:%S").expect("a UTC time").and_utc().timestamp_millis()
}

pub const SECOND: i64 = 1000;

/// One conversation to seed. Offsets are seconds after `created_at`.
#[derive(Debug, Clone, Default)]
pub struct Seed {
    pub created_at: i64,
    pub site: Option<Uuid>,
    pub assignee: Option<Uuid>,
    pub team: Option<Uuid>,
    pub assigned_after: Option<i64>,
    pub replied_after: Option<i64>,
    /// Resolved this long after creation; `None`: still open.
    pub resolved_after: Option<i64>,
    pub score: Option<i64>,
    pub visitor_messages: usize,
    pub agent_messages: usize,
    /// Internal notes and system messages, which reports do not count.
    pub notes: usize,
    /// Replies by other agents than the assignee (agent, seconds after creation): a
    /// conversation handed over after a requeue or a transfer.
    pub replies_by: Vec<(Uuid, i64)>,
    /// Who resolved it, as the server records it when an agent resolves.
    pub resolved_by: Option<Uuid>,
}

/// A workspace with two agents, Alice and Bob, a team (Bob), two sites and a visitor.
pub struct Shop {
    /// Shared by the workspaces of one test (they live in the same system).
    pub app: Arc<TestApp>,
    pub workspace_id: Uuid,
    pub owner_id: Uuid,
    pub token: String,
    pub alice: Uuid,
    pub bob: Uuid,
    pub team: Uuid,
    pub site: Uuid,
    pub other_site: Uuid,
    pub visitor: Uuid,
}

pub async fn create_agent(app: &TestApp, token: &str, name: &str, email: &str, role: &str) -> (Uuid, String) {
    let body = json!({"name": name, "email": email, "role": role, "password": PASSWORD, "capacity": 5});
    let (status, created) = app.post("/agents", token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, session) =
        app.call(Method::POST, "/signin", None, Some(json!({"email": email, "password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    (id(&created["agent"]["id"]), session["token"].as_str().unwrap().to_owned())
}

/// A plain agent of the workspace, signed in: (id, session token).
pub async fn plain_agent(shop: &Shop, email: &str) -> (Uuid, String) {
    create_agent(&shop.app, &shop.token, "Plain", email, "agent").await
}

impl Shop {
    /// Signs up a workspace on a new server.
    pub async fn open(app: TestApp, name: &str) -> Self {
        Self::open_in(&Arc::new(app), name).await
    }

    /// Signs up another workspace on the same server.
    pub async fn open_in(app: &Arc<TestApp>, name: &str) -> Self {
        let app = Arc::clone(app);
        let workspace = app.signup(name).await;
        let token = workspace.token.clone();
        let domain = name.to_lowercase();
        // Bob's name needs quoting in CSV.
        let (alice, _) = create_agent(&app, &token, "Alice", &format!("alice@{domain}.test"), "agent").await;
        let (bob, _) = create_agent(&app, &token, "Bob \"B\", Jr", &format!("bob@{domain}.test"), "agent").await;
        let (status, team) = app.post("/teams", &token, json!({"name": "Billing", "member_ids": [bob]})).await;
        assert_eq!(status, StatusCode::CREATED, "{team}");
        let (site, site_key) = app.create_site(&token).await;
        let (other_site, _) = app.create_site(&token).await;
        let (status, session) =
            app.call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
        assert_eq!(status, StatusCode::OK, "{session}");
        let visitor = id(&session["visitor_id"]);
        Self {
            app,
            workspace_id: workspace.id,
            owner_id: workspace.owner_id,
            token,
            alice,
            bob,
            team: id(&team["id"]),
            site,
            other_site,
            visitor,
        }
    }

    /// GET a report as the owner.
    pub async fn report(&self, path: &str) -> Value {
        let (status, body) = self.app.get(&format!("/reports/{path}"), &self.token).await;
        assert_eq!(status, StatusCode::OK, "GET /reports/{path}: {body}");
        body
    }

    pub async fn set_time_zone(&self, zone: &str) {
        let (status, body) = self.app.patch("/workspace", &self.token, json!({"time_zone": zone})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["time_zone"], zone);
    }

    /// Writes `seed` (conversation, messages, rating) into the database.
    pub async fn seed(&self, seed: &Seed) -> Uuid {
        let conversation = Uuid::now_v7();
        let created = seed.created_at;
        let after = |secs: Option<i64>| secs.map(|s| created + s * SECOND);
        let status = if seed.resolved_after.is_some() { "resolved" } else { "open" };
        // The server keeps `text_messages` as it stores messages; rows written here
        // directly carry the count the server would have kept (visitors' and agents' text).
        let text_messages = seed.visitor_messages + seed.agent_messages;
        let mut statements = vec![format!(
            "INSERT INTO conversations (id, workspace_id, site_id, visitor_id, status, priority, assignee_id, team_id,
                last_seq, created_at, updated_at, first_response_at, resolved_at, first_assigned_at, text_messages)
             VALUES ({}, {}, {}, {}, '{status}', 'normal', {}, {}, 0, {created}, {created}, {}, {}, {}, {text_messages})",
            self.lit(conversation),
            self.lit(self.workspace_id),
            self.lit(seed.site.unwrap_or(self.site)),
            self.lit(self.visitor),
            self.opt_lit(seed.assignee),
            self.opt_lit(seed.team),
            num(after(seed.replied_after)),
            num(after(seed.resolved_after)),
            num(after(seed.assigned_after)),
        )];
        let mut seq = 0;
        let mut message = |author_kind: &str, author: Option<Uuid>, kind: &str, at: i64| {
            seq += 1;
            format!(
                "INSERT INTO messages (id, workspace_id, conversation_id, seq, author_kind, author_id, kind, body, created_at)
                 VALUES ({}, {}, {}, {seq}, '{author_kind}', {}, '{kind}', 'hello', {at})",
                self.lit(Uuid::now_v7()),
                self.lit(self.workspace_id),
                self.lit(conversation),
                self.opt_lit(author),
            )
        };
        for _ in 0..seed.visitor_messages {
            statements.push(message("visitor", Some(self.visitor), "text", created));
        }
        let reply_at = after(seed.replied_after).unwrap_or(created);
        for _ in 0..seed.agent_messages {
            statements.push(message("agent", seed.assignee, "text", reply_at));
        }
        for n in 0..seed.notes {
            // Alternately an agent's internal note and a system line.
            if n % 2 == 0 {
                statements.push(message("agent", seed.assignee, "note", reply_at));
            } else {
                statements.push(message("system", None, "text", reply_at));
            }
        }
        for (agent, secs) in &seed.replies_by {
            statements.push(message("agent", Some(*agent), "text", created + secs * SECOND));
        }
        if let (Some(agent), Some(at)) = (seed.resolved_by, after(seed.resolved_after)) {
            // The row resolving writes (the reply trigger may have made it already).
            statements.push(format!(
                "INSERT INTO conversation_handlers (conversation_id, workspace_id, agent_id, resolved_at)
                 VALUES ({}, {}, {}, {at})
                 ON CONFLICT (conversation_id, agent_id) DO UPDATE SET resolved_at = excluded.resolved_at",
                self.lit(conversation),
                self.lit(self.workspace_id),
                self.lit(agent),
            ));
        }
        if let Some(score) = seed.score {
            statements.push(format!(
                "INSERT INTO conversation_ratings (conversation_id, workspace_id, score, created_at, updated_at)
                 VALUES ({}, {}, {score}, {created}, {created})",
                self.lit(conversation),
                self.lit(self.workspace_id),
            ));
        }
        self.execute(&statements).await;
        conversation
    }

    /// Logs an agent's status change at `at`, as a console connecting or leaving would.
    pub async fn status_change(&self, agent: Uuid, status: &str, at: i64) {
        let statement = format!(
            "INSERT INTO agent_status_changes (workspace_id, agent_id, status, changed_at) VALUES ({}, {}, '{status}', {at})",
            self.lit(self.workspace_id),
            self.lit(agent)
        );
        self.execute(&[statement]).await;
    }

    /// Runs SQL against the test's database (seeding, and reading what the server logged).
    pub async fn execute(&self, statements: &[String]) {
        let sql = statements.join(";\n");
        match self.app.engine {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.app.database_url).await.expect("SQLite");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("seeding");
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.app.database_url).await.expect("PostgreSQL");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("seeding");
            }
        }
    }

    /// The statuses logged for an agent, oldest first.
    pub async fn logged_statuses(&self, agent: Uuid) -> Vec<String> {
        let sql = format!(
            "SELECT status FROM agent_status_changes WHERE agent_id = {} ORDER BY changed_at, rowid_or_ctid",
            self.lit(agent)
        );
        match self.app.engine {
            Engine::Sqlite => {
                let sql = sql.replace("rowid_or_ctid", "rowid");
                let mut conn = sqlx::SqliteConnection::connect(&self.app.database_url).await.expect("SQLite");
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&mut conn).await.expect("reading the log")
            }
            Engine::Postgres => {
                let sql = sql.replace("rowid_or_ctid", "ctid");
                let mut conn = sqlx::PgConnection::connect(&self.app.database_url).await.expect("PostgreSQL");
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&mut conn).await.expect("reading the log")
            }
        }
    }

    /// A uuid as an SQL literal of the engine (16-byte blob or uuid).
    fn lit(&self, id: Uuid) -> String {
        match self.app.engine {
            Engine::Sqlite => format!("X'{}'", id.simple()),
            Engine::Postgres => format!("'{id}'::uuid"),
        }
    }

    fn opt_lit(&self, id: Option<Uuid>) -> String {
        id.map(|id| self.lit(id)).unwrap_or_else(|| "NULL".into())
    }
}

fn num(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into())
}
