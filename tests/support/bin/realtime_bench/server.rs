//! The server under test: a `rapport-node` process of its own, so that its memory is
//! measured apart from the benchmark's thousands of client sockets.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use system_tests::{
    Engine, ScratchDir, fresh_database,
    node::{Node, free_port},
};
use tokio::{sync::watch, task::JoinHandle};
use uuid::Uuid;

use crate::{args::Args, tasks::catch};

/// How to start the server, kept so it can be started again on the same data.
pub struct ServerConfig {
    pub engine: Engine,
    pub database_url: String,
    /// What the database and Redis settings say, for the report.
    pub description: (String, String),
    vars: Vec<(&'static str, String)>,
    /// Holds the SQLite file and the server's data directory; removed at the end.
    _dir: ScratchDir,
}

impl ServerConfig {
    pub async fn new(args: &Args) -> Result<Self> {
        let dir = ScratchDir::new();
        let (database_url, database) = match &args.database_url {
            Some(url) => (url.clone(), redact(url)),
            None => {
                let url = fresh_database(Engine::Sqlite, &dir).await;
                (url, format!("SQLite in a fresh temporary directory ({})", dir.0.display()))
            }
        };
        let engine = if database_url.starts_with("postgres") { Engine::Postgres } else { Engine::Sqlite };
        let mut vars = vec![
            ("RAPPORT_DATABASE_URL", database_url.clone()),
            ("RAPPORT_DATA_DIR", dir.0.display().to_string()),
            ("RAPPORT_SIGNUP", "open".to_owned()),
            // Thousands of visitors from this one machine: not a flood to throttle.
            ("RAPPORT_WIDGET_SESSIONS_PER_MINUTE", "0".to_owned()),
        ];
        let redis = match &args.redis_url {
            Some(url) => {
                vars.push(("RAPPORT_REDIS_URL", url.clone()));
                // A prefix of its own, so a shared Redis (or an earlier run) cannot
                // deliver events into this run.
                vars.push(("RAPPORT_REDIS_PREFIX", format!("rapport-bench:{}:", Uuid::new_v4().simple())));
                redact(url)
            }
            None => "none (in-process bus and presence)".to_owned(),
        };
        Ok(Self { engine, database_url, description: (database, redis), vars, _dir: dir })
    }

    /// Starts a server on a free port and waits until it is ready.
    pub async fn start(&self) -> Result<Node> {
        check_binary()?;
        let vars = self.vars.clone();
        let start = async move { Node::start(free_port(), &vars).await };
        catch(start).await.context("starting the server (rapport-node); its own messages, if any, are above")
    }
}

/// `rapport-node` is looked up beside this binary; say how to get it there.
fn check_binary() -> Result<()> {
    let exe = std::env::current_exe().context("locating realtime-bench")?;
    let node = exe.with_file_name("rapport-node");
    if !node.exists() {
        bail!("{} not found: build it with realtime-bench (`cargo xtask bench` does both)", node.display());
    }
    Ok(())
}

/// A URL without its password, fit to print.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The resident memory of process `pid`, in bytes (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_bytes(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status =
        std::fs::read_to_string(&path).with_context(|| format!("reading {path} (is the server still running?)"))?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).with_context(|| format!("no VmRSS in {path}"))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|value| value.parse().ok())
        .with_context(|| format!("unreadable VmRSS line in {path}: {line}"))?;
    Ok(kib * 1024)
}

/// Samples a process's resident memory until stopped and keeps the highest value.
pub struct PeakRss {
    stop: watch::Sender<bool>,
    task: JoinHandle<u64>,
}

/// Often enough to catch a peak of a phase lasting seconds, cheap enough not to matter.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

impl PeakRss {
    pub fn start(pid: u32) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut peak = 0;
            let mut tick = tokio::time::interval(SAMPLE_EVERY);
            loop {
                tokio::select! {
                    _ = tick.tick() => peak = peak.max(rss_bytes(pid).unwrap_or(0)),
                    _ = stopped.changed() => return peak.max(rss_bytes(pid).unwrap_or(0)),
                }
            }
        });
        Self { stop, task }
    }

    pub async fn finish(self) -> u64 {
        self.stop.send_replace(true);
        self.task.await.unwrap_or(0)
    }
}
