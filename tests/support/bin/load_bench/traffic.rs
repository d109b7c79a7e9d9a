//! Paced traffic: every visitor socket sends on its own clock at the step's rate (open
//! loop, as real visitors do: nobody waits for the previous ack), every agent socket counts
//! what reaches it and how late.
//!
//! A message carries its step and send time in its body (`<step>|<micros>`), and its
//! `client_msg_id` repeats them, so an agent's receipt and a visitor's ack are each
//! measured on this process's one clock.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use openapi::realtime::{ClientFrame, SUBPROTOCOL, ServerFrame, TOKEN_SUBPROTOCOL_PREFIX};
use tokio::{net::TcpStream, sync::watch};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig},
};
use uuid::Uuid;

/// The origin the benchmark's site allows.
pub const ORIGIN: &str = "https://shop.test";

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a socket with a token (and, for visitors, the site's origin); waits for `hello`.
pub async fn connect(address: &str, path: &str, token: &str, origin: Option<&str>) -> Result<Ws> {
    let mut request = format!("{}{path}", address.replacen("http", "ws", 1)).into_client_request()?;
    let headers = request.headers_mut();
    headers.insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(&format!("{SUBPROTOCOL}, {TOKEN_SUBPROTOCOL_PREFIX}{token}"))?,
    );
    if let Some(origin) = origin {
        headers.insert("origin", HeaderValue::from_str(origin)?);
    }
    // Small buffers: this process holds as many sockets as the server does.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
    match ws.next().await {
        Some(Ok(Message::Text(text))) if text.contains("\"hello\"") => Ok(ws),
        other => bail!("expected hello, got {other:?}"),
    }
}

/// What one step of the run counts.
#[derive(Default)]
pub struct StepCounts {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    /// Acks that arrived before the step's sending window closed.
    pub acked_in_window: AtomicU64,
    pub received: AtomicU64,
    /// Receipts at agents before the step's sending window closed.
    pub received_in_window: AtomicU64,
    /// `error` frames (rate limited, refused…).
    pub errors: AtomicU64,
    /// Send → agent receipt, microseconds.
    pub latencies: Mutex<Vec<u32>>,
    /// Send → ack, microseconds.
    pub ack_latencies: Mutex<Vec<u32>>,
    /// When sending stops, on the run's clock (microseconds).
    pub window_end: AtomicU64,
}

/// What visitors are to do now.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub step: usize,
    /// Between one visitor's sends; `None`: don't send.
    pub interval: Option<Duration>,
}

pub struct Shared {
    pub clock: Instant,
    pub steps: Vec<StepCounts>,
    pub closes: AtomicU64,
}

impl Shared {
    pub fn new(steps: usize) -> Self {
        Self {
            clock: Instant::now(),
            steps: (0..steps).map(|_| StepCounts::default()).collect(),
            closes: AtomicU64::new(0),
        }
    }

    fn micros(&self) -> u64 {
        self.clock.elapsed().as_micros() as u64
    }

    fn in_window(&self, step: &StepCounts) -> bool {
        let end = step.window_end.load(Relaxed);
        end == 0 || self.micros() <= end
    }
}

/// `<step>|<micros>` (and the ack's `client_msg_id`, `<step>|<micros>|<uuid>`).
fn stamp(text: &str) -> Option<(usize, u64)> {
    let mut parts = text.split('|');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// One visitor: sends on its own clock while the plan says so, counts acks.
pub async fn visitor(
    shared: Arc<Shared>,
    mut ws: Ws,
    conversation_id: Uuid,
    mut plan: watch::Receiver<Plan>,
    seed: u64,
) {
    let mut current = *plan.borrow();
    let mut next: Option<tokio::time::Instant> = None;
    loop {
        let due = async {
            match next {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = plan.changed() => {
                if changed.is_err() {
                    return;
                }
                current = *plan.borrow_and_update();
                // Spread the visitors' first sends over one interval, as pages open at
                // different moments.
                next = current.interval.map(|interval| {
                    let offset = interval.mul_f64((seed % 1000) as f64 / 1000.0);
                    tokio::time::Instant::now() + offset
                });
            }
            () = due => {
                let Some(interval) = current.interval else { next = None; continue };
                let at = shared.micros();
                let stamp = format!("{}|{at}", current.step);
                let frame = ClientFrame::Send {
                    conversation_id,
                    client_msg_id: format!("{stamp}|{}", Uuid::new_v4().simple()),
                    body: stamp,
                    kind: None,
                    attachment_ids: Vec::new(),
                };
                let text = serde_json::to_string(&frame).expect("frames serialise");
                if ws.send(Message::text(text)).await.is_err() {
                    shared.closes.fetch_add(1, Relaxed);
                    return;
                }
                shared.steps[current.step].sent.fetch_add(1, Relaxed);
                next = next.map(|at| at + interval);
            }
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerFrame>(&text) {
                    Ok(ServerFrame::Ack { client_msg_id, .. }) => {
                        if let Some((step, at)) = stamp(&client_msg_id).filter(|(step, _)| *step < shared.steps.len()) {
                            let counts = &shared.steps[step];
                            counts.acked.fetch_add(1, Relaxed);
                            if shared.in_window(counts) {
                                counts.acked_in_window.fetch_add(1, Relaxed);
                            }
                            let waited = shared.micros().saturating_sub(at).min(u64::from(u32::MAX)) as u32;
                            counts.ack_latencies.lock().unwrap().push(waited);
                        }
                    }
                    Ok(ServerFrame::Error { .. }) => {
                        shared.steps[current.step].errors.fetch_add(1, Relaxed);
                    }
                    _ => {}
                },
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    shared.closes.fetch_add(1, Relaxed);
                    return;
                }
            }
        }
    }
}

/// Resumes `conversations` on an agent socket and waits for every `resumed`.
pub async fn resume_all(ws: &mut Ws, conversations: &[Uuid]) -> Result<()> {
    for &conversation_id in conversations {
        let frame = serde_json::to_string(&ClientFrame::Resume { conversation_id, after_seq: 0 })?;
        ws.send(Message::text(frame)).await?;
    }
    let mut resumed = 0;
    while resumed < conversations.len() {
        let frame = tokio::time::timeout(Duration::from_secs(60), ws.next())
            .await
            .context("waiting for `resumed`")?
            .context("the agent socket closed while resuming")??;
        if let Message::Text(text) = frame {
            match serde_json::from_str::<ServerFrame>(&text)? {
                ServerFrame::Resumed { .. } => resumed += 1,
                ServerFrame::Error { code, message, .. } => bail!("resume refused: {code}: {message}"),
                _ => {}
            }
        }
    }
    Ok(())
}

/// One agent: counts every message that reaches it, and how long it took.
pub async fn agent(shared: Arc<Shared>, mut ws: Ws) {
    while let Some(frame) = ws.next().await {
        let Ok(Message::Text(text)) = frame else {
            if frame.is_err() {
                break;
            }
            continue;
        };
        if let Ok(ServerFrame::Message { message }) = serde_json::from_str::<ServerFrame>(&text)
            && let Some((step, at)) = stamp(&message.body).filter(|(step, _)| *step < shared.steps.len())
        {
            let counts = &shared.steps[step];
            counts.received.fetch_add(1, Relaxed);
            if shared.in_window(counts) {
                counts.received_in_window.fetch_add(1, Relaxed);
            }
            let waited = shared.micros().saturating_sub(at).min(u64::from(u32::MAX)) as u32;
            counts.latencies.lock().unwrap().push(waited);
        }
    }
    shared.closes.fetch_add(1, Relaxed);
}

/// Marks the end of a step's sending window.
pub fn close_window(shared: &Shared, step: usize) {
    shared.steps[step].window_end.store(shared.micros().max(1), Relaxed);
}
