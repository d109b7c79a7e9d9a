//! The reports page: a week of seeded conversations shows in its cards and charts, the
//! range buttons change what is counted, and a conversation resolved elsewhere updates
//! the figures without a reload. Saved as `target/screenshots/console-reports.png`.

use sqlx::Connection;
use system_tests::Engine;

use super::stage::*;

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// Conversations per day, oldest (6 days ago) first, ending today.
const PER_DAY: [i64; 7] = [9, 14, 12, 16, 11, 6, 4];

struct Seeder<'a> {
    app: &'a TestApp,
    workspace: Uuid,
    site: Uuid,
    visitor: Uuid,
    statements: Vec<String>,
}

impl Seeder<'_> {
    fn lit(&self, id: Uuid) -> String {
        match self.app.engine {
            Engine::Sqlite => format!("X'{}'", id.simple()),
            Engine::Postgres => format!("'{id}'::uuid"),
        }
    }

    /// One conversation: created at `at`, answered after `reply_s` by `agent`, resolved
    /// after `resolve_s`, rated `score`.
    fn conversation(
        &mut self,
        at: i64,
        agent: Option<Uuid>,
        reply_s: Option<i64>,
        resolve_s: Option<i64>,
        score: Option<i64>,
    ) -> Uuid {
        let id = Uuid::now_v7();
        let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into());
        let agent_lit = agent.map(|a| self.lit(a)).unwrap_or_else(|| "NULL".into());
        let status = if resolve_s.is_some() { "resolved" } else { "open" };
        self.statements.push(format!(
            "INSERT INTO conversations (id, workspace_id, site_id, visitor_id, status, priority, assignee_id, last_seq,
                created_at, updated_at, first_response_at, resolved_at, first_assigned_at)
             VALUES ({}, {}, {}, {}, '{status}', 'normal', {agent_lit}, 2, {at}, {at}, {}, {}, {})",
            self.lit(id),
            self.lit(self.workspace),
            self.lit(self.site),
            self.lit(self.visitor),
            num(reply_s.map(|s| at + s * 1000)),
            num(resolve_s.map(|s| at + s * 1000)),
            num(agent.map(|_| at + 15_000)),
        ));
        for (seq, kind) in [(1, "visitor"), (2, "agent")] {
            if kind == "agent" && reply_s.is_none() {
                continue;
            }
            // The reply is the assignee's: the agent table credits whoever replied.
            let author = if kind == "agent" { agent_lit.clone() } else { self.lit(self.visitor) };
            self.statements.push(format!(
                "INSERT INTO messages (id, workspace_id, conversation_id, seq, author_kind, author_id, kind, body, created_at)
                 VALUES ({}, {}, {}, {seq}, '{kind}', {author}, 'text', 'hello', {at})",
                self.lit(Uuid::now_v7()),
                self.lit(self.workspace),
                self.lit(id)
            ));
        }
        if let Some(score) = score {
            self.statements.push(format!(
                "INSERT INTO conversation_ratings (conversation_id, workspace_id, score, created_at, updated_at)
                 VALUES ({}, {}, {score}, {at}, {at})",
                self.lit(id),
                self.lit(self.workspace)
            ));
        }
        id
    }

    async fn write(self) {
        let sql = self.statements.join(";\n");
        match self.app.engine {
            Engine::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.app.database_url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("seeding");
            }
            Engine::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.app.database_url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("seeding");
            }
        }
    }
}

#[tokio::test]
async fn the_reports_page_shows_the_seeded_week_and_follows_resolutions() {
    let s = stage().await;
    let token = s.workspace.token.clone();
    let (maya, _) = s.agent("Maya Chen", "maya@acme.test").await;
    let (tom, _) = s.agent("Tom Okafor", "tom@acme.test").await;
    let (ines, _) = s.agent("Inès Laurent", "ines@acme.test").await;
    let (status, session) =
        s.app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": s.site_key}))).await;
    assert_eq!(status, 200, "{session}");

    // Midnight UTC today (the workspace keeps the default time zone, UTC).
    let now = chrono::Utc::now().timestamp_millis();
    let today = now - now.rem_euclid(DAY_MS);
    let mut seeder = Seeder {
        app: &s.app,
        workspace: s.workspace.id,
        site: s.site_id,
        visitor: id(&session["visitor_id"]),
        statements: vec![],
    };
    let agents = [maya, tom, ines];
    let mut handled = [0u64; 3];
    let mut n = 0i64;
    let mut per_date = Vec::new();
    for (i, count) in PER_DAY.iter().enumerate() {
        let day = today - (6 - i as i64) * DAY_MS;
        for k in 0..*count {
            n += 1;
            // Busy late mornings and early afternoons, quieter at the edges of the day.
            let hour = [9, 10, 11, 11, 13, 14, 14, 15, 16, 10, 12, 17, 11, 14, 9, 15][(k as usize + i) % 16];
            let at = day + hour * 60 * MINUTE_MS + (k * 7 % 60) * MINUTE_MS;
            let who = (n % 3) as usize;
            // One in eight is missed; replies take 20 s to 9 min; a few open ones remain.
            let missed = n % 8 == 0;
            let reply = (!missed).then(|| 20 + (n * 53) % 520);
            let resolve = (n % 7 != 0).then(|| 600 + (n * 97) % 3000);
            let score = ((n / 3) % 3 != 2).then(|| if n % 5 == 0 { 2 } else { 4 + n % 2 });
            let agent = (!missed).then_some(agents[who]);
            if !missed {
                handled[who] += 1;
            }
            seeder.conversation(at, agent, reply, if missed { Some(300) } else { resolve }, score);
        }
        per_date.push((chrono::DateTime::from_timestamp_millis(day).unwrap().date_naive().to_string(), *count));
    }
    // Waiting today, unanswered: resolving it later must show up as a missed conversation.
    let waiting = seeder.conversation(today + 8 * 60 * MINUTE_MS, None, None, None, None);
    let total = n + 1;
    seeder.write().await;

    s.click("[data-view=reports]").await;
    s.wait(
        "the reports page with figures",
        "return !!document.querySelector('.reports[data-loaded] [data-chart=volume]')",
    )
    .await;

    let card = |key: &str| format!("return document.querySelector('[data-figure={key}] [data-value]').textContent");
    assert_eq!(s.js(&card("started")).await, json!(total.to_string()));
    // The volume chart: one bar per day with the seeded count (the waiting one is today's).
    let bars = s
        .js("return [...document.querySelectorAll('[data-chart=volume] .bar')].map(b => [b.dataset.date, +b.dataset.started])")
        .await;
    let mut expected: Vec<Value> = per_date.iter().map(|(date, count)| json!([date, count])).collect();
    expected[6] = json!([per_date[6].0, per_date[6].1 + 1]);
    assert_eq!(bars, json!(expected));
    // The heat map holds every conversation, the busiest hour darkest.
    let cells = s.js("return [...document.querySelectorAll('[data-chart=hours] .cell')].reduce((n, c) => n + +c.dataset.count, 0)").await;
    assert_eq!(cells, json!(total));
    let buckets = s
        .js("return [...document.querySelectorAll('[data-chart=first-response] .bucket')].reduce((n, b) => n + +b.dataset.count, 0)")
        .await;
    let answered = s.app.get("/reports/summary", &token).await.1["answered"].clone();
    assert_eq!(buckets, answered, "every answered conversation is in one bucket");
    // The agent table: the owner and the three agents, with what each handled.
    for (agent, count) in agents.iter().zip(handled) {
        let cell = s
            .js(&format!("return document.querySelector('[data-agent=\"{agent}\"] [data-column=handled]').textContent"))
            .await;
        assert_eq!(cell, json!(count.to_string()), "agent {agent}");
    }
    let points = s.js("return document.querySelectorAll('[data-chart=csat] .point').length").await;
    assert!(points.as_u64().unwrap() >= 5, "a CSAT point for most days: {points}");
    s.browser.screenshot("console-reports").await;

    // Resolved elsewhere (by API), unanswered: the page counts one more missed, by itself.
    let missed_before: u64 = s.js(&card("missed")).await.as_str().unwrap().parse().unwrap();
    let (status, body) = s.app.patch(&format!("/conversations/{waiting}"), &token, json!({"status": "resolved"})).await;
    assert_eq!(status, 200, "{body}");
    s.wait(
        "the missed card to count the resolved conversation",
        &format!(
            "return document.querySelector('[data-figure=missed] [data-value]').textContent === '{}'",
            missed_before + 1
        ),
    )
    .await;

    // Today only.
    s.click("[data-range=today]").await;
    s.wait(
        "today's figures",
        &format!("return document.querySelectorAll('[data-chart=volume] .bar').length === 1 && document.querySelector('[data-figure=started] [data-value]').textContent === '{}'", PER_DAY[6] + 1),
    )
    .await;
    s.click("[data-range=\"30d\"]").await;
    s.wait("thirty days", "return document.querySelectorAll('[data-chart=volume] .bar').length === 30").await;
    assert_eq!(s.js(&card("started")).await, json!(total.to_string()));
    // Down to the charts below the cards.
    s.js("document.querySelector('.reports').scrollTop = 330").await;
    s.browser.screenshot("console-reports-30-days").await;
    s.js("document.querySelector('.reports').scrollTop = 100000").await;
    s.browser.screenshot("console-reports-agents").await;
}
