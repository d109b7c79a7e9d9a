//! Where passwords are hashed: a fixed set of threads with a bounded queue.
//!
//! Argon2 is slow and memory-hard on purpose (19 MiB and tens of milliseconds a try with
//! the default parameters), so an unbounded number of concurrent sign-ins is an unbounded
//! amount of memory: 200 at once took the server from 51 MiB to 3 GiB. Here at most
//! `threads` hashes run at a time, each on a thread of its own (the runtime's blocking
//! pool would spread them over hundreds of threads), so the peak is about `threads × 19
//! MiB` whatever arrives; a second after the last hash that memory goes back to the system
//! ([`crate::memory::give_back`]), so at rest none of it is held. Work beyond that
//! waits in a queue of `queue` places; a full queue, or a wait longer than [`MAX_WAIT`],
//! answers `503 busy` with `Retry-After` instead of piling up.

use std::{
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicBool, Ordering},
        mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError},
    },
    time::Duration,
};

use crate::error::{Error, Result};

/// The longest a hash may wait for its turn and run, before the caller is told to retry.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// How many hashes run at once and how many may wait (`RAPPORT_PASSWORD_HASHING_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingSettings {
    pub threads: usize,
    pub queue: usize,
}

impl Default for HashingSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self { threads: cores.clamp(1, 8), queue: 64 }
    }
}

impl HashingSettings {
    pub(crate) fn from_env(env: &crate::config::Env) -> Self {
        let defaults = Self::default();
        Self {
            threads: env.password_hashing_threads.map_or(defaults.threads, |n| n.as_usize()),
            queue: env.password_hashing_queue.as_usize(),
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    jobs: SyncSender<Job>,
    settings: HashingSettings,
}

static POOL: OnceLock<Pool> = OnceLock::new();

/// How long the hashing threads stay idle before their memory goes back to the system.
///
/// Given back after every hash, the next one faults all 19 MiB in again: sign-ins one
/// after another took 43–46 ms instead of 28–31. After a quiet second, a burst of
/// sign-ins hashes in warm memory and a server at rest still holds none of it.
const IDLE_BEFORE_GIVING_BACK: Duration = Duration::from_secs(1);

fn start(settings: HashingSettings) -> Pool {
    let (jobs, receiver) = mpsc::sync_channel::<Job>(settings.queue);
    let receiver: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(receiver));
    // Whether a hash ran since memory was last given back (by any of the threads: what
    // mimalloc gives back is the process's).
    let hashed = Arc::new(AtomicBool::new(false));
    for n in 0..settings.threads {
        let (receiver, hashed) = (receiver.clone(), hashed.clone());
        let spawned = std::thread::Builder::new().name(format!("rapport-hash-{n}")).spawn(move || {
            loop {
                // The lock is held only while taking a job, never while hashing.
                let job = match receiver.lock() {
                    Ok(receiver) => receiver.recv_timeout(IDLE_BEFORE_GIVING_BACK),
                    Err(poisoned) => poisoned.into_inner().recv_timeout(IDLE_BEFORE_GIVING_BACK),
                };
                match job {
                    Ok(job) => {
                        job();
                        hashed.store(true, Ordering::Relaxed);
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if hashed.swap(false, Ordering::Relaxed) {
                            crate::memory::give_back();
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "starting a password hashing thread");
        }
    }
    Pool { jobs, settings }
}

/// Sets the pool's size; the first call (or first hash) wins, later calls change nothing
/// (several servers in one test process share the pool).
pub fn configure(settings: HashingSettings) {
    let pool = POOL.get_or_init(|| start(settings));
    if pool.settings != settings {
        tracing::debug!(?settings, current = ?pool.settings, "the password hashing pool was already started");
    }
}

fn busy() -> Error {
    Error::Busy { message: "the server is busy checking passwords; retry shortly".into(), retry_after_secs: 2 }
}

/// Runs `work` on a hashing thread, or refuses at once when the queue is full.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let pool = POOL.get_or_init(|| start(HashingSettings::default()));
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The caller gave up waiting: do not spend 19 MiB and the time on nobody.
        if reply.is_closed() {
            return;
        }
        let _ = reply.send(work());
    });
    match pool.jobs.try_send(job) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => return Err(busy()),
        Err(TrySendError::Disconnected(_)) => {
            return Err(Error::Internal("no password hashing thread is running".into()));
        }
    }
    match tokio::time::timeout(MAX_WAIT, answer).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(Error::Internal("a password hashing thread stopped".into())),
        Err(_) => Err(busy()),
    }
}
