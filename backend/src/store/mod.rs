//! Storage: SQLite (the zero-set-up default) or PostgreSQL, chosen at run time by URL.
//!
//! Queries are written once, in the SQL both engines accept (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`), and each domain module runs them through [`on_pool!`] or
//! [`on_tx!`], which expand the same code once per engine so every query is type-checked
//! against both drivers. What really differs between the engines lives here: connection
//! options, migrations, and how a write transaction starts.
//!
//! Ids are UUIDs (v7 where order matters: ordering by id is ordering by creation); times
//! are Unix milliseconds ([`Millis`]).

mod checkpoint;
mod enums;
mod sqlite_writer;
mod time;

use std::{
    str::FromStr,
    sync::{Arc, OnceLock, Weak},
    time::Duration,
};

use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use tokio::sync::mpsc;

pub use crate::changes::Change;
pub use enums::StoredEnum;
pub use time::{Millis, now};

/// The SQLite writer's page cache, in KiB when negative (SQLite's convention): room for
/// the pages a few thousand busy conversations keep dirtying. Grows only as it is used.
const WRITER_CACHE_KIB: &str = "-32768";
/// Statements the SQLite writer keeps prepared: the batch statements in all their sizes
/// (4 × 14, see [`sqlite_chunks`]) and room for every other write the product makes, so
/// that those do not push the batch statements out (sqlx's default is 100).
const WRITER_STATEMENTS: usize = 256;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// A cheap-to-clone handle on the database.
#[derive(Clone)]
pub struct Store {
    shared: Arc<StoreShared>,
}

pub struct StoreShared {
    pool: Pool,
    /// SQLite: the connection every write transaction runs on, one at a time.
    sqlite_writer: Option<sqlite_writer::Writer>,
    /// Where a committed transaction's [`Change`]s go: the node's dispatcher, once the
    /// server has started one (a bare store, as in storage tests, has none).
    after_commit: OnceLock<mpsc::Sender<Vec<Change>>>,
    /// The group-commit writer of messages, started on first use.
    message_writer: OnceLock<crate::messages::writer::Handle>,
}

/// How a batch of messages begins on PostgreSQL, in one round trip.
///
/// PostgreSQL plans a prepared statement again for the values bound on every use (a
/// custom plan) until it judges the plan made without them (the generic plan) no dearer.
/// A batch's statements take arrays, whose length a generic plan cannot know, so it never
/// did: at 1,000 msg/s, where a batch holds one to three messages, planning was over a
/// quarter of PostgreSQL's CPU (`perf`, side-by-side benchmark). Their generic plans are
/// index lookups whatever the table's statistics (conformance tests check them), so a
/// batch uses them from the first execution on; `SET LOCAL` ends with the transaction.
pub const BEGIN_BATCH_ON_POSTGRES: &str = "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan";

/// The engine's connection pool.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Store").field(&self.shared.pool).finish()
    }
}

/// An open write transaction on either engine, with what it changed so far.
pub struct Tx {
    pub(crate) conn: TxConn,
    /// What this transaction did, told to the dispatcher once it commits (and never if
    /// it rolls back).
    changes: Vec<Change>,
    after_commit: Option<mpsc::Sender<Vec<Change>>>,
}

/// The connection of a [`Tx`].
pub enum TxConn {
    Sqlite(sqlite_writer::WriteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$pool` bound to the engine's pool (`&SqlitePool` or `&PgPool`).
#[macro_export]
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store.pool() {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (usable as an executor).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.conn {
            $crate::store::TxConn::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::store::TxConn::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

impl Store {
    /// Connects to `url` (`sqlite:…` or `postgres://…`) without migrating.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let (mut sqlite_writer, mut sqlite_file) = (None, None);
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: an acknowledged message survives power loss, not only a crash.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                // No commit checkpoints: [`checkpoint`] does it beside the writers.
                .pragma("wal_autocheckpoint", "0")
                .busy_timeout(Duration::from_secs(10));
            sqlite_file = Some(options.get_filename().to_owned());
            // The writer's statement journals in memory: each multi-row statement of a
            // batch keeps one (so a statement that fails part-way is undone without the
            // transaction), and past 64 KiB SQLite spills it to a temporary file — a
            // `write` of every page a batch touches, a tenth of the server's CPU when
            // saturated. A batch of `MAX_BATCH` messages touches a few hundred pages, so
            // the memory this takes stays bounded.
            let writer_options = options
                .clone()
                .pragma("cache_size", WRITER_CACHE_KIB)
                .pragma("temp_store", "memory")
                .statement_cache_capacity(WRITER_STATEMENTS);
            sqlite_writer = Some(sqlite_writer::Writer::open(&writer_options).await?);
            // The readers' pool does not test a connection before lending it: a SQLite
            // connection is a file this process holds open, not one a network can drop,
            // and the test is a round trip to sqlx's worker thread.
            Pool::Sqlite(
                SqlitePoolOptions::new().test_before_acquire(false).max_connections(8).connect_with(options).await?,
            )
        } else {
            let options = PgConnectOptions::from_str(url)?;
            Pool::Postgres(
                PgPoolOptions::new()
                    // A connection is tested before it is lent only after a second idle
                    // (PostgreSQL may have restarted meanwhile): one in steady use would
                    // fail its next statement just the same, and the test is a round trip
                    // in every transaction, each batch of messages included.
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for > Duration::from_secs(1) {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?,
            )
        };
        let store = Self {
            shared: Arc::new(StoreShared {
                pool,
                sqlite_writer,
                after_commit: OnceLock::new(),
                message_writer: OnceLock::new(),
            }),
        };
        if let Some(file) = sqlite_file {
            tokio::spawn(checkpoint::run(Arc::downgrade(&store.shared), file));
        }
        Ok(store)
    }

    /// The engine's pool, for [`on_pool!`].
    pub fn pool(&self) -> &Pool {
        &self.shared.pool
    }

    /// Applies the engine's pending migrations.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.pool() {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
    }

    /// Which engine this is, for logs and metrics.
    pub fn engine(&self) -> &'static str {
        match self.pool() {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// The store's message writer, started by `start` (given the store weakly) on first use.
    pub(crate) fn message_writer(
        &self,
        start: impl FnOnce(Weak<StoreShared>) -> crate::messages::writer::Handle,
    ) -> crate::messages::writer::Handle {
        self.shared.message_writer.get_or_init(|| start(Arc::downgrade(&self.shared))).clone()
    }

    /// The store's message writer, if a message was sent already.
    pub(crate) fn message_writer_if_started(&self) -> Option<crate::messages::writer::Handle> {
        self.shared.message_writer.get().cloned()
    }

    /// The store again from a weak handle, while it is still in use.
    pub(crate) fn upgrade(weak: &Weak<StoreShared>) -> Option<Self> {
        weak.upgrade().map(|shared| Self { shared })
    }

    /// From now on, what every committed transaction changed goes to `dispatcher`.
    /// Set once, by the server at start-up; later calls are ignored.
    pub fn dispatch_changes_to(&self, dispatcher: mpsc::Sender<Vec<Change>>) {
        let _ = self.shared.after_commit.set(dispatcher);
    }

    /// Starts a transaction that will write.
    ///
    /// On SQLite, in this process's queue for the writer connection
    /// ([`sqlite_writer::Writer::begin`]).
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        self.begin(None).await
    }

    /// Starts the transaction of a batch of messages ([`crate::messages::writer`]): a
    /// write transaction whose statements, on PostgreSQL, run on their generic plans (see
    /// [`BEGIN_BATCH_ON_POSTGRES`]).
    pub async fn begin_batch(&self) -> Result<Tx, sqlx::Error> {
        self.begin(Some(BEGIN_BATCH_ON_POSTGRES)).await
    }

    /// A write transaction, begun on PostgreSQL with `begin_on_postgres` instead of a
    /// plain `BEGIN` when given.
    async fn begin(&self, begin_on_postgres: Option<&'static str>) -> Result<Tx, sqlx::Error> {
        let after_commit = self.shared.after_commit.get().cloned();
        let conn = match (self.pool(), &self.shared.sqlite_writer) {
            (Pool::Sqlite(_), Some(writer)) => TxConn::Sqlite(writer.begin().await?),
            (Pool::Sqlite(_), None) => unreachable!("a SQLite store opens its writer"),
            (Pool::Postgres(pool), _) => TxConn::Postgres(match begin_on_postgres {
                Some(statement) => pool.begin_with(statement).await?,
                None => pool.begin().await?,
            }),
        };
        Ok(Tx { conn, changes: Vec::new(), after_commit })
    }

    /// SQLite: waits until no transaction of this process writes, and holds them off
    /// until the turn is dropped. `None` on PostgreSQL.
    pub(crate) async fn write_turn(&self) -> Option<sqlite_writer::Turn> {
        Some(self.shared.sqlite_writer.as_ref()?.turn().await)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        on_pool!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|done| done.rows_affected()).is_ok())
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.shared.sqlite_writer {
            writer.close().await;
        }
        on_pool!(self, |pool| pool.close().await)
    }
}

impl Tx {
    /// Records what this transaction does, for the dispatcher after commit.
    /// Several changes of one conversation fold into one (see [`crate::changes`]).
    pub fn record(&mut self, change: Change) {
        crate::changes::record(&mut self.changes, None, change);
    }

    /// How many changes are recorded so far: a place for [`Tx::record_at`].
    pub fn recorded(&self) -> usize {
        self.changes.len()
    }

    /// Records a change to be announced before those recorded since `place`, for a change
    /// whose final form is known only after what it caused (a conversation is announced
    /// as its first message left it, but before that message).
    pub fn record_at(&mut self, place: usize, change: Change) {
        crate::changes::record(&mut self.changes, Some(place), change);
    }

    /// Commits, then hands what changed to the dispatcher.
    ///
    /// The hand-over happens before SQLite's write turn is released, so on one node the
    /// dispatcher sees SQLite's changes in commit order.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let Self { conn, changes, after_commit } = self;
        let _turn = match conn {
            TxConn::Sqlite(tx) => Some(tx.commit().await?),
            TxConn::Postgres(tx) => {
                tx.commit().await?;
                None
            }
        };
        if let Some(dispatcher) = after_commit.filter(|_| !changes.is_empty()) {
            // Only fails once the dispatcher has stopped (shutdown): nobody is listening.
            let _ = dispatcher.send(changes).await;
        }
        Ok(())
    }

    /// Which engine the transaction runs on.
    pub fn is_postgres(&self) -> bool {
        matches!(self.conn, TxConn::Postgres(_))
    }

    /// The PostgreSQL connection, for statements only PostgreSQL has (array parameters,
    /// see [`sqlite_chunks`]); `None` on SQLite.
    pub fn postgres(&mut self) -> Option<&mut sqlx::PgConnection> {
        match &mut self.conn {
            TxConn::Postgres(tx) => Some(&mut **tx),
            TxConn::Sqlite(_) => None,
        }
    }
}

/// True when `err` is a violation of a unique constraint (a duplicate).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A row referred to something that is gone: checked before the transaction, then deleted
/// by someone else before the write.
pub fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_foreign_key_violation())
}

/// `($1, $2), ($3, $4)…`: the placeholders of a multi-row `VALUES` list, for statements
/// that write a whole batch at once. Statements built from it contain no input, only
/// placeholders, hence `AssertSqlSafe` where they run.
///
/// On SQLite they are anonymous (`?`), bound by position: SQLite looks a numbered
/// parameter up by name, in a list, both when it parses the statement and when each value
/// is bound, so a batch's hundreds of `$n` cost time growing with their square (a fifth
/// of the server's CPU under load, before this).
pub fn values_list(postgres: bool, rows: usize, columns: usize) -> String {
    let mut text = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        text.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                text.push_str(", ");
            }
            if postgres {
                text.push('$');
                text.push_str(&(row * columns + column + 1).to_string());
            } else {
                text.push('?');
            }
        }
        text.push(')');
    }
    text
}

/// The chunks a SQLite batch statement built by [`values_list`] writes `rows` in: all of
/// them when they are at most [`EXACT_ROWS`], otherwise the largest power of two that fits
/// (512 at most), again and again, until at most [`EXACT_ROWS`] are left. So a batch's
/// statements come in 14 sizes (1 to 8, then 16 to 512), each parsed once per connection
/// and kept prepared.
///
/// A saturated node's batches come in hundreds of sizes; written for each size exactly,
/// every one was parsed afresh (3.5 % of the server's CPU samples at 15,000 msg/s
/// offered; 0.03 % in chunks). Each chunk more is a round trip to sqlx's worker thread;
/// saturated, rate and CPU per message stayed within the noise (README, load benchmark).
/// Under light load a batch holds a few messages and is one chunk, as before.
///
/// PostgreSQL's batch statements take one array per column instead (`UNNEST($1::uuid[],
/// …)`): one statement text whatever the batch's size, so each is parsed and planned once
/// per connection and runs in one round trip. With a `VALUES` list a batch of more than a
/// few rows was planned on every use, and a warm plan of the conversations' update alone
/// took 0.25–0.4 ms of PostgreSQL's CPU.
pub fn sqlite_chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = if rest.len() <= EXACT_ROWS { rest.len() } else { 1 << rest.len().ilog2().min(MAX_CHUNK_LOG2) };
        let (chunk, after) = rest.split_at(size);
        rest = after;
        Some(chunk)
    })
}

/// Up to this many rows, a SQLite batch statement is written for its rows exactly.
const EXACT_ROWS: usize = 8;
/// The largest chunk [`sqlite_chunks`] makes: 2^9 = 512 rows, the writer's largest batch.
const MAX_CHUNK_LOG2: u32 = 9;

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_batch_statements_come_in_few_sizes() {
        let sizes = |rows: usize| super::sqlite_chunks(&vec![0; rows]).map(<[i32]>::len).collect::<Vec<_>>();
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(8), [8]);
        assert_eq!(sizes(9), [8, 1]);
        assert_eq!(sizes(16), [16]);
        assert_eq!(sizes(47), [32, 8, 7]);
        assert_eq!(sizes(300), [256, 32, 8, 4]);
        assert_eq!(sizes(512), [512]);
        assert_eq!(sizes(1100), [512, 512, 64, 8, 4]);
        let mut seen = std::collections::BTreeSet::new();
        for rows in 0..=1100 {
            let chunks = sizes(rows);
            assert_eq!(chunks.iter().sum::<usize>(), rows);
            seen.extend(chunks);
        }
        assert_eq!(seen.len(), 14, "1..=8 and 16, 32, 64, 128, 256, 512: {seen:?}");
    }

    #[test]
    fn values_lists_number_placeholders_row_by_row() {
        assert_eq!(super::values_list(true, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_list(true, 1, 1), "($1)");
        assert_eq!(super::values_list(false, 2, 2), "(?, ?), (?, ?)");
    }
}
