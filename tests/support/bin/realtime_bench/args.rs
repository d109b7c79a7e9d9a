//! What the benchmark is asked to do.

use anyhow::{Result, ensure};
use clap::Parser;

/// Opens visitor and agent sockets on a real `rapport` server, has every visitor send
/// messages, and prints setup time, server memory per connection, throughput and
/// visitor-to-agent latency.
#[derive(Debug, Parser)]
#[command(name = "realtime-bench")]
pub struct Args {
    /// Visitors, each with one conversation and one socket.
    #[arg(long, default_value_t = 1000)]
    pub visitors: usize,
    /// Agent sockets, all signed in as the workspace owner; each one resumes every
    /// conversation and so receives every visitor message (see --split-conversations).
    #[arg(long, default_value_t = 5)]
    pub agents: usize,
    /// Messages each visitor sends, one after another, each after the previous ack.
    #[arg(long, default_value_t = 5)]
    pub messages: usize,
    /// The server's database (`sqlite:…` or `postgres://…`, which must exist). Default:
    /// a SQLite file in a fresh temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Redis for the server's bus and presence. Default: the in-process ones.
    #[arg(long)]
    pub redis_url: Option<String>,
    /// Each agent socket resumes only its share of the conversations (a team splitting
    /// the queue) instead of every one (a shared inbox, the default). Resumes are rate
    /// limited to 50 a second per socket after a burst of 500, so with thousands of
    /// conversations resuming them all takes minutes.
    #[arg(long)]
    pub split_conversations: bool,
    /// Setup requests, and socket handshakes, in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
}

impl Args {
    pub fn check(&self) -> Result<()> {
        ensure!(self.visitors >= 1, "--visitors must be at least 1");
        // Without an agent nothing measures delivery, which is the point of the run.
        ensure!(self.agents >= 1, "--agents must be at least 1");
        ensure!(self.messages >= 1, "--messages must be at least 1");
        ensure!(self.concurrency >= 1, "--concurrency must be at least 1");
        Ok(())
    }

    /// Agent sockets that receive each visitor message.
    pub fn fan_out(&self) -> usize {
        if self.split_conversations { 1 } else { self.agents }
    }

    /// Conversations each agent socket resumes (the most, when split unevenly).
    pub fn conversations_per_agent(&self) -> usize {
        if self.split_conversations { self.visitors.div_ceil(self.agents) } else { self.visitors }
    }

    /// Sockets the server holds once everyone is connected.
    pub fn sockets(&self) -> usize {
        self.visitors + self.agents
    }
}
