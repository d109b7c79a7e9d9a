//! What the load benchmark is asked to do.

use anyhow::{Result, ensure};
use clap::Parser;

pub use crate::setup::Engine;

/// Drives a real `rapport` server (a process of its own, release build) with visitors
/// sending at rising rates, and prints what it sustains: received messages per second,
/// send → agent latency (p50/p99/max), send → ack latency, server (and PostgreSQL) CPU per
/// message, memory; then idle sockets up to the open-files limit and their memory each.
#[derive(Debug, Parser)]
#[command(name = "load-bench")]
pub struct Args {
    /// Storage engines to measure, one after the other.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Engine::Sqlite, Engine::Postgres])]
    pub engines: Vec<Engine>,
    /// PostgreSQL server (a fresh database is created on it for each run).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pub postgres: String,
    /// Visitor sockets that send (each with its own conversation). A visitor sends at most
    /// 8 messages a second (the server allows 10), so the highest rate is 8 × visitors.
    #[arg(long, default_value_t = 4000)]
    pub visitors: usize,
    /// Agents (each signed in with a password); agent `a` resumes the conversations
    /// `v % agents == a`, as a team splitting the queue does.
    #[arg(long, default_value_t = 20)]
    pub agents: usize,
    /// Offered rates in messages per second, tried in rising order until one is not
    /// sustained (the lower ones give the latency at a fixed rate).
    #[arg(long, value_delimiter = ',', default_values_t = [1000, 2000, 5000, 10_000, 15_000, 20_000, 25_000, 30_000])]
    pub rates: Vec<u32>,
    /// Seconds of sending per rate.
    #[arg(long, default_value_t = 8)]
    pub seconds: u64,
    /// Idle visitor sockets to hold at the end (0: skip; default: as many as the
    /// open-files limit allows this process and the server, less a margin).
    #[arg(long)]
    pub idle_sockets: Option<usize>,
    /// Setup requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
}

/// The most messages a second one visitor socket sends (the server refuses above 10).
pub const PER_VISITOR_MAX: u32 = 8;

impl Args {
    pub fn check(&self) -> Result<()> {
        ensure!(!self.engines.is_empty(), "--engines: at least one");
        ensure!(self.visitors >= 1 && self.agents >= 1, "--visitors and --agents must be at least 1");
        ensure!(self.seconds >= 1, "--seconds must be at least 1");
        ensure!(!self.rates.is_empty(), "--rates: at least one");
        let most = self.rates.iter().max().copied().unwrap_or(0);
        ensure!(
            most as usize <= self.visitors * PER_VISITOR_MAX as usize,
            "{most} messages/s needs at least {} visitors (each sends at most {PER_VISITOR_MAX}/s): raise --visitors",
            (most as usize).div_ceil(PER_VISITOR_MAX as usize)
        );
        Ok(())
    }
}
