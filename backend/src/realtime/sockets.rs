//! How many sockets this node holds, and how many it may.
//!
//! Every socket holds a file descriptor until it closes. Were sockets allowed to take
//! them all, the node could no longer accept anything — not a REST call, not `/healthz`,
//! not a database connection. So new sockets are refused (503, `server_full`: clients
//! retry, perhaps on another node) once the open-files limit is nearly used, keeping
//! [`RESERVED_FILES`] for everything else. Shutdown also uses the count, to let sockets
//! finish (they write presence and status on the way out) before the database closes.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::sync::Notify;

/// File descriptors kept for what is not a socket: HTTP requests, the database pool,
/// Redis, SMTP, webhook deliveries, log files.
pub const RESERVED_FILES: u64 = 512;

pub struct Sockets {
    open: AtomicUsize,
    max: usize,
    all_closed: Notify,
}

/// One open socket; dropping it counts the socket as closed.
pub struct Held(Arc<Sockets>);

impl Sockets {
    pub fn new(max: usize) -> Self {
        Self { open: AtomicUsize::new(0), max, all_closed: Notify::new() }
    }

    /// As many sockets as the process's open-files limit allows, minus the reserve.
    pub fn within_file_limit() -> Self {
        let limit = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
        Self::new(limit.saturating_sub(RESERVED_FILES).max(16).min(usize::MAX as u64) as usize)
    }

    pub fn max(&self) -> usize {
        self.max
    }

    pub fn open_now(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// Counts a new socket, unless the node is full.
    pub fn hold(self: &Arc<Self>) -> Option<Held> {
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| (open < self.max).then_some(open + 1))
            .ok()
            .map(|_| Held(self.clone()))
    }

    /// Waits until every socket has closed, or `limit` has passed.
    pub async fn closed(&self, limit: Duration) {
        let wait = async {
            loop {
                let notified = self.all_closed.notified();
                if self.open_now() == 0 {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.0.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.all_closed.notify_waiters();
        }
    }
}
