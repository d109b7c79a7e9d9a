//! Group commit: one writer per store drains a queue of sends and stores what it holds
//! in one transaction.
//!
//! A commit costs about the same for one message as for a hundred: on SQLite it is the
//! fsync of `synchronous = FULL`, on PostgreSQL the round trips and the WAL flush. So
//! instead of each sender opening its own transaction and queueing for the write lock,
//! senders queue here; while one batch commits, the next gathers. Under light load a
//! batch is one message and nothing waits; under heavy load batches grow to
//! [`MAX_BATCH`] and the commit cost is shared.
//!
//! Each sender is answered after its batch commits, never before. A message refused in
//! a batch (a `client_msg_id` taken by someone else, an upload already sent) is answered
//! alone: [`batch::store_in`] decides refusals before writing. Should the transaction
//! itself fail before commit (another node raced for an upload, a constraint), the batch
//! is stored again one message at a time, so one bad message cannot fail the others.

use std::sync::{
    Arc, Weak,
    atomic::{AtomicU64, Ordering},
};

use tokio::sync::{mpsc, oneshot};

use super::{Outgoing, Stored, batch};
use crate::{
    error::{Error, Result},
    store::{Store, StoreShared},
};

/// The most messages in one transaction. Big enough to share a commit among a busy
/// node's senders, small enough to keep one transaction's latency low.
///
/// Saturated, most of a message's cost is the pages its batch dirties (each conversation's
/// row and its entries in the per-conversation indexes), and a page dirtied once serves
/// every message of the batch that touches it: at 10,000 and 20,000 msg/s offered, 512
/// moved 15–29 % more messages than 128 on SQLite and 13–39 % more on PostgreSQL, with
/// lower latency (README, load benchmark); 1,024 did worse again. A batch announces up to
/// twice its size in events on a workspace's topic, which buffers
/// [`crate::realtime::bus::TOPIC_CAPACITY`] (1,024): a socket that falls further behind
/// catches up from storage instead (none did in those runs).
pub const MAX_BATCH: usize = 512;
/// Sends waiting for the writer. When full, senders wait (backpressure) rather than
/// queueing without limit.
const QUEUE: usize = 8192;

/// The way into a store's writer.
#[derive(Clone)]
pub struct Handle {
    queue: mpsc::Sender<Request>,
    stats: Arc<Stats>,
}

/// What the writer has done so far (for `/metrics`, benchmarks and tests).
#[derive(Debug, Default)]
pub struct Stats {
    /// Batches taken from the queue (each one transaction, or one per message when a
    /// batch had to be stored again one by one).
    pub batches: AtomicU64,
    /// Messages in those batches.
    pub messages: AtomicU64,
}

/// Sends waiting for the writer right now, and the writer's counters; `None` before the
/// store's first send.
pub fn progress(store: &Store) -> Option<(usize, Arc<Stats>)> {
    let handle = store.message_writer_if_started()?;
    Some((handle.queue.max_capacity() - handle.queue.capacity(), handle.stats.clone()))
}

struct Request {
    outgoing: Outgoing,
    answer: oneshot::Sender<Result<Stored>>,
}

/// Queues `outgoing` for the store's writer (started on first use) and waits for its
/// batch to commit.
pub async fn send(store: &Store, outgoing: Outgoing) -> Result<Stored> {
    let handle = store.message_writer(|shared| {
        let (queue, requests) = mpsc::channel(QUEUE);
        let stats = Arc::new(Stats::default());
        tokio::spawn(run(shared, requests, stats.clone()));
        Handle { queue, stats }
    });
    let (answer, answered) = oneshot::channel();
    handle
        .queue
        .send(Request { outgoing, answer })
        .await
        .map_err(|_| Error::Internal("the message writer has stopped".into()))?;
    answered.await.map_err(|_| Error::Internal("the message writer stopped before answering".into()))?
}

/// The writer: holds the store weakly, so it ends once the store is dropped.
async fn run(store: Weak<StoreShared>, mut requests: mpsc::Receiver<Request>, stats: Arc<Stats>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while requests.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let Some(store) = Store::upgrade(&store) else { break };
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.messages.fetch_add(batch.len() as u64, Ordering::Relaxed);
        commit(&store, std::mem::take(&mut batch)).await;
        batch.reserve(MAX_BATCH);
    }
}

/// Why a batch's transaction did not commit.
enum Failed {
    /// Before `COMMIT`: nothing was stored, the batch may be tried again.
    Before(Error),
    /// At `COMMIT`: the outcome is unknown. Senders retry with their `client_msg_id`.
    AtCommit(Error),
}

async fn commit(store: &Store, requests: Vec<Request>) {
    let (outgoing, answers): (Vec<Outgoing>, Vec<_>) =
        requests.into_iter().map(|request| (request.outgoing, request.answer)).unzip();
    let several = outgoing.len() > 1;
    match attempt(store, outgoing.clone()).await {
        Ok(results) => answer_each(answers, results),
        Err(Failed::Before(err)) if several => {
            tracing::warn!(error = %err, size = outgoing.len(), "a batch of messages failed; storing them one by one");
            for (outgoing, answer) in outgoing.into_iter().zip(answers) {
                let result = match attempt(store, vec![outgoing]).await {
                    Ok(mut results) => results.pop().unwrap_or_else(|| Err(Error::Internal("no answer".into()))),
                    Err(Failed::Before(err) | Failed::AtCommit(err)) => Err(err),
                };
                let _ = answer.send(result);
            }
        }
        Err(Failed::Before(err) | Failed::AtCommit(err)) => {
            tracing::error!(error = %err, size = answers.len(), "storing a batch of messages failed");
            for answer in answers {
                let _ = answer.send(Err(Error::Internal(format!("storing the message failed: {err}"))));
            }
        }
    }
}

async fn attempt(store: &Store, outgoing: Vec<Outgoing>) -> Result<Vec<Result<Stored>>, Failed> {
    let mut tx = store.begin_batch().await.map_err(|err| Failed::Before(err.into()))?;
    let results = batch::store_in(&mut tx, outgoing).await.map_err(Failed::Before)?;
    if results.iter().any(|result| result.as_ref().is_ok_and(|stored| stored.created)) {
        tx.commit().await.map_err(|err| Failed::AtCommit(err.into()))?;
    }
    Ok(results)
}

fn answer_each(answers: Vec<oneshot::Sender<Result<Stored>>>, results: Vec<Result<Stored>>) {
    for (answer, result) in answers.into_iter().zip(results) {
        // The sender may have gone (its socket closed): the message is stored anyway and
        // its retry will find it.
        let _ = answer.send(result);
    }
}
