//! Label names on conversations, changed for the whole workspace at once: what renaming,
//! merging or deleting a workspace label (`crate::labels`) does to conversations.

use openapi::realtime::ConversationChange;
use uuid::Uuid;

use super::label_pattern;
use crate::{
    error::Result,
    on_pool, on_tx,
    store::{Store, Tx},
};

/// How many of the workspace's conversations carry `name`.
pub async fn count(store: &Store, workspace_id: Uuid, name: &str) -> Result<u64> {
    let count: i64 = on_pool!(store, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE workspace_id = $1 AND LOWER(labels) LIKE $2 ESCAPE '\\'",
        )
        .bind(workspace_id)
        .bind(label_pattern(name))
        .fetch_one(pool)
        .await
    })?;
    Ok(count.max(0) as u64)
}

/// Replaces the label `from` by `to` (or removes it) on every conversation carrying it;
/// returns their ids, each announced as `updated` when `tx` commits. Case is ignored, and a conversation never carries a label twice.
pub async fn replace(tx: &mut Tx, workspace_id: Uuid, from: &str, to: Option<&str>) -> Result<Vec<Uuid>> {
    let mut carrying: Vec<Uuid> = on_tx!(&mut *tx, |conn| {
        sqlx::query_scalar("SELECT id FROM conversations WHERE workspace_id = $1 AND LOWER(labels) LIKE $2 ESCAPE '\\'")
            .bind(workspace_id)
            .bind(label_pattern(from))
            .fetch_all(conn)
            .await
    })?;
    // Locked before they are changed, in id order, as a batch of messages locks them:
    // changed in the order they were found, PostgreSQL would lock them in whatever order
    // its scan met them, and a batch holding one of them while waiting for another
    // deadlocked with the rename (one of the two then failed). Read again under the lock,
    // so labels changed meanwhile are not written over.
    carrying.sort_unstable();
    let mut touched = Vec::new();
    for mut row in super::batch::lock_in(tx, &carrying).await? {
        let labels: Vec<String> = serde_json::from_str(&row.labels).unwrap_or_default();
        let next = replaced(&labels, from, to);
        if next == labels {
            continue;
        }
        row.labels = serde_json::to_string(&next).expect("strings serialise");
        on_tx!(&mut *tx, |conn| {
            sqlx::query("UPDATE conversations SET labels = $1 WHERE id = $2 AND workspace_id = $3")
                .bind(&row.labels)
                .bind(row.id)
                .bind(workspace_id)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        touched.push(row);
    }
    // Consoles follow the relabelled conversations through the feed, like any change.
    let mut ids = Vec::with_capacity(touched.len());
    for row in touched {
        let row = super::feed::advance(tx, row).await?;
        super::record_change(tx, ConversationChange::Updated, &row)?;
        ids.push(row.id);
    }
    Ok(ids)
}

fn replaced(labels: &[String], from: &str, to: Option<&str>) -> Vec<String> {
    let mut next: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        let label = if label.to_lowercase() == from.to_lowercase() {
            match to {
                Some(to) => to.to_owned(),
                None => continue,
            }
        } else {
            label.clone()
        };
        if !next.iter().any(|l| l.to_lowercase() == label.to_lowercase()) {
            next.push(label);
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_merging_and_removing_keep_each_label_once() {
        let labels = vec!["Billing".to_owned(), "vip".to_owned(), "invoices".to_owned()];
        assert_eq!(replaced(&labels, "billing", Some("payments")), vec!["payments", "vip", "invoices"]);
        assert_eq!(replaced(&labels, "billing", Some("Invoices")), vec!["Invoices", "vip"]);
        assert_eq!(replaced(&labels, "vip", None), vec!["Billing", "invoices"]);
    }
}
