//! `reports-bench`: how fast the reports answer on a large history. Run it with
//! `cargo xtask bench-reports`.
//!
//! Seeds a PostgreSQL database of its own (`rapport_bench_reports`, dropped and made
//! again) with one workspace of 100,000 conversations over the last 365 days and
//! 1,000,000 messages, in a few set-based `generate_series` statements; then times each
//! report, as the server computes it, over the last 30 days and over the whole year, and
//! prints the `EXPLAIN ANALYZE` plan of the query that does the heavy lifting.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use backend::{
    reports::{
        self,
        facts::CONVERSATIONS_SQL,
        range::{Filters, Scope, Zone},
    },
    store::Store,
};
use clap::Parser;
use sqlx::{Connection, PgPool};
use uuid::Uuid;

#[derive(Parser)]
#[command(about = "Seeds PostgreSQL with a large history and times every report")]
struct Args {
    /// Conversations to seed.
    #[arg(long, default_value_t = 100_000)]
    conversations: i64,
    /// Messages per conversation (one in ten is an internal note, which reports skip).
    #[arg(long, default_value_t = 10)]
    messages_per_conversation: i64,
    /// Agents the conversations are shared between.
    #[arg(long, default_value_t = 20)]
    agents: i64,
    /// Times each report runs; the median is printed.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// PostgreSQL server (a database `rapport_bench_reports` is made there).
    #[arg(long, env = "RAPPORT_TEST_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
}

const DAY_MS: i64 = 86_400_000;

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let url = format!("{}/rapport_bench_reports", args.postgres);
    let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", args.postgres))
        .await
        .context("connecting to PostgreSQL")?;
    sqlx::raw_sql("DROP DATABASE IF EXISTS rapport_bench_reports WITH (FORCE)").execute(&mut admin).await?;
    sqlx::raw_sql("CREATE DATABASE rapport_bench_reports").execute(&mut admin).await?;
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let backend::store::Pool::Postgres(pool) = store.pool() else { unreachable!("a PostgreSQL URL") };

    let started = Instant::now();
    let workspace = seed(pool, &args).await?;
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    for (table, what) in
        [("conversations", "conversations"), ("messages", "messages"), ("conversation_ratings", "ratings")]
    {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(pool).await?;
        println!("  {count:>9} {what}");
    }

    let zone = Zone::parse("time_zone", "Europe/Paris")?;
    let today = reports::range::naive(zone.today());
    let ranges = [("last 30 days", 29), ("whole year (366 days)", 365)];
    println!("\nreport timings (median of {} runs, warm cache; the server's own code path)", args.runs);
    println!("{:<24} {:>10} {:>10} {:>10} {:>10}", "range", "summary", "daily", "hours", "agents");
    let mut whole = None;
    for (name, days_back) in ranges {
        let from = (today - chrono::Days::new(days_back)).to_string();
        let scope = Scope::parse(workspace, zone.clone(), Some(&from), Some(&today.to_string()), Filters::default())?;
        let summary = time(args.runs, || async { reports::summary(&store, &scope).await.map(|_| ()) }).await?;
        let daily = time(args.runs, || async { reports::daily(&store, &scope).await.map(|_| ()) }).await?;
        let hours = time(args.runs, || async { reports::busiest_hours(&store, &scope).await.map(|_| ()) }).await?;
        let agents = time(args.runs, || async { reports::agents(&store, &scope).await.map(|_| ()) }).await?;
        println!("{name:<24} {:>10} {:>10} {:>10} {:>10}", ms(summary), ms(daily), ms(hours), ms(agents));
        let figures = reports::summary(&store, &scope).await?;
        println!(
            "{:<24} {} conversations, {} messages, first response median {:?} s",
            "", figures.conversations_started, figures.messages, figures.first_response.median_seconds
        );
        whole = Some(scope);
    }

    let scope = whole.expect("two ranges");
    for (name, sql) in [("conversations in range", CONVERSATIONS_SQL)] {
        println!("\nEXPLAIN ANALYZE, {name} (whole year):");
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")))
            .bind(scope.workspace_id)
            .bind(scope.start)
            .bind(scope.end)
            .bind(None::<Uuid>)
            .bind(None::<Uuid>)
            .bind(None::<Uuid>)
            .fetch_all(pool)
            .await?;
        for line in plan {
            println!("  {line}");
        }
    }
    store.close().await;
    Ok(())
}

/// Seeds one workspace and returns its id. Times spread evenly over the last 365 days;
/// the figures (who answered, how fast, ratings) vary with the row number.
async fn seed(pool: &PgPool, args: &Args) -> Result<Uuid> {
    let workspace = Uuid::now_v7();
    let now = chrono::Utc::now().timestamp_millis();
    let start = now - 365 * DAY_MS;
    let step = 365 * DAY_MS / args.conversations.max(1);
    let statements = [
        format!("INSERT INTO workspaces (id, name, time_zone, created_at) VALUES ('{workspace}', 'Bench', 'Europe/Paris', {start})"),
        format!(
            "INSERT INTO sites (id, workspace_id, name, site_key, allowed_origins, color, greeting, identity_secret, created_at)
             VALUES (gen_random_uuid(), '{workspace}', 'Shop', 'bench-site', '[]', '#4f46e5', 'Hi', 'secret', {start})"
        ),
        format!(
            "INSERT INTO agents (id, workspace_id, name, email, role, capacity, created_at)
             SELECT gen_random_uuid(), '{workspace}', 'Agent ' || i, 'agent' || i || '@bench.test', 'agent', 10, {start}
             FROM generate_series(1, {}) i",
            args.agents
        ),
        format!(
            "INSERT INTO visitors (id, workspace_id, site_id, token_hash, created_at, last_seen_at)
             SELECT gen_random_uuid(), '{workspace}', (SELECT id FROM sites LIMIT 1), 'bench-' || i, {start}, {start}
             FROM generate_series(1, 1000) i"
        ),
        // One conversation in 20 is never answered (half of those resolved: missed); 8 in
        // 10 are resolved; replies take 5 s to 10 min, resolutions 10 to 70 min.
        format!(
            "WITH a AS (SELECT array_agg(id ORDER BY id) AS ids FROM agents),
                  v AS (SELECT array_agg(id ORDER BY id) AS ids FROM visitors)
             INSERT INTO conversations (id, workspace_id, site_id, visitor_id, status, priority, assignee_id, last_seq,
                 created_at, updated_at, first_response_at, resolved_at, first_assigned_at)
             SELECT gen_random_uuid(), '{workspace}', (SELECT id FROM sites LIMIT 1), v.ids[(1 + i % 1000)::int],
                 CASE WHEN i % 10 < 8 THEN 'resolved' ELSE 'open' END, 'normal',
                 CASE WHEN i % 20 = 0 THEN NULL ELSE a.ids[(1 + i % {agents})::int] END, {m},
                 t, t,
                 CASE WHEN i % 20 = 0 THEN NULL ELSE t + 5000 + (i * 7919) % 595000 END,
                 CASE WHEN i % 10 < 8 THEN t + 600000 + (i * 104729) % 3600000 END,
                 CASE WHEN i % 20 = 0 THEN NULL ELSE t + 1000 + (i * 31) % 60000 END
             FROM a, v, (SELECT i, {start}::bigint + i::bigint * {step} AS t FROM generate_series(1::bigint, {n}::bigint) i) s",
            agents = args.agents,
            m = args.messages_per_conversation,
            n = args.conversations,
        ),
        // Counted in one pass afterwards (as migration 0006 does), not by the trigger per row.
        "ALTER TABLE messages DISABLE TRIGGER messages_count_text".to_owned(),
        format!(
            "INSERT INTO messages (id, workspace_id, conversation_id, seq, author_kind, kind, body, created_at)
             SELECT gen_random_uuid(), c.workspace_id, c.id, s,
                 CASE WHEN s % 2 = 1 THEN 'visitor' ELSE 'agent' END,
                 CASE WHEN s % 10 = 0 THEN 'note' ELSE 'text' END, 'a benchmark message', c.created_at + s * 1000
             FROM conversations c, generate_series(1, {}) s",
            args.messages_per_conversation
        ),
        "UPDATE conversations c SET text_messages = m.n FROM (SELECT conversation_id, COUNT(*) AS n FROM messages
           WHERE kind = 'text' AND author_kind IN ('visitor', 'agent') GROUP BY conversation_id) m
         WHERE m.conversation_id = c.id"
            .to_owned(),
        "ALTER TABLE messages ENABLE TRIGGER messages_count_text".to_owned(),
        "INSERT INTO conversation_ratings (conversation_id, workspace_id, score, created_at, updated_at)
         SELECT id, workspace_id, 1 + abs(hashtext(id::text)) % 5, created_at, created_at FROM conversations
         WHERE abs(hashtext(id::text || 'r')) % 10 < 3"
            .to_owned(),
        // Every agent online 08:00 to 16:00 UTC every day.
        format!(
            "INSERT INTO agent_status_changes (workspace_id, agent_id, status, changed_at)
             SELECT '{workspace}', a.id, x.status, {start}::bigint + d::bigint * {DAY_MS} + x.at
             FROM agents a, generate_series(0, 365) d,
                  (VALUES ('online', 28800000::bigint), ('offline', 57600000::bigint)) AS x(status, at)"
        ),
        "ANALYZE".to_owned(),
    ];
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(pool).await?;
    }
    Ok(workspace)
}

/// The median duration of `runs` runs of `f`, after one warm-up run.
async fn time<F, Fut>(runs: usize, f: F) -> Result<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = backend::error::Result<()>>,
{
    f().await?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        f().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}
