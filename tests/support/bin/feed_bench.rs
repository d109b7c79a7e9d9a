//! `feed-bench`: agents' consoles on a big, busy workspace. Run it with
//! `cargo xtask bench-feed` (`cargo xtask bench-feed -- --help` lists the options).
//!
//! A fresh database (PostgreSQL by default) and a `rapport-node` process (release build);
//! a workspace with 10,000 open conversations, one visitor each; 1,000 of those visitors
//! send at the pipeline issue's saturation load (5,000 messages/s offered) while 20 agents'
//! consoles follow the workspace feed, each with one conversation open, and each loses its
//! connection five times at random moments for a random while. Every return is timed until
//! the console is current (feed replay, open conversation, queue), and a console with no
//! cursor at all replays the whole workspace once mid-run.
//!
//! Then the delivery check: every console compares what it holds with the server's own
//! feed (`GET /conversations/feed`, read after the traffic stopped): every conversation
//! changed since the console started must be at its latest position, the open
//! conversation at its last message, and nothing may have come twice or out of order.
//! The run fails (exit status 1) on any lost, repeated or reordered frame, any console
//! left behind, or any return after a 4002 that took more than 5 s.
//!
//! - [`args`]: the options.
//! - [`console`]: one agent's console, its drops and its checks.
//! - shared with `load-bench`: `setup` (database, server, team), `traffic` (paced
//!   visitors), `procstat` (CPU, load).

#[path = "feed_bench/args.rs"]
mod args;
#[path = "feed_bench/console.rs"]
mod console;
// Shared with load-bench, which uses all of them; this benchmark needs only part.
#[allow(dead_code)]
#[path = "load_bench/procstat.rs"]
mod procstat;
#[allow(dead_code)]
#[path = "load_bench/setup.rs"]
mod setup;
#[allow(dead_code)]
#[path = "load_bench/traffic.rs"]
mod traffic;

use std::{
    collections::HashMap,
    process::ExitCode,
    sync::{Arc, atomic::Ordering::Relaxed},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use openapi::{
    conversations::FeedPage,
    realtime::{ClientFrame, ServerFrame},
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use system_tests::{ScratchDir, TestApp};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::{
    args::Args,
    console::{Console, Drop},
    procstat::{cpu_seconds, load_average},
    setup::{Engine, conversations, database, percentile, start_node, start_senders, team},
    traffic::{Plan, Shared, close_window},
};

/// A return after the server cut the connection (4002) must be complete within this.
const AFTER_CUT_LIMIT: Duration = Duration::from_secs(5);
/// The target for a console's return to the current state.
const CURRENT_TARGET: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("feed-bench: the delivery check FAILED (see above)");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("feed-bench: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmark; whether the delivery check passed.
async fn run(args: &Args) -> Result<bool> {
    args.check()?;
    let seed = args.seed.unwrap_or_else(rand::random);
    let limit = rlimit::increase_nofile_limit(u64::MAX).context("raising the open-files limit")?;
    println!(
        "machine: {} cores, load average {}, open-files limit {limit}; seed {seed} (replay with --seed {seed})",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    let database = database(&args.postgres, args.engine).await?;
    let data_dir = ScratchDir::new();
    let node = start_node(&database, &data_dir).await?;
    let app = Arc::new(TestApp::attach(&node.address, system_tests::Engine::Sqlite, &database.url));
    let team = team(&app, args.agents).await?;

    let started = Instant::now();
    let conversations = conversations(&app, &team.site_key, args.conversations, args.concurrency).await?;
    println!(
        "== {:?}: {} open conversations made in {:.1?}; {} of their visitors send {} messages/s for {} s; \
         {} consoles, each dropped {} times for up to {} s",
        args.engine,
        conversations.len(),
        started.elapsed(),
        args.senders,
        args.rate,
        args.seconds,
        args.agents,
        args.drops,
        args.offline
    );

    // The senders, ready but quiet.
    let shared = Arc::new(Shared::new(1));
    let (plan, planned) = watch::channel(Plan { step: 0, interval: None });
    let senders = start_senders(&node.address, &conversations[..args.senders], &shared, &planned).await?;

    // The consoles: each reads where the feed stands (and would load its lists over REST
    // here), then follows it; each has a sender's conversation open.
    let mut rng = StdRng::seed_from_u64(seed);
    let (finish, finished) = watch::channel(false);
    let run_start = Instant::now() + Duration::from_secs(2);
    let run_end = run_start + Duration::from_secs(args.seconds);
    let mut consoles = Vec::new();
    for (a, token) in team.agent_tokens.iter().enumerate() {
        let head = feed_head(&app, token).await?;
        let open = conversations[a * args.senders / args.agents].1;
        let console = Console::new(format!("agent {a}"), &node.address, token.clone(), open, head);
        // Drops between the first and the last 5 s of the traffic.
        let window = args.seconds as f64 - 10.0;
        let mut drops: Vec<Drop> = (0..args.drops)
            .map(|_| Drop {
                at: run_start + Duration::from_secs_f64(5.0 + rng.r#gen::<f64>() * window),
                offline: Duration::from_secs_f64(args.offline * rng.gen_range(0.1..=1.0)),
            })
            .collect();
        drops.sort_by_key(|d| d.at);
        consoles.push(tokio::spawn(console.run(drops, finished.clone())));
    }

    // Traffic.
    tokio::time::sleep_until(run_start.into()).await;
    let load_before = load_average();
    let (cpu0, pg0) = (cpu_seconds(node.pid()), database.cpu_seconds().await);
    let clients0 = cpu_seconds(std::process::id());
    let interval = Duration::from_secs_f64(args.senders as f64 / f64::from(args.rate));
    plan.send_replace(Plan { step: 0, interval: Some(interval) });
    // Mid-run, a console with no cursor at all: the whole workspace in one replay.
    tokio::time::sleep(Duration::from_secs(args.seconds / 2)).await;
    let cold = cold_replay(&node.address, &team.owner_token).await;
    tokio::time::sleep_until(run_end.into()).await;
    close_window(&shared, 0);
    plan.send_replace(Plan { step: 0, interval: None });
    let (cpu1, pg1) = (cpu_seconds(node.pid()), database.cpu_seconds().await);
    let clients1 = cpu_seconds(std::process::id());
    let load_after = load_average();
    let counts = &shared.steps[0];
    let drain_until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < drain_until && counts.acked.load(Relaxed) < counts.sent.load(Relaxed) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    finish.send_replace(true);
    let mut done = Vec::new();
    for console in consoles {
        done.push(console.await.context("a console task panicked")?);
    }
    for task in &senders {
        task.abort();
    }

    let seconds = args.seconds as f64;
    let acked = counts.acked.load(Relaxed) as f64;
    println!(
        "traffic: offered {}/s; stored and acked {:.0}/s ({:.0}/s within the window); server CPU {:.0} % \
         of a core ({:.3} ms/message){}; this process (visitors and consoles) {:.0} %; load average {load_before} → \
         {load_after}",
        args.rate,
        acked / seconds,
        counts.acked_in_window.load(Relaxed) as f64 / seconds,
        (cpu1 - cpu0) * 100.0 / seconds,
        (cpu1 - cpu0) * 1000.0 / acked.max(1.0),
        if args.engine == Engine::Postgres {
            format!(", PostgreSQL {:.0} % of a core", (pg1 - pg0) * 100.0 / seconds)
        } else {
            String::new()
        },
        (clients1 - clients0) * 100.0 / seconds,
    );
    match cold {
        Ok((took, replayed)) => println!(
            "a console with no cursor (feed after 0), mid-run: {replayed} conversations replayed, current in {took:.2?}"
        ),
        Err(err) => println!("a console with no cursor, mid-run: FAILED: {err:#}"),
    }

    let passed = check(&app, &team.owner_token, &done, args).await?;
    database.drop_postgres().await;
    drop(node);
    Ok(passed)
}

/// The workspace's newest feed position, as the console reads it at start.
async fn feed_head(app: &TestApp, token: &str) -> Result<i64> {
    let (status, body) = app.get("/conversations/feed?limit=1", token).await;
    if status != 200 {
        bail!("GET /conversations/feed: {status} {body}");
    }
    Ok(serde_json::from_value::<FeedPage>(body)?.head)
}

/// A fresh socket following the feed from 0: how long until `feed_synced`, and how many
/// conversations came.
async fn cold_replay(address: &str, token: &str) -> Result<(Duration, usize)> {
    let started = Instant::now();
    let mut ws = traffic::connect(address, "/ws/agent", token, None).await?;
    ws.send(Message::text(serde_json::to_string(&ClientFrame::Feed { after: 0 })?)).await?;
    let mut replayed = 0;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(120), ws.next())
            .await
            .context("no feed_synced within two minutes")?
            .context("the socket closed during the replay")??;
        let Message::Text(text) = frame else { continue };
        match serde_json::from_str::<ServerFrame>(&text)? {
            ServerFrame::Conversation { .. } => replayed += 1,
            ServerFrame::FeedSynced { .. } => return Ok((started.elapsed(), replayed)),
            ServerFrame::Error { code, message, .. } => bail!("{code}: {message}"),
            _ => {}
        }
    }
}

/// The server's feed, whole: every conversation's latest position and last message.
async fn server_feed(app: &TestApp, token: &str) -> Result<HashMap<Uuid, (i64, i64)>> {
    let mut latest = HashMap::new();
    let mut after = 0;
    loop {
        let (status, body) = app.get(&format!("/conversations/feed?after={after}&limit=500"), token).await;
        if status != 200 {
            bail!("GET /conversations/feed: {status} {body}");
        }
        let page: FeedPage = serde_json::from_value(body)?;
        for conversation in &page.items {
            latest.insert(conversation.id, (conversation.feed_seq, conversation.last_seq));
        }
        after = page.after;
        if !page.has_more {
            return Ok(latest);
        }
    }
}

/// Prints the returns' times and each console's faults; whether everything held.
async fn check(app: &TestApp, owner: &str, consoles: &[Console], args: &Args) -> Result<bool> {
    let server = server_feed(app, owner).await?;
    let mut passed = true;
    let mut returns: Vec<_> = consoles.iter().flat_map(|c| c.returns.iter()).collect();
    let mut took: Vec<u32> = returns.iter().map(|r| r.took.as_micros().min(u128::from(u32::MAX)) as u32).collect();
    took.sort_unstable();
    returns.sort_by_key(|r| r.took);
    let slowest = returns.last();
    println!(
        "returns: {} (of {} drops planned); current after p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms \
         (the slowest replayed {} conversations, {} feed positions behind); {} within {} s",
        took.len(),
        args.agents * args.drops,
        percentile(&took, 50.0),
        percentile(&took, 95.0),
        percentile(&took, 100.0),
        slowest.map_or(0, |r| r.replayed),
        slowest.map_or(0, |r| r.behind),
        returns.iter().filter(|r| r.took <= CURRENT_TARGET).count(),
        CURRENT_TARGET.as_secs(),
    );
    let after_cut: Vec<_> = returns.iter().filter(|r| r.after_cut).collect();
    let late_after_cut = after_cut.iter().filter(|r| r.took > AFTER_CUT_LIMIT).count();
    println!(
        "server cuts (4002): {}; returns after a cut: {}, {} of them over {} s",
        consoles.iter().map(|c| c.cuts).sum::<usize>(),
        after_cut.len(),
        late_after_cut,
        AFTER_CUT_LIMIT.as_secs()
    );
    passed &= late_after_cut == 0;

    let (mut behind_total, mut left_behind) = (0, 0);
    for console in consoles {
        // Conversations changed since the console started following: it must hold each
        // at its latest position. (Older ones it loaded over REST.)
        let mut stale = 0;
        for (id, &(feed_seq, last_seq)) in &server {
            if feed_seq <= console.started_at_head {
                continue;
            }
            if console.known.get(id) != Some(&(feed_seq, last_seq)) {
                stale += 1;
            }
        }
        let open_last = server.get(&console.open).map_or(-1, |&(_, last_seq)| last_seq);
        let faults = &console.faults;
        let ok = console.current
            && stale == 0
            && console.message_seq == open_last
            && faults.feed_repeated_or_reordered == 0
            && faults.messages_repeated == 0
            && faults.messages_skipped == 0
            && faults.resume_mismatches == 0
            && faults.other.is_empty();
        if !console.current {
            left_behind += 1;
        }
        behind_total += stale;
        if !ok {
            passed = false;
            println!(
                "  {}: FAILED: current {}, conversations not at their latest position {stale}, open conversation at \
                 {} of {open_last}, feed frames repeated or reordered {}, messages repeated {}, skipped {}, \
                 resume mismatches {}, other: {:?}",
                console.name,
                console.current,
                console.message_seq,
                faults.feed_repeated_or_reordered,
                faults.messages_repeated,
                faults.messages_skipped,
                faults.resume_mismatches,
                faults.other
            );
        }
    }
    let changed = server.len();
    println!(
        "delivery check against the server's feed ({changed} conversations): consoles left behind {left_behind}, \
         conversations missing or stale {behind_total}, {}",
        if passed { "nothing lost, repeated or reordered" } else { "FAILED" }
    );
    Ok(passed)
}
