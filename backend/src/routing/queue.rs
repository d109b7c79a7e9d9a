//! The waiting line: open conversations without an agent, longest-waiting first.
//!
//! Positions count within a line, and a line is a site's conversations for one team (or
//! for no team): a visitor waiting for Billing is not behind a visitor waiting for Sales.

use std::collections::HashMap;

use openapi::routing::QueueStatus;
use uuid::Uuid;

use crate::{
    conversations::{self, ConversationRow},
    error::Result,
    on_pool,
    store::{Millis, Store, now},
};

/// The most queued conversations one page returns.
pub const MAX_QUEUE: u32 = 500;
/// The most queued conversations `GET /queue` numbers. Positions are computed over the
/// whole line, so the line is read in full; a workspace with more people waiting than this
/// has a staffing problem no page size fixes.
pub const MAX_QUEUE_SCAN: u32 = 10_000;

/// How far back recent waiting times are looked for when estimating a wait.
const ESTIMATE_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;
/// How many recent assignments the estimate averages.
const ESTIMATE_SAMPLE: i64 = 20;

/// Which line a conversation waits in.
pub type Line = (Uuid, Option<Uuid>);

pub fn line_of(row: &ConversationRow) -> Line {
    (row.site_id, row.team_id)
}

/// A workspace's queued conversations, oldest wait first, each with its 1-based position
/// in its line.
pub async fn list(store: &Store, workspace_id: Uuid, limit: u32) -> Result<Vec<(ConversationRow, u32)>> {
    let sql = concat!(
        "SELECT ",
        conversations::columns!(),
        " FROM conversations WHERE workspace_id = $1 AND queued_at IS NOT NULL AND status = 'open'
           AND assignee_id IS NULL ORDER BY queued_at, id LIMIT $2"
    );
    let rows: Vec<ConversationRow> = on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(workspace_id).bind(i64::from(limit.min(MAX_QUEUE_SCAN))).fetch_all(pool).await
    })?;
    Ok(with_positions(rows))
}

/// Numbers each conversation within its line; `rows` must be in waiting order.
pub fn with_positions(rows: Vec<ConversationRow>) -> Vec<(ConversationRow, u32)> {
    let mut next: HashMap<Line, u32> = HashMap::new();
    rows.into_iter()
        .map(|row| {
            let position = next.entry(line_of(&row)).or_insert(0);
            *position += 1;
            let position = *position;
            (row, position)
        })
        .collect()
}

/// One conversation's place in its line (`None` when it is not waiting).
pub async fn position(store: &Store, row: &ConversationRow) -> Result<Option<u32>> {
    let Some(queued_at) = row.queued_at.filter(|_| row.status == "open" && row.assignee_id.is_none()) else {
        return Ok(None);
    };
    let ahead: i64 = on_pool!(store, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations
             WHERE workspace_id = $1 AND site_id = $2 AND (team_id = $3 OR ($3 IS NULL AND team_id IS NULL))
               AND status = 'open' AND assignee_id IS NULL AND queued_at IS NOT NULL
               AND (queued_at < $4 OR (queued_at = $4 AND id < $5))",
        )
        .bind(row.workspace_id)
        .bind(row.site_id)
        .bind(row.team_id)
        .bind(queued_at)
        .bind(row.id)
        .fetch_one(pool)
        .await
    })?;
    Ok(Some(u32::try_from(ahead).unwrap_or(u32::MAX - 1) + 1))
}

/// The average wait of a site's recent conversations before their first agent, in ms.
pub async fn recent_wait_ms(store: &Store, workspace_id: Uuid, site_id: Uuid) -> Result<Option<i64>> {
    let since = now().0 - ESTIMATE_WINDOW_MS;
    let waits: Vec<i64> = on_pool!(store, |pool| {
        sqlx::query_scalar(
            "SELECT first_assigned_at - created_at FROM conversations
             WHERE workspace_id = $1 AND site_id = $2 AND first_assigned_at IS NOT NULL AND first_assigned_at > $3
             ORDER BY first_assigned_at DESC LIMIT $4",
        )
        .bind(workspace_id)
        .bind(site_id)
        .bind(since)
        .bind(ESTIMATE_SAMPLE)
        .fetch_all(pool)
        .await
    })?;
    if waits.is_empty() {
        return Ok(None);
    }
    Ok(Some(waits.iter().map(|w| (*w).max(0)).sum::<i64>() / waits.len() as i64))
}

/// Where a conversation stands, for its visitor. `available_agents` is how many agents
/// are online to take conversations: with none, there is no honest estimate.
pub fn status(
    row: &ConversationRow,
    position: Option<u32>,
    recent_wait_ms: Option<i64>,
    available_agents: usize,
) -> QueueStatus {
    let estimated_wait_secs = match (position, recent_wait_ms) {
        (Some(position), Some(wait_ms)) if available_agents > 0 => {
            // Agents work the line in parallel: position 5 with 2 agents is 3 turns away.
            let turns = u64::from(position).div_ceil(available_agents as u64);
            Some((wait_ms.max(1_000) as u64 / 1_000) * turns)
        }
        _ => None,
    };
    QueueStatus { conversation_id: row.id, position, estimated_wait_secs }
}

/// When a queued conversation started waiting, for the wire.
pub fn waiting_since(row: &ConversationRow) -> Millis {
    row.queued_at.unwrap_or(row.created_at)
}

/// Where a page of the queue ends: the last entry's place in waiting order. It names a
/// moment and an id rather than a position, so conversations that leave the queue between
/// two pages (claimed meanwhile) neither shift the next page nor hide anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueueCursor {
    pub waiting_since: i64,
    pub id: Uuid,
}

impl QueueCursor {
    pub fn of(row: &ConversationRow) -> Self {
        Self { waiting_since: waiting_since(row).0, id: row.id }
    }

    pub fn encode(&self) -> String {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let mut bytes = self.waiting_since.to_be_bytes().to_vec();
        bytes.extend_from_slice(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn decode(cursor: &str) -> Option<Self> {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let (at, id) = bytes.split_at_checked(8)?;
        Some(Self { waiting_since: i64::from_be_bytes(at.try_into().ok()?), id: Uuid::from_slice(id).ok()? })
    }
}
