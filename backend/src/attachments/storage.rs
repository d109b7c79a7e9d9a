//! Where the bytes of attachments live.
//!
//! [`BlobStore`] is the seam: the default, [`DatabaseBlobs`], keeps the bytes in the
//! database (`attachment_blobs`), so every node serves every file with nothing to
//! configure or share. An S3-compatible store would be a second implementation chosen by
//! configuration in [`blobs`]; it is not built yet. Metadata (name, type, size, who may
//! see it) always stays in the database, in `attachments`.

use futures_util::{FutureExt, future::BoxFuture};
use uuid::Uuid;

use crate::{error::Result, on_pool, state::AppState, store::Store};

/// Stores and returns the bytes of attachments by id.
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `id`. Called before the attachment's metadata is stored, so
    /// a failure leaves no attachment pointing at missing bytes.
    fn put<'a>(&'a self, workspace_id: Uuid, id: Uuid, bytes: &'a [u8]) -> BoxFuture<'a, Result<()>>;
    /// The bytes stored under `id`, if any.
    fn get(&self, workspace_id: Uuid, id: Uuid) -> BoxFuture<'_, Result<Option<Vec<u8>>>>;
}

/// The store in use.
pub fn blobs(state: &AppState) -> Box<dyn BlobStore> {
    Box::new(DatabaseBlobs(state.store.clone()))
}

/// Bytes in the `attachment_blobs` table (BLOB on SQLite, BYTEA on PostgreSQL).
pub struct DatabaseBlobs(pub Store);

impl BlobStore for DatabaseBlobs {
    fn put<'a>(&'a self, workspace_id: Uuid, id: Uuid, bytes: &'a [u8]) -> BoxFuture<'a, Result<()>> {
        async move {
            on_pool!(&self.0, |pool| {
                sqlx::query("INSERT INTO attachment_blobs (id, workspace_id, bytes) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(workspace_id)
                    .bind(bytes)
                    .execute(pool)
                    .await
                    .map(|done| done.rows_affected())
            })?;
            Ok(())
        }
        .boxed()
    }

    fn get(&self, workspace_id: Uuid, id: Uuid) -> BoxFuture<'_, Result<Option<Vec<u8>>>> {
        async move {
            Ok(on_pool!(&self.0, |pool| {
                sqlx::query_scalar("SELECT bytes FROM attachment_blobs WHERE id = $1 AND workspace_id = $2")
                    .bind(id)
                    .bind(workspace_id)
                    .fetch_optional(pool)
                    .await
            })?)
        }
        .boxed()
    }
}
