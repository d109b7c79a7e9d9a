//! Per-socket delivery bookkeeping: which `seq` of each conversation this socket has
//! already sent, so that replay and live traffic join without a gap or a duplicate.
//!
//! The socket subscribes to the bus *before* it reads anything from the database. A live
//! message that arrives is then one of three things:
//! - already sent (replay covered it, or another node's copy came first): dropped;
//! - the next one: sent;
//! - beyond the next one (an event was published out of order between nodes, or the
//!   visitor cannot see the notes in between): the missing range is read from the
//!   database, where every published message already is, and sent first.
//!
//! Messages of conversations the client has not resumed on this socket are not sent at
//! all (it learns of new conversations from `conversation` events, and resumes them).
//!
//! So each socket sends each conversation's messages once, in `seq` order, whatever the
//! bus does: a socket whose subscription dropped events reads what it missed back from
//! the database, where every announced message already is.

use std::collections::HashMap;

use openapi::messages::Message;
use uuid::Uuid;

use crate::{
    error::Result,
    messages::{self, Audience},
    store::Store,
};

/// What a socket sends for a live message.
#[derive(Debug)]
pub enum Live {
    /// Nothing: already sent, or of a conversation not resumed on this socket.
    Skip,
    /// The message itself: it is the next one.
    Next,
    /// These first (read back from the database), then the message.
    AfterGap(Vec<Message>),
}

pub struct Deliveries {
    workspace_id: Uuid,
    audience: Audience,
    /// Conversation → highest `seq` sent on this socket.
    sent: HashMap<Uuid, i64>,
}

impl Deliveries {
    pub fn new(workspace_id: Uuid, audience: Audience) -> Self {
        Self { workspace_id, audience, sent: HashMap::new() }
    }

    /// What to send for a live `message`.
    pub async fn live(&mut self, store: &Store, message: &Message) -> Result<Live> {
        let conversation_id = message.conversation_id;
        let Some(&sent) = self.sent.get(&conversation_id) else {
            // Not resumed on this socket: the client has not said what it holds, so
            // nothing can be promised yet. Forwarding it anyway would let it arrive both
            // now and in the replay of a `resume` already on its way.
            return Ok(Live::Skip);
        };
        if message.seq <= sent {
            return Ok(Live::Skip);
        }
        if message.seq == sent + 1 {
            self.sent.insert(conversation_id, message.seq);
            return Ok(Live::Next);
        }
        let missing = (message.seq - sent) as u32;
        let rows =
            messages::list_after(store, self.workspace_id, conversation_id, sent, missing, self.audience).await?;
        let missing: Vec<Message> =
            rows.iter().filter(|row| row.seq < message.seq).map(|row| row.to_wire()).collect::<Result<_>>()?;
        self.sent.insert(conversation_id, message.seq);
        Ok(Live::AfterGap(missing))
    }

    /// The next page of a replay after `after_seq`; an empty page ends the replay.
    pub async fn replay_page(
        &mut self,
        store: &Store,
        conversation_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let rows =
            messages::list_after(store, self.workspace_id, conversation_id, after_seq, limit, self.audience).await?;
        let page: Vec<Message> = rows.iter().map(|row| row.to_wire()).collect::<Result<_>>()?;
        Ok(page)
    }

    /// The conversations resumed on this socket, with the highest `seq` sent of each.
    pub fn resumed(&self) -> Vec<(Uuid, i64)> {
        self.sent.iter().map(|(id, seq)| (*id, *seq)).collect()
    }

    /// Records that a replay sent everything up to `seq`. A live message with a higher
    /// `seq` that arrived during the replay is still in the subscription and follows.
    pub fn replayed(&mut self, conversation_id: Uuid, seq: i64) {
        self.sent.insert(conversation_id, seq);
    }
}
