//! The figures of a run, printed as `name: value` lines.

use std::{collections::BTreeMap, time::Duration};

use crate::{
    args::Args,
    crowd::{Close, Outcomes},
};

/// Server memory at three moments, in bytes.
pub struct Memory {
    /// After setup and a restart, before any socket.
    pub before: u64,
    /// With every socket open and idle.
    pub idle: u64,
    /// The highest sample during traffic.
    pub peak: u64,
}

pub struct Report<'a> {
    pub args: &'a Args,
    pub database: String,
    pub redis: String,
    pub setup: Duration,
    pub connect: Duration,
    /// Until every agent socket had resumed its conversations (from the same start).
    pub resume: Duration,
    pub memory: Memory,
    /// When the visitors were let go, on the run's clock.
    pub traffic_start: Duration,
    pub outcomes: Outcomes,
}

impl Report<'_> {
    pub fn messages_acked(&self) -> u64 {
        self.outcomes.visitors.iter().map(|visitor| visitor.acked).sum()
    }

    /// Visitor messages received by agent sockets, live or replayed after a close.
    pub fn deliveries(&self) -> u64 {
        self.outcomes.agents.iter().map(|agent| agent.latencies.len() as u64 + agent.recovered).sum()
    }

    /// Times the server closed an agent socket.
    pub fn agent_closes(&self) -> usize {
        self.outcomes.agents.iter().map(|agent| agent.closes.len()).sum()
    }

    /// Lines to print, in order.
    pub fn lines(&self) -> Vec<(String, String)> {
        let args = self.args;
        let sockets = args.sockets() as f64;
        let visitors = &self.outcomes.visitors;
        let agents = &self.outcomes.agents;
        let acked = self.messages_acked();
        let planned = (args.visitors * args.messages) as u64;
        let mut latencies: Vec<Duration> = agents.iter().flat_map(|agent| agent.latencies.iter().copied()).collect();
        let mut ack_latencies: Vec<Duration> =
            visitors.iter().flat_map(|visitor| visitor.ack_latencies.iter().copied()).collect();
        let deliveries = self.deliveries();
        let recovered: u64 = agents.iter().map(|agent| agent.recovered).sum();
        let live = deliveries - recovered;
        let expected_deliveries = acked * args.fan_out() as u64;
        let last_ack = visitors.iter().filter_map(|visitor| visitor.last_ack).max();
        let last_live = agents.iter().filter_map(|agent| agent.last_live).max();
        let sending = last_ack.map_or(Duration::ZERO, |at| at.saturating_sub(self.traffic_start));
        let delivering = last_live.map_or(Duration::ZERO, |at| at.saturating_sub(self.traffic_start));
        let memory = &self.memory;

        let mut lines = Vec::new();
        let mut line = |name: &str, value: String| lines.push((name.to_owned(), value));
        line("visitors", args.visitors.to_string());
        line("agent sockets", args.agents.to_string());
        line("messages per visitor", args.messages.to_string());
        line("conversations per agent socket", args.conversations_per_agent().to_string());
        line("concurrency (setup requests, handshakes)", args.concurrency.to_string());
        line("database", self.database.clone());
        line("redis", self.redis.clone());
        line("setup (1 workspace, 1 site, visitors, conversations)", seconds(self.setup));
        line("setup rate (visitors with a conversation per second)", rate(args.visitors as u64, self.setup));
        line("connect (every socket open, visitors resumed)", seconds(self.connect));
        line("connect rate (sockets per second)", rate(args.sockets() as u64, self.connect));
        line("agent sockets resumed all their conversations after", seconds(self.resume));
        line(
            "resume rate_limited answers (agents)",
            agents.iter().map(|agent| agent.resume_rate_limited).sum::<u64>().to_string(),
        );
        line("server rss before sockets (fresh process, after setup)", mib(memory.before));
        line("server rss with all sockets idle", mib(memory.idle));
        line("server rss per idle connection", kib_per(memory.idle, memory.before, sockets));
        line("messages acked", format!("{acked} of {planned}"));
        line("traffic elapsed (start to last ack)", seconds(sending));
        line("messages per second (acked)", rate(acked, sending));
        line("deliveries to agents (live + replayed)", format!("{deliveries} of {expected_deliveries}"));
        line("  live (timed below)", live.to_string());
        line("  replayed by a resume after a close", recovered.to_string());
        line("delivery elapsed (start to last live delivery)", seconds(delivering));
        line("live deliveries per second to agents", rate(live, delivering));
        for (name, value) in percentiles(&mut latencies) {
            line(&format!("latency visitor send to agent receipt {name}"), value);
        }
        for (name, value) in percentiles(&mut ack_latencies) {
            line(&format!("latency send to ack {name}"), value);
        }
        line("agent sockets closed by the server", closes(agents.iter().flat_map(|agent| agent.closes.iter())));
        line("visitor sockets closed by the server", closes(visitors.iter().flat_map(|visitor| visitor.closes.iter())));
        line(
            "send rate_limited answers (visitors)",
            visitors.iter().map(|visitor| visitor.rate_limited).sum::<u64>().to_string(),
        );
        line("server peak rss during traffic", mib(memory.peak));
        line("server rss per connection under load", kib_per(memory.peak, memory.before, sockets));
        if let Ok(peak) = own_peak_rss() {
            line("benchmark client peak rss", mib(peak));
        }
        let failures: Vec<String> = visitors
            .iter()
            .filter_map(|visitor| visitor.failure.as_ref().map(|why| format!("visitor: {why}")))
            .chain(agents.iter().filter_map(|agent| agent.failure.as_ref().map(|why| format!("agent: {why}"))))
            .chain(self.outcomes.crashed.iter().cloned())
            .collect();
        line("failures", failures.len().to_string());
        for failure in failures.iter().take(5) {
            line("  failure", failure.clone());
        }
        lines
    }

    pub fn print(&self) {
        let lines = self.lines();
        let width = lines.iter().map(|(name, _)| name.len()).max().unwrap_or(0) + 1;
        println!("== realtime-bench ==");
        for (name, value) in lines {
            println!("{:<width$} {value}", format!("{name}:"));
        }
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

fn rate(count: u64, duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs > 0.0 { format!("{:.0}/s", count as f64 / secs) } else { "n/a".to_owned() }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn kib_per(after: u64, before: u64, count: f64) -> String {
    format!("{:.1} KiB", (after as f64 - before as f64) / 1024.0 / count)
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// p50, p95, p99 and max (nearest rank).
fn percentiles(samples: &mut [Duration]) -> Vec<(&'static str, String)> {
    if samples.is_empty() {
        return vec![("p50/p95/p99/max", "no samples".to_owned())];
    }
    samples.sort_unstable();
    let rank = |p: f64| samples[((p / 100.0 * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
    vec![
        ("p50", millis(rank(50.0))),
        ("p95", millis(rank(95.0))),
        ("p99", millis(rank(99.0))),
        ("max", millis(samples[samples.len() - 1])),
    ]
}

/// "0", or the count with each code seen and its first reason:
/// "2 (4002 ×2 \"fell behind…\")".
fn closes<'a>(closes: impl Iterator<Item = &'a Close>) -> String {
    let mut counts: BTreeMap<u16, (usize, &str)> = BTreeMap::new();
    for close in closes {
        counts.entry(close.code).or_insert((0, &close.reason)).0 += 1;
    }
    let total: usize = counts.values().map(|(count, _)| count).sum();
    if total == 0 {
        return "0".to_owned();
    }
    let detail: Vec<String> =
        counts.iter().map(|(code, (count, reason))| format!("{code} ×{count} {reason:?}")).collect();
    format!("{total} ({})", detail.join(", "))
}

/// The benchmark's own peak memory (`VmHWM`), to show what the client side cost.
fn own_peak_rss() -> Result<u64, ()> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|_| ())?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).ok_or(())?;
    let kib: u64 = line.split_whitespace().nth(1).and_then(|value| value.parse().ok()).ok_or(())?;
    Ok(kib * 1024)
}
