//! Running many client tasks at once without letting one failure end the process
//! silently. The support code the benchmark shares with the tests asserts instead of
//! returning errors; here each panic becomes an error that says what was being done.

use std::{
    future::Future,
    sync::atomic::{AtomicUsize, Ordering},
};

use anyhow::{Result, anyhow};
use tokio::task::{JoinError, JoinSet};

/// Prints the first few panics in full and only counts the rest: when the server goes
/// away, ten thousand sockets fail the same way at once.
pub fn quiet_repeated_panics() {
    static SHOWN: AtomicUsize = AtomicUsize::new(0);
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if SHOWN.fetch_add(1, Ordering::Relaxed) < 3 {
            default(info);
        }
    }));
}

/// Runs `future` on a task of its own, turning a panic into an error.
pub async fn catch<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> Result<T> {
    tokio::spawn(future).await.map_err(|err| anyhow!(panic_message(err)))
}

pub fn panic_message(err: JoinError) -> String {
    if !err.is_panic() {
        return err.to_string();
    }
    let payload = err.into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_else(|| "a task panicked".to_owned())
}

/// Runs `make(0..count)` with at most `limit` in flight and returns the results in
/// order. The first failure stops the rest (dropping the set aborts them).
pub async fn bounded<T, F, Fut>(count: usize, limit: usize, mut make: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut results: Vec<Option<T>> = (0..count).map(|_| None).collect();
    let mut running = JoinSet::new();
    let mut next = 0;
    while next < count || !running.is_empty() {
        while next < count && running.len() < limit {
            let task = make(next);
            let index = next;
            running.spawn(async move { (index, task.await) });
            next += 1;
        }
        if let Some(done) = running.join_next().await {
            let (index, result) = done.map_err(|err| anyhow!(panic_message(err)))?;
            results[index] = Some(result);
        }
    }
    Ok(results.into_iter().map(|result| result.expect("every task ran")).collect())
}
