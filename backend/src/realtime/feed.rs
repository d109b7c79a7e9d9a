//! A socket's place in its workspace's feed (see `conversations::feed`): which feed
//! position it has sent up to, so that the replay and live `conversation` frames join
//! without a gap or a repeat.
//!
//! Every feed position is announced by exactly one live frame, so a live frame is one of:
//! - at or below what was sent (the replay already showed a newer state): dropped;
//! - the next one: sent;
//! - further on (frames from several nodes interleave, or this socket's subscription
//!   lagged): the conversations changed in between are read from the database — where
//!   every announced change already is — and sent first.
//!
//! What is read back is each conversation's current state, so a position whose
//! conversation changed again since is not sent twice: its newer position will be.

use openapi::conversations::Conversation;
use uuid::Uuid;

use crate::{conversations::feed, error::Result, store::Store};

/// Conversations read back per database query.
pub const PAGE: u32 = 500;

pub struct FeedCursor {
    workspace_id: Uuid,
    /// The highest feed position sent on this socket.
    sent: i64,
}

/// What a socket sends for a live `conversation` frame.
#[derive(Debug)]
pub enum Live {
    Skip,
    Next,
    /// These first, then the frame.
    AfterGap(Vec<Conversation>),
}

impl FeedCursor {
    pub fn new(workspace_id: Uuid, sent: i64) -> Self {
        Self { workspace_id, sent }
    }

    pub fn sent(&self) -> i64 {
        self.sent
    }

    /// Records that everything up to `seq` was sent (by a replay page).
    pub fn replayed(&mut self, seq: i64) {
        self.sent = self.sent.max(seq);
    }

    pub async fn live(&mut self, store: &Store, seq: i64) -> Result<Live> {
        if seq <= self.sent {
            return Ok(Live::Skip);
        }
        if seq == self.sent + 1 {
            self.sent = seq;
            return Ok(Live::Next);
        }
        let mut missing = Vec::new();
        loop {
            let page = feed::after(store, self.workspace_id, self.sent, Some(seq), PAGE).await?;
            let full = page.len() == PAGE as usize;
            if let Some(last) = page.last() {
                self.sent = last.feed_seq;
            }
            missing.extend(page);
            if !full {
                break;
            }
        }
        self.sent = seq;
        Ok(Live::AfterGap(missing))
    }

    /// The next page of conversations changed after what was sent; empty when current.
    pub async fn next_page(&mut self, store: &Store) -> Result<Vec<Conversation>> {
        let page = feed::after(store, self.workspace_id, self.sent, None, PAGE).await?;
        if let Some(last) = page.last() {
            self.sent = last.feed_seq;
        }
        Ok(page)
    }
}
