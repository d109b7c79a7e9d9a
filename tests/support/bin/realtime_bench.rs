//! `realtime-bench`: how many sockets a `rapport` server holds, what each one costs in
//! memory, and how fast messages go from visitors to agents. Run it with
//! `cargo xtask bench [-- --visitors N --agents M --messages K]`.
//!
//! - [`args`]: the options.
//! - [`server`]: the server as a process of its own, and its resident memory.
//! - [`setup`]: workspace, site, visitors and conversations over the REST API.
//! - [`crowd`]: every socket, one task each, moved through the phases of the run.
//! - [`visitor`] and [`agent`]: what one socket of each kind does; [`pacer`] keeps an
//!   agent's `resume` frames within the server's rate limit.
//! - [`report`]: the figures.
//! - [`tasks`]: bounded concurrency, and panics of the shared support code as errors.
//!
//! A binary's root sits beside other binaries, so its modules are named by `#[path]`.

#[path = "realtime_bench/agent.rs"]
mod agent;
#[path = "realtime_bench/args.rs"]
mod args;
#[path = "realtime_bench/crowd.rs"]
mod crowd;
#[path = "realtime_bench/pacer.rs"]
mod pacer;
#[path = "realtime_bench/report.rs"]
mod report;
#[path = "realtime_bench/server.rs"]
mod server;
#[path = "realtime_bench/setup.rs"]
mod setup;
#[path = "realtime_bench/tasks.rs"]
mod tasks;
#[path = "realtime_bench/visitor.rs"]
mod visitor;

use std::{
    process::ExitCode,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use clap::Parser;
use system_tests::TestApp;

use crate::{
    args::Args,
    crowd::Crowd,
    report::{Memory, Report},
    server::{PeakRss, ServerConfig, rss_bytes},
};

/// Lets a server's memory settle (tasks finishing their first round of work) before a
/// reading that is meant to show a steady state.
const SETTLE: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tasks::quiet_repeated_panics();
    // Stopped by a signal, the run is dropped rather than cut short, so the server
    // process is killed and the temporary directory removed on the way out.
    let outcome = tokio::select! {
        outcome = run(&args) => outcome,
        signal = stop_signal() => Err(anyhow::anyhow!("stopped by {signal}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("realtime-bench: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The first of SIGINT and SIGTERM.
async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => "SIGINT",
        _ = terminate.recv() => "SIGTERM",
    }
}

async fn run(args: &Args) -> Result<()> {
    args.check()?;
    check_machine(args.sockets())?;
    let config = ServerConfig::new(args).await?;

    eprintln!("setting up 1 workspace, 1 site, {} visitors with a conversation each…", args.visitors);
    let node = config.start().await?;
    let app = Arc::new(TestApp::attach(&node.address, config.engine, &config.database_url));
    let started = Instant::now();
    let population = setup::populate(app, args.visitors, args.concurrency).await?;
    let setup = started.elapsed();
    eprintln!("  … done in {setup:.2?}");

    // A fresh process on the same data: memory the allocator kept from thousands of
    // setup requests would otherwise absorb the sockets' and understate their cost.
    drop(node);
    let node = config.start().await?;
    tokio::time::sleep(SETTLE).await;
    let before = rss_bytes(node.pid())?;

    eprintln!("opening {} agent and {} visitor sockets…", args.agents, args.visitors);
    let mut crowd = Crowd::spawn(&node.address, &population, args)?;
    let (connect, resume) = crowd.ready().await?;
    eprintln!("  … every socket open and resumed after {resume:.2?}");
    tokio::time::sleep(SETTLE).await;
    let idle = rss_bytes(node.pid())?;

    let planned = (args.visitors * args.messages) as u64;
    eprintln!("sending {planned} messages…");
    let peak = PeakRss::start(node.pid());
    let traffic_start = crowd.start_traffic();
    crowd.finish_traffic(planned).await;
    let peak = peak.finish().await;
    let outcomes = crowd.stop().await;
    drop(node);

    let (database, redis) = config.description.clone();
    let report = Report {
        args,
        database,
        redis,
        setup,
        connect,
        resume,
        memory: Memory { before, idle, peak },
        traffic_start,
        outcomes,
    };
    report.print();
    let (acked, delivered) = (report.messages_acked(), report.deliveries());
    if acked < planned {
        bail!("{} of {planned} messages were not acknowledged (see failures above)", planned - acked);
    }
    let expected = acked * args.fan_out() as u64;
    if delivered < expected {
        let missing = expected - delivered;
        // Expected after a server close: resuming a socket's conversations again runs at
        // the rate limit, and may not be done when the run ends. Otherwise it is a loss.
        let closed = report.agent_closes();
        if closed == 0 {
            bail!("{missing} of {expected} deliveries to agent sockets are missing, and no agent socket was closed");
        }
        eprintln!(
            "realtime-bench: {missing} of {expected} deliveries were not in when the run ended: agent sockets closed \
             by the server ({closed} times) were still resuming their conversations"
        );
    }
    Ok(())
}

/// Both this process and the server hold one descriptor, and this side one local port,
/// per socket: say so up front rather than failing halfway through connecting.
fn check_machine(sockets: usize) -> Result<()> {
    // Files beside the sockets: the database, the server's listener, HTTP connections.
    let needed = sockets as u64 + 256;
    let limit = rlimit::increase_nofile_limit(u64::MAX).context("raising the open-files limit")?;
    if limit < needed {
        bail!(
            "the open-files limit is {limit} (the hard limit, `ulimit -Hn`), and {sockets} sockets need about {needed}: \
             raise it (e.g. in /etc/security/limits.conf or with `ulimit -Hn` as root) or use fewer visitors"
        );
    }
    let ports = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok().and_then(|range| {
        let mut bounds = range.split_whitespace().filter_map(|bound| bound.parse::<u64>().ok());
        Some((bounds.next()?, bounds.next()?))
    });
    if let Some((low, high)) = ports
        && high.saturating_sub(low) + 1 < needed
    {
        bail!(
            "the local port range ({low}-{high}, /proc/sys/net/ipv4/ip_local_port_range) has fewer ports than \
             {sockets} sockets need: widen it or use fewer visitors"
        );
    }
    Ok(())
}
