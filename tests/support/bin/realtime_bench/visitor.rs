//! One visitor's socket for the whole run: connect, wait, send its messages one after
//! another (each after the previous ack, as the widget does), then stay connected until
//! the end so the server holds every socket while the agents drain.

use std::{
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use anyhow::{Context, Result, bail};
use openapi::realtime::{ClientFrame, ServerFrame};
use system_tests::ws::Socket;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::{
    crowd::{Close, Phase, Ready, Shared, idle},
    setup::{SHOP_ORIGIN, Visitor},
};

/// How long a visitor waits for the answer to a `send`: generous, because with every
/// visitor sending at once the wait is the queue in front of the database.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
/// Server closes one visitor survives (reconnecting and sending again) before giving up.
const MAX_CLOSES: usize = 5;

#[derive(Default)]
pub struct VisitorOutcome {
    pub acked: u64,
    /// From `send` to its `ack`.
    pub ack_latencies: Vec<Duration>,
    /// When the last ack arrived, on the run's clock.
    pub last_ack: Option<Duration>,
    /// Server closes.
    pub closes: Vec<Close>,
    /// `rate_limited` answers (the message is sent again after the advised wait).
    pub rate_limited: u64,
    /// Why this visitor stopped before sending everything.
    pub failure: Option<String>,
    /// The `seq` of the last acknowledged message, where a resume picks up.
    last_seq: i64,
}

/// What the server said to a `send`.
enum Answer {
    /// Stored with this `seq`.
    Ack(i64),
    RateLimited(Duration),
    Refused(String),
    Closed(Close),
    Silent,
}

/// Counts a visitor as done sending when dropped: after its last message, or as soon as
/// it fails or its task panics, so the run never waits for a visitor that is gone.
struct DoneSending<'a>(&'a Shared);

impl Drop for DoneSending<'_> {
    fn drop(&mut self) {
        self.0.visitors_done.fetch_add(1, Ordering::Relaxed);
    }
}

pub async fn run(
    shared: Arc<Shared>,
    visitor: Visitor,
    messages: usize,
    ready: mpsc::UnboundedSender<Result<Ready>>,
) -> VisitorOutcome {
    let done = DoneSending(&shared);
    let mut outcome = VisitorOutcome::default();
    let mut socket = match join(&shared, &visitor, 0).await {
        Ok(socket) => {
            let _ = ready.send(Ok(Ready::Open));
            Some(socket)
        }
        Err(err) => {
            let _ = ready.send(Err(err));
            outcome.failure = Some("could not connect".into());
            return outcome;
        }
    };
    let mut phase = shared.phase.clone();
    if let Some(open) = socket.as_mut()
        && let Err(close) = idle(open, &mut phase, Phase::Traffic).await
    {
        outcome.closes.push(close);
        socket = None;
    }
    if let Err(failure) = send_all(&shared, &visitor, messages, &mut socket, &mut outcome).await {
        outcome.failure = Some(failure);
    }
    drop(done);
    if let Some(open) = socket.as_mut()
        && let Err(close) = idle(open, &mut phase, Phase::Stop).await
    {
        outcome.closes.push(close);
    }
    outcome
}

async fn send_all(
    shared: &Shared,
    visitor: &Visitor,
    messages: usize,
    socket: &mut Option<Socket>,
    outcome: &mut VisitorOutcome,
) -> Result<(), String> {
    for n in 1..=messages {
        let client_msg_id = format!("bench-{n}");
        loop {
            if outcome.closes.len() > MAX_CLOSES {
                return Err(format!("closed by the server {} times", outcome.closes.len()));
            }
            let open = match socket {
                Some(open) => open,
                None => socket.insert(
                    join(shared, visitor, outcome.last_seq).await.map_err(|err| format!("reconnecting: {err:#}"))?,
                ),
            };
            let (sent_at, body) = shared.stamp();
            let frame = ClientFrame::Send {
                conversation_id: visitor.conversation_id,
                client_msg_id: client_msg_id.clone(),
                body,
                kind: None,
                attachment_ids: Vec::new(),
            };
            let text = serde_json::to_string(&frame).expect("frames serialise");
            let answer = match open.send_raw(WsMessage::text(text)).await {
                Ok(()) => answer(open, &client_msg_id).await,
                Err(_) => Answer::Closed(Close::dropped()),
            };
            match answer {
                Answer::Ack(seq) => {
                    outcome.last_seq = seq;
                    let now = shared.epoch.elapsed();
                    outcome.ack_latencies.push(now.saturating_sub(sent_at));
                    outcome.last_ack = Some(now);
                    outcome.acked += 1;
                    shared.acked.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                // Nothing was stored: send it again, with a fresh timestamp, when told.
                Answer::RateLimited(wait) => {
                    outcome.rate_limited += 1;
                    tokio::time::sleep(wait).await;
                }
                // Maybe stored, maybe not: the same `client_msg_id` again settles it.
                Answer::Closed(close) => {
                    outcome.closes.push(close);
                    *socket = None;
                }
                Answer::Refused(why) => return Err(format!("message {n} refused: {why}")),
                Answer::Silent => return Err(format!("no answer to message {n} within {ANSWER_TIMEOUT:?}")),
            }
        }
    }
    Ok(())
}

/// Opens the visitor's socket and resumes its conversation after `after_seq`, as the
/// widget does: the server then echoes the visitor's own messages, part of the load.
async fn join(shared: &Shared, visitor: &Visitor, after_seq: i64) -> Result<Socket> {
    let mut socket = shared.connect("/ws/visitor", &visitor.token, Some(SHOP_ORIGIN)).await?;
    let conversation_id = visitor.conversation_id;
    let frame = serde_json::to_string(&ClientFrame::Resume { conversation_id, after_seq }).expect("frames serialise");
    socket.send_raw(WsMessage::text(frame)).await.context("sending resume")?;
    loop {
        match socket.next(ANSWER_TIMEOUT).await {
            Ok(ServerFrame::Resumed { conversation_id: id, .. }) if id == conversation_id => return Ok(socket),
            Ok(ServerFrame::Error { code, message, .. }) => bail!("resume refused: {code}: {message}"),
            Ok(_) => {}
            Err(ended) => bail!("waiting for `resumed`: {ended:?}"),
        }
    }
}

/// Reads until the answer to `client_msg_id`; other frames (the echo of earlier
/// messages, signals) are skipped.
async fn answer(socket: &mut Socket, client_msg_id: &str) -> Answer {
    let deadline = tokio::time::Instant::now() + ANSWER_TIMEOUT;
    loop {
        let wait = deadline.saturating_duration_since(tokio::time::Instant::now());
        match socket.next(wait).await {
            Ok(ServerFrame::Ack { client_msg_id: id, seq, .. }) if id == client_msg_id => return Answer::Ack(seq),
            Ok(ServerFrame::Error { client_msg_id: Some(id), code, message, retry_after_ms, .. })
                if id == client_msg_id =>
            {
                return match (code.as_str(), retry_after_ms) {
                    ("rate_limited", Some(ms)) => Answer::RateLimited(Duration::from_millis(ms.into())),
                    _ => Answer::Refused(format!("{code}: {message}")),
                };
            }
            Ok(_) => {}
            Err(ended) => return Close::of(ended).map_or(Answer::Silent, Answer::Closed),
        }
    }
}
