//! SQLite's WAL checkpoints, kept off the path of a commit.
//!
//! Left to itself, SQLite copies the WAL back into the database inside the commit that
//! makes the WAL pass `wal_autocheckpoint` pages, before that commit returns: the batch
//! committing then, and every send queued behind it, waited for thousands of pages to be
//! copied and the database file synced. At 1,000 msg/s that happened about once a second.
//! So no connection checkpoints on its own (`wal_autocheckpoint = 0`), and this task does
//! it, in two passes, once the WAL holds [`FRAMES`] pages (or has stopped growing):
//!
//! 1. a `PASSIVE` checkpoint while writers go on: it copies what the WAL holds, the bulk
//!    of the work;
//! 2. the same again in a write turn ([`Store::write_turn`]), with writers held off for
//!    the few frames they appended meanwhile. The WAL is then wholly in the database, and
//!    the next write starts it over from the top; without this pass a node that never
//!    stops writing would grow its WAL without end.
//!
//! Durability does not depend on any of this: a commit is durable once its frames are in
//! the WAL and the WAL is synced (`synchronous = FULL`).

use std::{
    path::{Path, PathBuf},
    sync::Weak,
    time::Duration,
};

use tokio::time::MissedTickBehavior;

use super::{Pool, Store, StoreShared};

/// How full the WAL gets before it is copied into the database: ~40 MiB. A busy inbox
/// rewrites the same pages (each open conversation's row, the indexes' tails), and each
/// checkpoint copies them again: checkpointing every 1,000 pages (SQLite's default) moved
/// 4–9 % fewer messages per second at saturation than every 10,000, and so did a
/// checkpoint every second.
const FRAMES: u32 = 10_000;

/// How often the WAL's length is looked at.
const LOOK_EVERY: Duration = Duration::from_millis(250);

/// Checkpoints the database at `path` (its WAL index is `<path>-shm`) until the store is
/// dropped.
pub(super) async fn run(store: Weak<StoreShared>, path: PathBuf) {
    let mut index = path.into_os_string();
    index.push("-shm");
    let index = PathBuf::from(index);
    let mut tick = tokio::time::interval(LOOK_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (mut before, mut checkpointed) = (0, 0);
    loop {
        tick.tick().await;
        let Some(store) = Store::upgrade(&store) else { break };
        let frames = wal_frames(&index).unwrap_or(0);
        // Full, or written and then left alone since the last look (an idle node).
        let due = frames >= FRAMES || (frames > 0 && frames == before && frames != checkpointed);
        before = frames;
        if !due {
            continue;
        }
        match checkpoint(&store).await {
            Ok(()) => checkpointed = frames,
            Err(err) => tracing::warn!(error = %err, "checkpointing the SQLite WAL failed; trying again shortly"),
        }
    }
}

/// The frames in the WAL, from the WAL index's header (`mxFrame`, a native-endian `u32`
/// at byte 16: <https://www.sqlite.org/walformat.html>). `None` when there is no index
/// (not a WAL database, or not opened yet).
fn wal_frames(index: &Path) -> Option<u32> {
    use std::io::Read;
    let mut header = [0u8; 20];
    std::fs::File::open(index).ok()?.read_exact(&mut header).ok()?;
    Some(u32::from_ne_bytes(header[16..20].try_into().ok()?))
}

/// Both passes.
async fn checkpoint(store: &Store) -> Result<(), sqlx::Error> {
    let Pool::Sqlite(pool) = store.pool() else { return Ok(()) };
    let mut conn = pool.acquire().await?;
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *conn).await?;
    let _turn = store.write_turn().await;
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// The WAL's header counts its restarts (the checkpoint sequence number, bytes 12–16).
    fn restarts(wal: &std::path::Path) -> u32 {
        use std::io::Read;
        let mut header = [0u8; 16];
        std::fs::File::open(wal)
            .and_then(|mut file| file.read_exact(&mut header))
            .expect("the WAL exists while the store is open");
        u32::from_be_bytes(header[12..16].try_into().expect("16 bytes"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wal_written_without_pause_still_starts_over() {
        let dir = std::env::temp_dir().join(format!("rapport-checkpoint-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}/t.db", dir.display())).await.unwrap();
        let write = |sql: &'static str| {
            let store = store.clone();
            async move {
                let mut tx = store.begin_write().await.unwrap();
                crate::on_tx!(tx, |conn| sqlx::query(sql).execute(conn).await.map(|done| done.rows_affected()))
                    .unwrap();
                tx.commit().await.unwrap();
            }
        };
        write("CREATE TABLE notes (body BLOB)").await;
        let wal = dir.join("t.db-wal");
        let first = restarts(&wal);
        // Never a pause long enough for a checkpoint to catch up on its own: only the pass
        // in a write turn lets the WAL start over. Written until it has started over twice
        // (a second or two here), not for a fixed time: how far the WAL grows meanwhile
        // depends on how busy the machine is, so it is not what this checks.
        let give_up = Instant::now() + Duration::from_secs(60);
        while restarts(&wal).wrapping_sub(first) < 2 && Instant::now() < give_up {
            // 20 pages a transaction: the WAL fills up within a second or two.
            write(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
                 INSERT INTO notes SELECT randomblob(4000) FROM n",
            )
            .await;
        }
        let restarted = restarts(&wal).wrapping_sub(first);
        assert!(restarted >= 2, "the WAL started over only {restarted} times in a minute of writing");
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
