//! `load-bench`: what a `rapport` server sustains. Run it with `cargo xtask bench`
//! (`cargo xtask bench -- --help` lists the options).
//!
//! For each engine: a fresh database and a `rapport-node` process (release build), 20
//! agents signed in with passwords, visitors each with a conversation; then visitors send
//! at rising rates until one is not sustained, and every step prints what was received,
//! how late, and the CPU it cost; finally as many idle visitor sockets as the open-files
//! limit allows, and what each one costs in memory.
//!
//! - [`args`]: the options.
//! - [`traffic`]: the paced visitor and counting agent sockets.
//! - [`procstat`]: CPU, memory and load readings from `/proc`.
//! - [`setup`]: the database, the server process, the team, visitor tokens.

#[path = "load_bench/args.rs"]
mod args;
#[path = "load_bench/procstat.rs"]
mod procstat;
#[path = "load_bench/setup.rs"]
mod setup;
#[path = "load_bench/traffic.rs"]
mod traffic;

use std::{
    process::ExitCode,
    sync::{Arc, atomic::Ordering::Relaxed},
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use clap::Parser;
use futures_util::StreamExt;
use serde_json::{Value, json};
use system_tests::{ScratchDir, TestApp};
use tokio::sync::watch;
use uuid::Uuid;

use crate::{
    args::{Args, Engine, PER_VISITOR_MAX},
    procstat::{cpu_seconds, load_average, rss_bytes},
    setup::{
        Database, Team, bounded, conversations, database, mib, percentile, start_node, start_senders, team,
        visitor_token,
    },
    traffic::{ORIGIN, Plan, Shared, close_window},
};

/// Sustained: at least this share of the offered rate was stored and delivered within the
/// sending window, with p99 under [`SUSTAINED_P99`].
const SUSTAINED_SHARE: f64 = 0.95;
const SUSTAINED_P99: Duration = Duration::from_secs(1);
/// How long the server gets to settle before a memory reading meant as a steady state.
const SETTLE: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("load-bench: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<()> {
    args.check()?;
    let limit = rlimit::increase_nofile_limit(u64::MAX).context("raising the open-files limit")?;
    println!(
        "machine: {} cores, load average {}, open-files limit {limit} per process (this one and the server)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    for &engine in &args.engines {
        run_engine(args, engine, limit).await.with_context(|| format!("{engine:?}"))?;
    }
    Ok(())
}

async fn run_engine(args: &Args, engine: Engine, file_limit: u64) -> Result<()> {
    let database = database(&args.postgres, engine).await?;
    let data_dir = ScratchDir::new();
    println!("\n== {engine:?}: {} visitors, {} agents, {} s per rate", args.visitors, args.agents, args.seconds);
    let node = start_node(&database, &data_dir).await?;
    let app = Arc::new(TestApp::attach(&node.address, system_tests::Engine::Sqlite, &database.url));
    tokio::time::sleep(SETTLE).await;
    let resting = rss_bytes(node.pid())?;
    let team = team(&app, args.agents).await?;
    tokio::time::sleep(SETTLE).await;
    let signed_in = rss_bytes(node.pid())?;
    println!(
        "server memory: {:.1} MiB at rest, {:.1} MiB after {} sign-ins ({:+.1} MiB)",
        mib(resting),
        mib(signed_in),
        args.agents,
        mib(signed_in) - mib(resting)
    );

    let started = Instant::now();
    let conversations = conversations(&app, &team.site_key, args.visitors, args.concurrency).await?;
    println!("set up {} visitors with a conversation each in {:.1?}", conversations.len(), started.elapsed());

    let shared = Arc::new(Shared::new(args.rates.len()));
    let mut agents = Vec::new();
    for (a, token) in team.agent_tokens.iter().enumerate() {
        let mut ws = traffic::connect(&node.address, "/ws/agent", token, None).await?;
        let mine: Vec<Uuid> =
            conversations.iter().enumerate().filter(|(v, _)| v % args.agents == a).map(|(_, (_, c))| *c).collect();
        traffic::resume_all(&mut ws, &mine).await?;
        agents.push(tokio::spawn(traffic::agent(shared.clone(), ws)));
    }
    let (plan, planned) = watch::channel(Plan { step: 0, interval: None });
    let visitors = start_senders(&node.address, &conversations, &shared, &planned).await?;
    tokio::time::sleep(SETTLE).await;
    println!("sockets open: {:.1} MiB server memory", mib(rss_bytes(node.pid())?));

    println!(
        "{:>8} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>10} {:>6} {:>7}  load",
        "offered",
        "acked/s",
        "recv/s",
        "(window)",
        "p50 ms",
        "p99 ms",
        "max ms",
        "ack p50",
        "ack p99",
        "srv ms/msg",
        "pg ms/msg",
        "errors",
        "rss MiB"
    );
    let mut saturated = 0.0_f64;
    for (step, &rate) in args.rates.iter().enumerate() {
        let load = load_average();
        let (cpu0, pg0) = (cpu_seconds(node.pid()), database.cpu_seconds().await);
        let per_visitor = f64::from(rate) / conversations.len() as f64;
        let interval = Duration::from_secs_f64(1.0 / per_visitor.min(f64::from(PER_VISITOR_MAX)));
        plan.send_replace(Plan { step, interval: Some(interval) });
        tokio::time::sleep(Duration::from_secs(args.seconds)).await;
        close_window(&shared, step);
        plan.send_replace(Plan { step, interval: None });
        let counts = &shared.steps[step];
        // Drain: everything sent is acked and delivered, or a few seconds have passed.
        let drain_until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < drain_until
            && (counts.acked.load(Relaxed) < counts.sent.load(Relaxed)
                || counts.received.load(Relaxed) < counts.acked.load(Relaxed))
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (cpu1, pg1) = (cpu_seconds(node.pid()), database.cpu_seconds().await);
        let seconds = args.seconds as f64;
        let acked = counts.acked.load(Relaxed) as f64;
        let acked_window = counts.acked_in_window.load(Relaxed) as f64 / seconds;
        let received = counts.received.load(Relaxed) as f64 / seconds;
        let received_window = counts.received_in_window.load(Relaxed) as f64 / seconds;
        let mut latencies = std::mem::take(&mut *counts.latencies.lock().unwrap());
        latencies.sort_unstable();
        let mut acks = std::mem::take(&mut *counts.ack_latencies.lock().unwrap());
        acks.sort_unstable();
        let p99 = percentile(&latencies, 99.0);
        let per_message = |cpu: f64| if acked > 0.0 { cpu * 1000.0 / acked } else { f64::NAN };
        println!(
            "{rate:>8} {acked_window:>9.0} {received:>9.0} {received_window:>9.0} {:>8.1} {p99:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>10.3} {:>10.3} {:>6} {:>7.1}  {load}",
            percentile(&latencies, 50.0),
            latencies.last().map_or(f64::NAN, |max| f64::from(*max) / 1000.0),
            percentile(&acks, 50.0),
            percentile(&acks, 99.0),
            per_message(cpu1 - cpu0),
            per_message(pg1 - pg0),
            counts.errors.load(Relaxed),
            mib(rss_bytes(node.pid())?),
        );
        let sustained = acked_window >= SUSTAINED_SHARE * f64::from(rate)
            && received_window >= SUSTAINED_SHARE * f64::from(rate)
            && p99 <= SUSTAINED_P99.as_secs_f64() * 1000.0;
        saturated = saturated.max(acked_window.min(received_window));
        if !sustained {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    println!(
        "saturated: {saturated:.0} messages/s stored (acked after commit) and delivered within the sending window; \
         socket closes: {}",
        shared.closes.load(Relaxed)
    );
    for task in visitors.iter().chain(&agents) {
        task.abort();
    }
    drop(node);

    if args.idle_sockets != Some(0) {
        idle(args, &database, &data_dir, &team, file_limit).await?;
    }
    let _ = team.owner_token;
    database.drop_postgres().await;
    Ok(())
}

/// Idle visitor sockets on a fresh server process (so memory kept from the load above
/// does not absorb their cost): what each one costs, and whether the server still answers.
async fn idle(args: &Args, database: &Database, data_dir: &ScratchDir, team: &Team, file_limit: u64) -> Result<()> {
    // This process holds one descriptor per socket too; keep room for everything else.
    let count = args.idle_sockets.unwrap_or((file_limit.saturating_sub(1000)) as usize);
    let node = start_node(database, data_dir).await?;
    let app = Arc::new(TestApp::attach(&node.address, system_tests::Engine::Sqlite, &database.url));
    let started = Instant::now();
    let tokens = bounded(count, args.concurrency, |_| {
        let (app, site_key) = (app.clone(), team.site_key.clone());
        async move { visitor_token(&app, &site_key).await }
    })
    .await?;
    println!("\nidle sockets: made {count} visitor tokens in {:.1?}", started.elapsed());
    drop(node);
    let node = start_node(database, data_dir).await?;
    tokio::time::sleep(SETTLE).await;
    let before = rss_bytes(node.pid())?;
    let sockets = bounded(count, 64, |v| {
        let (address, token) = (node.address.clone(), tokens[v].clone());
        async move { traffic::connect(&address, "/ws/visitor", &token, Some(ORIGIN)).await }
    })
    .await?;
    // Keep reading, so the server's pings are answered.
    let held: Vec<_> = sockets
        .into_iter()
        .map(|mut ws| tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} }))
        .collect();
    tokio::time::sleep(SETTLE).await;
    let after = rss_bytes(node.pid())?;
    let health = Instant::now();
    let healthy = reqwest::get(format!("{}/healthz", node.address)).await.is_ok_and(|r| r.status().is_success());
    let health = health.elapsed();
    let per_socket = (after.saturating_sub(before)) as f64 / count as f64;
    println!(
        "{count} idle visitor sockets: server {:.1} MiB before, {:.1} MiB with them: {:.2} KiB ({:.0} bytes) each; \
         /healthz {} in {health:.1?}",
        mib(before),
        mib(after),
        per_socket / 1024.0,
        per_socket,
        if healthy { "answered" } else { "FAILED" },
    );
    println!(
        "projection for 100,000 sockets on one node: {:.0} MiB for the sockets, and an open-files limit of at least 100,512",
        100_000.0 * per_socket / (1024.0 * 1024.0)
    );
    let summary: Value = json!({"idle_sockets": count, "rss_before_mib": mib(before), "rss_after_mib": mib(after), "bytes_per_socket": per_socket});
    println!("{summary}");
    for task in held {
        task.abort();
    }
    Ok(())
}
