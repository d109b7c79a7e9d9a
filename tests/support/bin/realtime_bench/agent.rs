//! One agent socket for the whole run, behaving like the console: it resumes its
//! conversations (only resumed conversations get `message` frames), then reads every
//! frame and, for each message a visitor wrote, records how long it took from the
//! visitor's `send` to here. Closed by the server, it reconnects and resumes each
//! conversation after the last `seq` it holds, as PROTOCOL.md asks of a client.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use anyhow::Result;
use openapi::{
    messages::{AuthorKind, Message},
    realtime::{ClientFrame, ServerFrame},
};
use system_tests::ws::Socket;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

use crate::{
    crowd::{Close, Phase, READ_WAIT, Ready, Shared},
    pacer::Pacer,
};

/// Server closes one agent socket survives (reconnecting each time) before giving up.
const MAX_CLOSES: usize = 20;
/// How long resuming may go without any `resumed` before the socket counts as stuck.
const RESUME_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct AgentOutcome {
    /// From the visitor's `send` to this socket reading the message, live messages only.
    pub latencies: Vec<Duration>,
    /// Messages that came in a replay after a reconnect instead of live.
    pub recovered: u64,
    /// When the last live visitor message arrived, on the run's clock.
    pub last_live: Option<Duration>,
    /// `rate_limited` answers to `resume` (each one is sent again after the advised wait).
    pub resume_rate_limited: u64,
    /// Server closes.
    pub closes: Vec<Close>,
    /// Why this socket stopped reading before the end.
    pub failure: Option<String>,
}

struct Agent {
    shared: Arc<Shared>,
    token: String,
    conversations: Vec<Uuid>,
    /// Conversation → highest `seq` received, where a resume picks up after a close.
    last_seq: HashMap<Uuid, i64>,
    outcome: AgentOutcome,
}

/// Why a socket stopped serving.
enum Lost {
    /// The run is over.
    Stopped,
    /// The server closed the socket.
    Closed(Close),
    Failed(String),
}

pub async fn run(
    shared: Arc<Shared>,
    token: String,
    conversations: Vec<Uuid>,
    ready: mpsc::UnboundedSender<Result<Ready>>,
) -> AgentOutcome {
    let mut phase = shared.phase.clone();
    let mut agent = Agent { shared, token, conversations, last_seq: HashMap::new(), outcome: AgentOutcome::default() };
    let mut socket = match agent.shared.connect("/ws/agent", &agent.token, None).await {
        Ok(socket) => {
            let _ = ready.send(Ok(Ready::Open));
            socket
        }
        Err(err) => {
            let _ = ready.send(Err(err));
            agent.outcome.failure = Some("could not connect".into());
            return agent.outcome;
        }
    };
    // Whether the run has heard that this socket resumed everything; until then a
    // failure must be reported there too, or the run would wait for it.
    let mut announced = false;
    loop {
        let after_close = !agent.outcome.closes.is_empty();
        let lost = match agent.resume_all(&mut socket, &phase, after_close).await {
            Ok(()) => {
                if !announced {
                    announced = true;
                    let _ = ready.send(Ok(Ready::Resumed));
                }
                agent.read_live(&mut socket, &mut phase).await
            }
            Err(lost) => lost,
        };
        let why = match lost {
            Lost::Stopped => return agent.outcome,
            Lost::Failed(why) => why,
            Lost::Closed(close) => {
                agent.outcome.closes.push(close);
                if agent.outcome.closes.len() > MAX_CLOSES {
                    format!("closed by the server {} times", agent.outcome.closes.len())
                } else {
                    match agent.shared.connect("/ws/agent", &agent.token, None).await {
                        Ok(reconnected) => {
                            socket = reconnected;
                            continue;
                        }
                        Err(err) => format!("reconnecting: {err:#}"),
                    }
                }
            }
        };
        if !announced {
            let _ = ready.send(Err(anyhow::anyhow!("an agent socket could not resume its conversations: {why}")));
        }
        agent.outcome.failure = Some(why);
        return agent.outcome;
    }
}

impl Agent {
    /// Reads live frames until the run stops or the socket is lost.
    async fn read_live(&mut self, socket: &mut Socket, phase: &mut watch::Receiver<Phase>) -> Lost {
        loop {
            if *phase.borrow_and_update() == Phase::Stop {
                return Lost::Stopped;
            }
            let frame = tokio::select! {
                changed = phase.changed() => if changed.is_err() { return Lost::Stopped } else { continue },
                frame = socket.next(READ_WAIT) => frame,
            };
            match frame {
                Ok(ServerFrame::Message { message }) => self.on_message(message, false),
                Ok(_) => {}
                Err(ended) => {
                    if let Some(close) = Close::of(ended) {
                        return Lost::Closed(close);
                    }
                }
            }
        }
    }

    /// Resumes every conversation of this socket. The `resume` frames are pipelined, as
    /// fast as the rate limit allows: one at a time, each waiting for its `resumed`, a
    /// console would pay a round trip (and any delayed TCP acknowledgement) per
    /// conversation. The server answers frames in order, so a `rate_limited` error,
    /// which names no conversation, is the answer to the oldest one in flight.
    async fn resume_all(
        &mut self,
        socket: &mut Socket,
        phase: &watch::Receiver<Phase>,
        after_close: bool,
    ) -> Result<(), Lost> {
        let mut pending: VecDeque<Uuid> = self.conversations.iter().copied().collect();
        let mut in_flight: VecDeque<Uuid> = VecDeque::new();
        let mut replaying: HashSet<Uuid> = HashSet::new();
        let mut pacer = Pacer::new();
        let mut progress = Instant::now();
        loop {
            if *phase.borrow() == Phase::Stop {
                return Err(Lost::Stopped);
            }
            while let Some(&conversation_id) = pending.front()
                && pacer.try_take()
            {
                let after_seq = self.last_seq.get(&conversation_id).copied().unwrap_or(0);
                let frame = serde_json::to_string(&ClientFrame::Resume { conversation_id, after_seq })
                    .expect("frames serialise");
                if socket.send_raw(WsMessage::text(frame)).await.is_err() {
                    return Err(Lost::Closed(Close::dropped()));
                }
                pending.pop_front();
                in_flight.push_back(conversation_id);
                replaying.insert(conversation_id);
            }
            if pending.is_empty() && in_flight.is_empty() {
                return Ok(());
            }
            if progress.elapsed() > RESUME_TIMEOUT {
                return Err(Lost::Failed(format!("no answer to `resume` within {RESUME_TIMEOUT:?}")));
            }
            // Wake for the next token if more are waiting to go, else for the answers.
            let wait = if pending.is_empty() { RESUME_TIMEOUT } else { pacer.next_in().max(Duration::from_millis(1)) };
            match socket.next(wait).await {
                Ok(ServerFrame::Resumed { conversation_id, .. }) => {
                    progress = Instant::now();
                    replaying.remove(&conversation_id);
                    if let Some(position) = in_flight.iter().position(|id| *id == conversation_id) {
                        in_flight.remove(position);
                    }
                }
                // Until its `resumed`, a conversation's messages are its replay: the server
                // holds its live ones back until then.
                Ok(ServerFrame::Message { message }) => {
                    let replayed = after_close && replaying.contains(&message.conversation_id);
                    self.on_message(message, replayed);
                }
                Ok(ServerFrame::Error { code, retry_after_ms: Some(ms), client_msg_id: None, .. })
                    if code == "rate_limited" =>
                {
                    self.outcome.resume_rate_limited += 1;
                    if let Some(refused) = in_flight.pop_front() {
                        replaying.remove(&refused);
                        pending.push_front(refused);
                    }
                    pacer.pause(Duration::from_millis(ms.into()));
                }
                Ok(ServerFrame::Error { code, message, .. }) => {
                    return Err(Lost::Failed(format!("a `resume` was refused: {code}: {message}")));
                }
                Ok(_) => {}
                Err(ended) => {
                    if let Some(close) = Close::of(ended) {
                        return Err(Lost::Closed(close));
                    }
                }
            }
        }
    }

    /// Counts a message; `replayed` ones (after a close) are delivered but not timed,
    /// since their delay is the reconnect's, not the server's.
    fn on_message(&mut self, message: Message, replayed: bool) {
        let seq = self.last_seq.entry(message.conversation_id).or_insert(0);
        *seq = (*seq).max(message.seq);
        if message.author_kind != AuthorKind::Visitor {
            return;
        }
        let Some(sent_at) = Shared::sent_at(&message.body) else {
            // The conversation's first message, written at setup.
            return;
        };
        let now = self.shared.epoch.elapsed();
        if replayed {
            self.outcome.recovered += 1;
        } else {
            self.outcome.latencies.push(now.saturating_sub(sent_at));
            self.outcome.last_live = Some(now);
        }
        self.shared.delivered.fetch_add(1, Ordering::Relaxed);
    }
}
