//! SQLite's one writer connection, and the turns this process's writers take on it.
//!
//! SQLite allows one writer at a time. Every write transaction of this process runs on
//! this connection, held by one transaction at a time:
//!
//! - writers queue for it in arrival order instead of sleeping in SQLite's busy handler
//!   (1 to 100 ms a try) while another one holds the lock;
//! - a connection's page cache is only good until another connection writes, so this
//!   one's keeps a busy inbox's hot pages (each open conversation's row and index tails)
//!   instead of reading them back for each batch: ten times fewer `pread`s per message.
//!
//! It is held directly, not as a pool of one: a pool tests each connection that comes
//! back to it, a round trip to sqlx's worker thread after every transaction that the
//! next one waited for.

use std::{
    ops::{Deref, DerefMut},
    sync::Arc,
};

use sqlx::{Connection, SqliteConnection, sqlite::SqliteConnectOptions};
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

/// The writer connection; `None` once the store is closed.
pub struct Writer {
    conn: Arc<Mutex<Option<SqliteConnection>>>,
}

/// A writer's turn: while it is held, no other transaction of this process writes.
pub type Turn = OwnedMutexGuard<Option<SqliteConnection>>;

/// A turn known to hold the open connection.
pub type Held = OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>;

impl Writer {
    pub async fn open(options: &SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let conn = SqliteConnection::connect_with(options).await?;
        Ok(Self { conn: Arc::new(Mutex::new(Some(conn))) })
    }

    /// Waits for the turn and starts a transaction in it. `BEGIN IMMEDIATE` takes the
    /// write lock up front (a deferred transaction that has read fails with SQLITE_BUSY
    /// when it tries to write after another wrote); another process's writer is still
    /// waited for by the busy timeout.
    pub async fn begin(&self) -> Result<WriteTx, sqlx::Error> {
        let turn = self.turn().await;
        let conn = OwnedMutexGuard::try_map(turn, Option::as_mut).map_err(|_| sqlx::Error::PoolClosed)?;
        // Made before `BEGIN` runs: should this future be dropped while it does, the
        // transaction rolls back all the same.
        let mut tx = WriteTx { conn: Some(conn) };
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// Waits for the turn, for work that must not overlap a write (a checkpoint's last
    /// pass).
    pub async fn turn(&self) -> Turn {
        self.conn.clone().lock_owned().await
    }

    /// Closes the connection after the transaction in progress, if any; later
    /// transactions fail with [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        if let Some(conn) = self.conn.lock().await.take() {
            let _ = conn.close().await;
        }
    }
}

/// An open transaction on the writer connection. Dropped without [`WriteTx::commit`], it
/// rolls back before the next writer's turn.
pub struct WriteTx {
    /// `None` only once committed or dropped.
    conn: Option<Held>,
}

impl WriteTx {
    /// Commits and returns the turn, still held: what the caller does before dropping it
    /// (hand the changes to the dispatcher) happens in commit order.
    /// A failed commit (or one whose future is dropped) rolls back like a dropped
    /// transaction: SQLite leaves some failed commits open (SQLITE_BUSY), and none may
    /// outlive its turn.
    pub async fn commit(mut self) -> Result<Held, sqlx::Error> {
        sqlx::query("COMMIT").execute(&mut *self).await?;
        Ok(self.conn.take().expect("open until committed or dropped"))
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.conn.as_deref().expect("open until committed or dropped")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_deref_mut().expect("open until committed or dropped")
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        // The rollback holds the turn until it is done, so the next transaction starts
        // clean. Outside a runtime (it is shutting down) the connection's own close rolls
        // back instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                // Fails harmlessly when there is nothing to roll back: a `BEGIN` or
                // `COMMIT` that failed, or SQLite already rolled back after an error.
                if let Err(err) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
                    tracing::debug!(error = %err, "rolling back a SQLite write transaction");
                }
            });
        }
    }
}
