//! What the feed benchmark is asked to do.

use anyhow::{Result, ensure};
use clap::Parser;

use crate::setup::Engine;

/// A workspace with many open conversations under saturating traffic; agents' consoles
/// follow the workspace feed and lose their connection at random. Prints how long each
/// reconnect takes to be current, and checks that no console lost, repeated or reordered
/// anything on the feed or in its open conversation.
#[derive(Debug, Parser)]
#[command(name = "feed-bench")]
pub struct Args {
    #[arg(long, value_enum, default_value_t = Engine::Postgres)]
    pub engine: Engine,
    /// PostgreSQL server (a fresh database is created on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pub postgres: String,
    /// Open conversations in the workspace, one visitor each.
    #[arg(long, default_value_t = 10_000)]
    pub conversations: usize,
    /// Visitors among them who send during the run (each sends at most 8 messages/s).
    #[arg(long, default_value_t = 1000)]
    pub senders: usize,
    /// Messages per second offered by the senders together (the pipeline issue's
    /// saturation load: 1,000 visitors offering 5,000/s).
    #[arg(long, default_value_t = 5000)]
    pub rate: u32,
    /// Agents, each with a console following the feed and one conversation open.
    #[arg(long, default_value_t = 20)]
    pub agents: usize,
    /// Times each console loses its connection, at random moments of the run.
    #[arg(long, default_value_t = 5)]
    pub drops: usize,
    /// Longest time a console stays offline after a drop (chosen at random from a tenth of
    /// it up to it), seconds.
    #[arg(long, default_value_t = 5.0)]
    pub offline: f64,
    /// Seconds of traffic.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Seed of the drop schedule (printed, so a run can be replayed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Setup requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
}

/// The most messages a second one visitor socket sends (the server refuses above 10).
pub const PER_VISITOR_MAX: u32 = 8;

impl Args {
    pub fn check(&self) -> Result<()> {
        ensure!(self.conversations >= 1, "--conversations must be at least 1");
        ensure!(
            (1..=self.conversations).contains(&self.senders),
            "--senders must be between 1 and --conversations ({})",
            self.conversations
        );
        ensure!(self.agents >= 1, "--agents must be at least 1");
        ensure!(self.seconds >= 10, "--seconds must be at least 10 (drops happen between the first and last 5 s)");
        ensure!(self.offline > 0.0, "--offline must be above 0");
        ensure!(
            self.rate <= self.senders as u32 * PER_VISITOR_MAX,
            "{} messages/s needs at least {} senders (each sends at most {PER_VISITOR_MAX}/s): raise --senders",
            self.rate,
            self.rate.div_ceil(PER_VISITOR_MAX)
        );
        Ok(())
    }
}
