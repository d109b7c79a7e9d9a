//! One agent's console, as Rapport's console uses the socket: it follows the workspace
//! feed from the `head` it read at start and keeps one conversation open (its messages
//! resumed). It loses its connection at the moments it is given, stays away a while, and
//! comes back with its cursors: `feed {after}`, `resume {after_seq}` and `GET /queue`, as
//! the console does. It times each return until it is current, and checks everything it
//! receives: feed positions only rise, the open conversation's messages come 1, 2, 3…

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use openapi::realtime::{ClientFrame, ConversationChange};
use serde::Deserialize;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{Message, protocol::frame::coding::CloseCode};
use uuid::Uuid;

use crate::traffic;

/// How long a console waits for its catch-up before calling itself left behind.
const CATCH_UP_LIMIT: Duration = Duration::from_secs(60);
/// After the traffic stops: no frame for this long means everything has arrived.
const QUIET: Duration = Duration::from_secs(3);

/// A moment the connection is lost, and for how long the console stays away.
#[derive(Debug, Clone, Copy)]
pub struct Drop {
    pub at: Instant,
    pub offline: Duration,
}

/// One return to the current state.
#[derive(Debug, Clone)]
pub struct Return {
    /// From the start of the reconnect (or from the server's 4002) until the feed replay,
    /// the open conversation's replay and the queue were all in.
    pub took: Duration,
    /// `conversation` frames in the replay.
    pub replayed: usize,
    /// Feed positions the console was behind when it came back.
    pub behind: i64,
    /// Whether the server had cut the connection (4002) rather than the network.
    pub after_cut: bool,
}

/// What the console found wrong.
#[derive(Debug, Default)]
pub struct Faults {
    /// Feed frames at or below a position already received on the connection.
    pub feed_repeated_or_reordered: u64,
    /// Open-conversation messages received twice.
    pub messages_repeated: u64,
    /// Open-conversation messages skipped (a `seq` beyond the next one).
    pub messages_skipped: u64,
    /// `resumed.last_seq` not matching the last message received.
    pub resume_mismatches: u64,
    /// `error` frames, closes other than 4002, failed queue reads.
    pub other: Vec<String>,
}

/// What the console reads of a server frame: only the fields it checks, so that reading
/// twenty consoles' worth of frames costs this process (which shares the machine with the
/// server) as little as it can. Every other field is skipped unparsed.
#[derive(Deserialize)]
struct Seen {
    #[serde(rename = "type")]
    kind: Kind,
    change: Option<ConversationChange>,
    conversation: Option<SeenConversation>,
    message: Option<MessageField>,
    feed_seq: Option<i64>,
    conversation_id: Option<Uuid>,
    last_seq: Option<i64>,
    code: Option<String>,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Conversation,
    FeedSynced,
    Message,
    Resumed,
    Error,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct SeenConversation {
    id: Uuid,
    feed_seq: i64,
    last_seq: i64,
}

/// `message` is the message in a `message` frame, the text in an `error` frame.
#[derive(Deserialize)]
#[serde(untagged)]
enum MessageField {
    Message(SeenMessage),
    Text(#[allow(dead_code)] String),
}

#[derive(Deserialize)]
struct SeenMessage {
    conversation_id: Uuid,
    seq: i64,
}

pub struct Console {
    pub name: String,
    token: String,
    address: String,
    http: reqwest::Client,
    /// The conversation shown in full.
    pub open: Uuid,
    /// Where the console started following the feed (what came before, it loaded over REST).
    pub started_at_head: i64,
    /// The highest feed position received.
    pub cursor: i64,
    /// Per conversation: the latest feed position and `last_seq` received.
    pub known: HashMap<Uuid, (i64, i64)>,
    /// The open conversation's last message received.
    pub message_seq: i64,
    pub returns: Vec<Return>,
    /// Server cuts (4002).
    pub cuts: usize,
    pub faults: Faults,
    /// Whether the console was current when the run ended.
    pub current: bool,
    /// The socket, still open after the run: closing it would mark the agent offline and
    /// let routing change conversations before the server's feed is read for the check.
    pub held: Option<traffic::Ws>,
}

/// How the live part of a connection ended.
enum Ended {
    /// The network dropped (on schedule).
    Dropped,
    /// The server closed the connection at this moment (4002 and others).
    Closed(Instant),
    /// The run is over and nothing more arrives; the socket stays open.
    Done(Box<traffic::Ws>),
}

impl Console {
    pub fn new(name: String, address: &str, token: String, open: Uuid, head: i64) -> Self {
        Self {
            name,
            token,
            address: address.to_owned(),
            http: reqwest::Client::new(),
            open,
            started_at_head: head,
            cursor: head,
            known: HashMap::new(),
            message_seq: 0,
            returns: Vec::new(),
            cuts: 0,
            faults: Faults::default(),
            current: false,
            held: None,
        }
    }

    /// Runs until `finished` turns true and the traffic has gone quiet, losing the
    /// connection at each of `drops`.
    pub async fn run(mut self, drops: Vec<Drop>, mut finished: watch::Receiver<bool>) -> Self {
        let mut drops = drops.into_iter();
        let mut next_drop = drops.next();
        let mut since: Option<(Instant, bool)> = None;
        loop {
            let started = since.map_or_else(Instant::now, |(at, _)| at);
            let behind_from = self.cursor;
            let ws = match self.catch_up().await {
                Ok((ws, replayed)) => {
                    if let Some((_, after_cut)) = since.take() {
                        let behind = self.cursor - behind_from;
                        self.returns.push(Return { took: started.elapsed(), replayed, behind, after_cut });
                    }
                    ws
                }
                Err(err) => {
                    self.faults.other.push(format!("catching up: {err:#}"));
                    self.current = false;
                    return self;
                }
            };
            match self.live(ws, next_drop.map(|d| d.at), &mut finished).await {
                Ended::Dropped => {
                    let drop = next_drop.take().expect("a drop was due");
                    next_drop = drops.next();
                    tokio::time::sleep(drop.offline).await;
                    since = Some((Instant::now(), false));
                }
                Ended::Closed(at) => {
                    since = Some((at, true));
                }
                Ended::Done(ws) => {
                    self.current = true;
                    self.held = Some(*ws);
                    return self;
                }
            }
        }
    }

    /// Connects, asks for the feed after the cursor and the open conversation after its
    /// last message, reads the queue, and reads until both replays are complete; returns
    /// the socket and how many `conversation` frames the feed replay held.
    async fn catch_up(&mut self) -> Result<(traffic::Ws, usize)> {
        let mut ws = traffic::connect(&self.address, "/ws/agent", &self.token, None).await?;
        let feed = ClientFrame::Feed { after: self.cursor };
        let resume = ClientFrame::Resume { conversation_id: self.open, after_seq: self.message_seq };
        for frame in [feed, resume] {
            ws.send(Message::text(serde_json::to_string(&frame)?)).await?;
        }
        let queue = {
            let (http, url, token) = (self.http.clone(), format!("{}/api/v1/queue", self.address), self.token.clone());
            tokio::spawn(async move { http.get(url).bearer_auth(token).send().await.map(|r| r.status()) })
        };
        let (mut synced, mut resumed, mut replayed) = (false, false, 0);
        // Replay frames (`updated`) must rise among themselves; live frames that reached
        // the socket before it followed the feed are not part of the replay.
        let mut replay_high = self.cursor;
        let deadline = tokio::time::Instant::now() + CATCH_UP_LIMIT;
        while !(synced && resumed) {
            let frame = tokio::time::timeout_at(deadline, ws.next())
                .await
                .context("left behind: the replay did not complete within a minute")?
                .context("the socket closed during the replay")??;
            let Message::Text(text) = frame else { continue };
            let seen: Seen = serde_json::from_str(&text)?;
            match seen.kind {
                Kind::Conversation => {
                    let conversation = seen.conversation.context("a conversation frame without its conversation")?;
                    if seen.change == Some(ConversationChange::Updated) && !synced {
                        if conversation.feed_seq <= replay_high {
                            self.faults.feed_repeated_or_reordered += 1;
                        }
                        replay_high = replay_high.max(conversation.feed_seq);
                        replayed += 1;
                    }
                    self.remember(&conversation);
                }
                Kind::FeedSynced => {
                    let feed_seq = seen.feed_seq.context("feed_synced without feed_seq")?;
                    if feed_seq < replay_high {
                        self.faults.feed_repeated_or_reordered += 1;
                    }
                    self.cursor = self.cursor.max(feed_seq);
                    synced = true;
                }
                Kind::Message => {
                    let Some(MessageField::Message(message)) = seen.message else {
                        bail!("a message frame without its message: {text}");
                    };
                    self.message(message.conversation_id, message.seq);
                }
                Kind::Resumed if seen.conversation_id == Some(self.open) => {
                    if seen.last_seq != Some(self.message_seq) {
                        self.faults.resume_mismatches += 1;
                    }
                    resumed = true;
                }
                Kind::Error => bail!("error frame: {}: {text}", seen.code.unwrap_or_default()),
                _ => {}
            }
        }
        match queue.await? {
            Ok(status) if status.is_success() => {}
            Ok(status) => self.faults.other.push(format!("GET /queue answered {status}")),
            Err(err) => self.faults.other.push(format!("GET /queue: {err}")),
        }
        Ok((ws, replayed))
    }

    /// Live traffic until the next drop, a close by the server, or the end of the run.
    async fn live(
        &mut self,
        mut ws: traffic::Ws,
        drop_at: Option<Instant>,
        finished: &mut watch::Receiver<bool>,
    ) -> Ended {
        // Live feed frames come once each, rising, above the replay.
        let mut high = self.cursor;
        let mut quiet_since = Instant::now();
        loop {
            let drop = async {
                match drop_at {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            let done = *finished.borrow();
            tokio::select! {
                () = drop => return Ended::Dropped,
                changed = finished.changed(), if !done => {
                    if changed.is_err() {
                        return Ended::Done(Box::new(ws));
                    }
                    quiet_since = Instant::now();
                }
                () = tokio::time::sleep(QUIET.saturating_sub(quiet_since.elapsed())), if done => {
                    return Ended::Done(Box::new(ws));
                }
                frame = ws.next() => {
                    quiet_since = Instant::now();
                    let text = match frame {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(close))) => {
                            let code = close.as_ref().map(|c| c.code);
                            if code == Some(CloseCode::Library(4002)) {
                                self.cuts += 1;
                            } else {
                                self.faults.other.push(format!("closed by the server: {close:?}"));
                            }
                            return Ended::Closed(Instant::now());
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(err)) => {
                            self.faults.other.push(format!("socket error: {err}"));
                            return Ended::Closed(Instant::now());
                        }
                        None => {
                            self.faults.other.push("the server closed the socket without a close frame".into());
                            return Ended::Closed(Instant::now());
                        }
                    };
                    match serde_json::from_str::<Seen>(&text) {
                        Ok(Seen { kind: Kind::Conversation, conversation: Some(conversation), .. }) => {
                            if conversation.feed_seq <= high {
                                self.faults.feed_repeated_or_reordered += 1;
                            }
                            high = high.max(conversation.feed_seq);
                            self.cursor = self.cursor.max(conversation.feed_seq);
                            self.remember(&conversation);
                        }
                        Ok(Seen { kind: Kind::Message, message: Some(MessageField::Message(message)), .. }) => {
                            self.message(message.conversation_id, message.seq);
                        }
                        Ok(Seen { kind: Kind::Error, code, .. }) => {
                            self.faults.other.push(format!("error frame: {}: {text}", code.unwrap_or_default()));
                        }
                        Ok(_) => {}
                        Err(err) => self.faults.other.push(format!("unreadable frame: {err}")),
                    }
                }
            }
        }
    }

    fn remember(&mut self, conversation: &SeenConversation) {
        let entry = self.known.entry(conversation.id).or_insert((0, 0));
        if conversation.feed_seq > entry.0 {
            *entry = (conversation.feed_seq, conversation.last_seq);
        }
    }

    fn message(&mut self, conversation_id: Uuid, seq: i64) {
        if conversation_id != self.open {
            return;
        }
        if seq <= self.message_seq {
            self.faults.messages_repeated += 1;
        } else {
            if seq > self.message_seq + 1 {
                self.faults.messages_skipped += 1;
            }
            self.message_seq = seq;
        }
    }
}
