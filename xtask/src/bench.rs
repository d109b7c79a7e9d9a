//! `cargo xtask bench`: the load benchmark (rising rates until saturation, latency, CPU
//! per message, idle sockets up to the open-files limit), on SQLite and PostgreSQL; and
//! `cargo xtask bench-burst`: every visitor sending at once, every agent resuming every
//! conversation; `cargo xtask bench-feed`: consoles following a big workspace's feed
//! while they lose their connection. All the server and the benchmarks are built with the release profile: a
//! debug build would measure the compiler's settings, not the code.

use std::process::Command;

use crate::cmd::{cargo, run, target_dir};

fn build(bin: &str) -> Result<(), String> {
    crate::header(&format!("building rapport-node and {bin} (release)"));
    run(cargo().args(["build", "--release", "-p", "system-tests", "--bin", "rapport-node", "--bin", bin]))
}

pub fn bench(extra: &[String]) -> Result<(), String> {
    crate::header("ensuring PostgreSQL");
    crate::services::ensure_services()?;
    build("load-bench")?;
    crate::header("running load-bench");
    // The built binary directly, not `cargo run`: cargo would stay in the process tree
    // and in the figures of `ps`, and re-check the build for nothing.
    run(Command::new(target_dir().join("release").join("load-bench")).args(extra))
}

/// `cargo xtask bench-feed`: consoles following the feed of a 10,000-conversation
/// workspace under saturating traffic, dropped at random; their return times and a
/// delivery check (PostgreSQL by default).
pub fn bench_feed(extra: &[String]) -> Result<(), String> {
    crate::header("ensuring PostgreSQL");
    crate::services::ensure_services()?;
    build("feed-bench")?;
    crate::header("running feed-bench");
    run(Command::new(target_dir().join("release").join("feed-bench")).args(extra))
}

pub fn bench_burst(extra: &[String]) -> Result<(), String> {
    build("realtime-bench")?;
    crate::header("running realtime-bench");
    run(Command::new(target_dir().join("release").join("realtime-bench")).args(extra))
}

/// `cargo xtask bench-reports`: seeds PostgreSQL with 100,000 conversations and 1,000,000
/// messages, then times every report and prints the heavy query's plan. Release build,
/// like the server in production: a debug build would time the compiler's settings.
pub fn bench_reports(extra: &[String]) -> Result<(), String> {
    crate::header("ensuring PostgreSQL");
    crate::services::ensure_services()?;
    crate::header("building reports-bench (release)");
    run(cargo().args(["build", "--release", "-p", "system-tests", "--bin", "reports-bench"]))?;
    crate::header("running reports-bench");
    let binary = target_dir().join("release").join("reports-bench");
    run(Command::new(binary).args(extra))
}
