//! `rapport backup <file>`: a consistent copy of a SQLite database, taken while the
//! server keeps running.
//!
//! `VACUUM INTO` reads the database inside one read transaction (in WAL mode writers go
//! on meanwhile) and writes a compact, self-contained database file: every transaction
//! committed before the backup started is in it, none half. Restoring is copying the
//! file to `<data dir>/rapport.db` of a stopped (or new) node. PostgreSQL is backed up
//! with its own tools (`pg_dump`, see the README), which do the same for a server.

use std::path::Path;

use anyhow::{Context, bail};

use crate::store::Store;

/// What a backup wrote.
#[derive(Debug)]
pub struct Written {
    pub bytes: u64,
}

/// Copies the database behind `store` into `target`, which must not exist yet.
pub async fn sqlite_into(store: &Store, target: &Path) -> anyhow::Result<Written> {
    let Store::Sqlite(pool) = store else {
        bail!(
            "rapport backup copies SQLite databases; back PostgreSQL up with pg_dump (README, \"Backups\"): \
             pg_dump --format=custom --file=rapport.dump \"$RAPPORT_DATABASE_URL\""
        );
    };
    if target.exists() {
        bail!("{} already exists; choose a new file name (a backup never overwrites)", target.display());
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let path = target.to_str().context("the backup path must be valid UTF-8")?;
    // A string literal in SQL: quotes doubled. The path is the operator's own argument.
    let sql = format!("VACUUM INTO '{}'", path.replace('\'', "''"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await
        .with_context(|| format!("writing the backup to {}", target.display()))?;
    let bytes = std::fs::metadata(target).with_context(|| format!("reading {}", target.display()))?.len();
    Ok(Written { bytes })
}
