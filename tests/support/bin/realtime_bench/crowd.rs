//! Every socket of the run: one task per visitor and per agent from handshake to the
//! end, steered by a shared [`Phase`]. A socket stays with its task (and keeps being
//! read) while it waits for the traffic to start, so idle sockets answer the server's
//! pings like a browser would instead of being closed as dead.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, anyhow, bail};
use system_tests::ws::{self, Credential, Ended, Socket};
use tokio::{
    sync::{Semaphore, mpsc, watch},
    task::JoinSet,
};

use crate::{
    agent::{self, AgentOutcome},
    args::Args,
    setup::Population,
    tasks::{catch, panic_message},
    visitor::{self, VisitorOutcome},
};

/// Where the run is; socket tasks wait for the next phase while reading their socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Connecting,
    Traffic,
    Stop,
}

/// What a socket task reports while the run gets going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// The socket has its `hello` (a visitor's: and has resumed its conversation).
    Open,
    /// An agent socket has resumed all of its conversations.
    Resumed,
}

/// What every socket task shares.
pub struct Shared {
    pub address: String,
    /// Send times travel in message bodies as nanoseconds since this instant; sender and
    /// receivers are tasks of this one process, so they read the same clock.
    pub epoch: Instant,
    /// Bounds handshakes in flight, so the server's accept queue never overflows and
    /// the connect rate measures the server rather than SYN retries.
    handshakes: Semaphore,
    pub phase: watch::Receiver<Phase>,
    /// Messages acknowledged so far, all visitors together.
    pub acked: AtomicU64,
    /// Visitor messages received so far, all agent sockets together.
    pub delivered: AtomicU64,
    /// Visitors that stopped sending (done or failed).
    pub visitors_done: AtomicUsize,
}

/// How long a socket task waits for a frame before looking at the phase again. Phase
/// changes wake it anyway; this only bounds a wait on a socket gone silent.
pub const READ_WAIT: Duration = Duration::from_secs(3600);

impl Shared {
    /// Opens a socket on `path` and waits for its `hello`.
    pub async fn connect(&self, path: &'static str, token: &str, origin: Option<&'static str>) -> Result<Socket> {
        let _slot = self.handshakes.acquire().await.context("handshake slots closed")?;
        let (address, token) = (self.address.clone(), token.to_owned());
        // `ws::connect` panics on anything but an HTTP refusal (refused TCP connection,
        // no hello): on its own task that becomes an error.
        let connected = catch(async move { ws::connect(&address, path, Credential::Protocol(&token), origin).await })
            .await
            .with_context(|| format!("opening a socket on {path}"))?;
        connected.map_err(|refused| anyhow!("{path} refused the handshake: HTTP {} {}", refused.status, refused.body))
    }

    /// A timestamp for a message body.
    pub fn stamp(&self) -> (Duration, String) {
        let now = self.epoch.elapsed();
        (now, now.as_nanos().to_string())
    }

    /// When the message with this body was sent, if the benchmark wrote it.
    pub fn sent_at(body: &str) -> Option<Duration> {
        body.parse().ok().map(Duration::from_nanos)
    }
}

/// A socket the server closed, as the client saw it.
#[derive(Debug, Clone)]
pub struct Close {
    /// 1006 when the connection dropped without a close frame.
    pub code: u16,
    pub reason: String,
}

impl Close {
    /// The close behind `ended`; a timeout is not one.
    pub fn of(ended: Ended) -> Option<Self> {
        match ended {
            Ended::Closed(code, reason) => Some(Self { code, reason }),
            Ended::Dropped => Some(Self::dropped()),
            Ended::Timeout => None,
        }
    }

    pub fn dropped() -> Self {
        Self { code: 1006, reason: "dropped without a close frame".into() }
    }
}

/// Reads (and drops) frames until the run reaches `until`; reading is what sends the
/// pongs. Fails if the server closed the socket meanwhile.
pub async fn idle(socket: &mut Socket, phase: &mut watch::Receiver<Phase>, until: Phase) -> Result<(), Close> {
    loop {
        if *phase.borrow_and_update() >= until {
            return Ok(());
        }
        tokio::select! {
            changed = phase.changed() => if changed.is_err() { return Ok(()) },
            frame = socket.next(READ_WAIT) => if let Some(close) = frame.err().and_then(Close::of) {
                return Err(close);
            },
        }
    }
}

/// After the last visitor is done, how long deliveries may stall before the rest are
/// counted as missing.
const DRAIN_QUIET: Duration = Duration::from_secs(10);
/// After the last visitor is done, how long the agents get in all to catch up.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(20);
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

pub struct Crowd {
    pub shared: Arc<Shared>,
    /// The agent sockets' own thread. In production consoles run on other machines than
    /// the widgets; sharing the benchmark's runtime with ten thousand visitor tasks, an
    /// agent socket would be read late, the server would block writing to it, and close
    /// it as a slow consumer: the benchmark would measure itself.
    agent_runtime: Option<tokio::runtime::Runtime>,
    phase: watch::Sender<Phase>,
    visitors: JoinSet<VisitorOutcome>,
    agents: JoinSet<AgentOutcome>,
    ready: mpsc::UnboundedReceiver<Result<Ready>>,
    sockets: usize,
    visitor_count: usize,
    agent_count: usize,
    fan_out: usize,
}

impl Drop for Crowd {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which an async context forbids; this does not.
        if let Some(runtime) = self.agent_runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// What the socket tasks report at the end.
pub struct Outcomes {
    pub visitors: Vec<VisitorOutcome>,
    pub agents: Vec<AgentOutcome>,
    /// Tasks that panicked, with their messages.
    pub crashed: Vec<String>,
}

impl Crowd {
    /// Starts every socket task; agents first, so their handshakes go first.
    pub fn spawn(address: &str, population: &Population, args: &Args) -> Result<Self> {
        let agent_runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("agent-sockets")
            .enable_all()
            .build()
            .context("starting the agent sockets' runtime")?;
        let (phase, phase_rx) = watch::channel(Phase::Connecting);
        let shared = Arc::new(Shared {
            address: address.to_owned(),
            epoch: Instant::now(),
            handshakes: Semaphore::new(args.concurrency),
            phase: phase_rx,
            acked: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            visitors_done: AtomicUsize::new(0),
        });
        let (report, ready) = mpsc::unbounded_channel();
        let mut agents = JoinSet::new();
        for index in 0..args.agents {
            let conversations = population
                .visitors
                .iter()
                .enumerate()
                .filter(|(n, _)| !args.split_conversations || n % args.agents == index)
                .map(|(_, visitor)| visitor.conversation_id)
                .collect();
            let agent = agent::run(shared.clone(), population.owner_token.clone(), conversations, report.clone());
            agents.spawn_on(agent, agent_runtime.handle());
        }
        let mut visitors = JoinSet::new();
        for visitor in &population.visitors {
            visitors.spawn(visitor::run(shared.clone(), visitor.clone(), args.messages, report.clone()));
        }
        Ok(Self {
            shared,
            agent_runtime: Some(agent_runtime),
            phase,
            visitors,
            agents,
            ready,
            sockets: args.sockets(),
            visitor_count: args.visitors,
            agent_count: args.agents,
            fan_out: args.fan_out(),
        })
    }

    /// Waits until every socket is open and every agent socket has resumed its
    /// conversations; fails at the first that cannot. Returns how long each took.
    pub async fn ready(&mut self) -> Result<(Duration, Duration)> {
        let started = Instant::now();
        let (mut open, mut resumed) = (0, 0);
        let mut all_open = None;
        while open < self.sockets || resumed < self.agent_count {
            let event = match self.ready.recv().await {
                Some(Ok(event)) => event,
                Some(Err(err)) => {
                    return Err(err.context(format!(
                        "{open} of {} sockets were open, {resumed} of {} agent sockets resumed",
                        self.sockets, self.agent_count
                    )));
                }
                None => bail!("the socket tasks ended before every socket was ready"),
            };
            match event {
                Ready::Open => open += 1,
                Ready::Resumed => resumed += 1,
            }
            if open == self.sockets && all_open.is_none() {
                all_open = Some(started.elapsed());
                if resumed < self.agent_count {
                    eprintln!(
                        "  … every socket open after {:.2?}; agent sockets resuming their conversations…",
                        started.elapsed()
                    );
                }
            }
        }
        Ok((all_open.unwrap_or_default(), started.elapsed()))
    }

    /// Lets the visitors send; returns when (on the run's clock).
    pub fn start_traffic(&self) -> Duration {
        let at = self.shared.epoch.elapsed();
        self.phase.send_replace(Phase::Traffic);
        at
    }

    /// Waits until every visitor is done sending and the agents have every delivery
    /// (or deliveries stalled, or took too long), printing progress on stderr meanwhile.
    pub async fn finish_traffic(&self, messages: u64) {
        let shared = &self.shared;
        let mut progress = Instant::now();
        let mut report_progress = || {
            if progress.elapsed() >= PROGRESS_EVERY {
                progress = Instant::now();
                eprintln!(
                    "  … {} of {messages} messages acked, {} deliveries to agents",
                    shared.acked.load(Ordering::Relaxed),
                    shared.delivered.load(Ordering::Relaxed)
                );
            }
        };
        while shared.visitors_done.load(Ordering::Relaxed) < self.visitor_count {
            report_progress();
            tokio::time::sleep(POLL).await;
        }
        let expected = shared.acked.load(Ordering::Relaxed) * self.fan_out as u64;
        let drain_start = Instant::now();
        let (mut seen, mut quiet_since) = (0, Instant::now());
        loop {
            let delivered = shared.delivered.load(Ordering::Relaxed);
            if delivered >= expected {
                return;
            }
            if delivered != seen {
                (seen, quiet_since) = (delivered, Instant::now());
            }
            // A reader that trickles along would keep the run going for as long as the
            // kernel buffered for it (megabytes on loopback).
            if quiet_since.elapsed() >= DRAIN_QUIET || drain_start.elapsed() >= DRAIN_LIMIT {
                eprintln!("  … deliveries stopped at {delivered} of {expected}; counting the rest as missing");
                return;
            }
            report_progress();
            tokio::time::sleep(POLL).await;
        }
    }

    /// Ends every socket task and collects what they measured.
    pub async fn stop(mut self) -> Outcomes {
        self.phase.send_replace(Phase::Stop);
        let mut crashed = Vec::new();
        let mut visitors = Vec::new();
        while let Some(done) = self.visitors.join_next().await {
            match done {
                Ok(outcome) => visitors.push(outcome),
                Err(err) => crashed.push(format!("a visitor task: {}", panic_message(err))),
            }
        }
        let mut agents = Vec::new();
        while let Some(done) = self.agents.join_next().await {
            match done {
                Ok(outcome) => agents.push(outcome),
                Err(err) => crashed.push(format!("an agent task: {}", panic_message(err))),
            }
        }
        Outcomes { visitors, agents, crashed }
    }
}
