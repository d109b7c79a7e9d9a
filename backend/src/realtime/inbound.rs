//! What a socket does with each client frame. A refusal (`Answer::Refuse`) is answered by
//! the connection with an `error` frame naming the refused frame; anything else goes on.

use std::time::Instant;

use openapi::{
    messages::{AuthorKind, MessageKind},
    realtime::{AgentStatus, ConversationChange, ServerFrame},
};
use uuid::Uuid;

use super::{
    connection::{Connection, Handled},
    feed::FeedCursor,
    handshake::Peer,
    limits,
    pages::{self, PageView},
    presence, publish, receipts,
};
use crate::{
    conversations::{self, ConversationRow},
    error::Error,
    messages::{self, Author, Draft, Outgoing},
};

impl Connection {
    /// Checks that this peer may use `conversation_id`; returns its visitor.
    pub(super) async fn authorise(&mut self, conversation_id: Uuid) -> Result<Uuid, Error> {
        if let Some(&visitor_id) = self.allowed.get(&conversation_id) {
            return Ok(visitor_id);
        }
        let conversation = self.conversation(conversation_id).await?;
        self.allowed.insert(conversation_id, conversation.visitor_id);
        Ok(conversation.visitor_id)
    }

    /// The conversation as it is now, if this peer may see it.
    async fn conversation(&self, conversation_id: Uuid) -> Result<ConversationRow, Error> {
        let store = &self.state.store;
        match self.peer {
            Peer::Visitor { workspace_id, visitor_id, .. } => {
                conversations::get_for_visitor(store, workspace_id, visitor_id, conversation_id).await
            }
            Peer::Agent { workspace_id, .. } => conversations::get(store, workspace_id, conversation_id).await,
        }
    }

    pub(super) async fn resume(&mut self, conversation_id: Uuid, after_seq: i64) -> Handled {
        if after_seq < 0 {
            return Err(Error::invalid("after_seq", "must be 0 or more").into());
        }
        let conversation = self.conversation(conversation_id).await?;
        // A cursor from the future (another conversation's, or a client's bug) would
        // make every live message look already sent: refuse it rather than go quiet.
        if after_seq > conversation.last_seq {
            return Err(Error::invalid(
                "after_seq",
                format!("is beyond the conversation's last seq ({}); resume from what you hold", conversation.last_seq),
            )
            .into());
        }
        self.allowed.insert(conversation_id, conversation.visitor_id);
        let mut last = after_seq;
        loop {
            let page =
                self.deliveries.replay_page(&self.state.store, conversation_id, last, limits::REPLAY_PAGE).await?;
            let done = page.len() < limits::REPLAY_PAGE as usize;
            for message in page {
                last = message.seq;
                self.send(&ServerFrame::Message { message }).await?;
            }
            if done {
                break;
            }
        }
        self.deliveries.replayed(conversation_id, last);
        self.send(&ServerFrame::Resumed { conversation_id, last_seq: last }).await?;
        // The read state as of now; later moves arrive live.
        let me = self.me();
        let cursors =
            receipts::cursors(&self.state.store, self.peer.workspace_id(), conversation_id).await.unwrap_or_default();
        for (reader, seq) in cursors.into_iter().filter(|(reader, _)| *reader != me) {
            self.send(&ServerFrame::Read { conversation_id, reader, seq }).await?;
        }
        Ok(())
    }

    /// `feed`: every conversation changed after `after`, the agents' statuses, then
    /// `feed_synced`; live changes follow through [`FeedCursor`].
    pub(super) async fn follow_feed(&mut self, after: i64) -> Handled {
        let Peer::Agent { workspace_id, .. } = self.peer else {
            return Err(Error::Forbidden("only agents follow the workspace feed".into()).into());
        };
        let head = conversations::feed::head(&self.state.store, workspace_id).await?;
        if !(0..=head).contains(&after) {
            return Err(Error::invalid(
                "after",
                format!("must be between 0 and the workspace's newest feed_seq ({head}); follow from what you hold"),
            )
            .into());
        }
        // Live changes that arrive while the replay runs wait in the subscription; the
        // cursor drops those the replay already covered.
        let mut cursor = FeedCursor::new(workspace_id, after);
        loop {
            let page = cursor.next_page(&self.state.store).await?;
            if page.is_empty() {
                break;
            }
            for conversation in page {
                self.send(&ServerFrame::Conversation { change: ConversationChange::Updated, conversation }).await?;
            }
        }
        let statuses = presence::agents(self.state.realtime.presence.as_ref(), workspace_id).await?;
        for (agent_id, status) in statuses {
            self.send(&ServerFrame::AgentStatus { agent_id, status }).await?;
        }
        let feed_seq = cursor.sent();
        self.feed = Some(cursor);
        self.send(&ServerFrame::FeedSynced { feed_seq }).await?;
        Ok(())
    }

    pub(super) async fn store_message(
        &mut self,
        conversation_id: Uuid,
        client_msg_id: String,
        body: String,
        kind: MessageKind,
        attachment_ids: &[Uuid],
    ) -> Handled {
        let author = match self.peer {
            Peer::Visitor { visitor_id, .. } => Author { kind: AuthorKind::Visitor, id: Some(visitor_id) },
            Peer::Agent { agent_id, .. } => Author { kind: AuthorKind::Agent, id: Some(agent_id) },
        };
        let draft = Draft::parse_with_attachments(author, kind, &body, Some(&client_msg_id), attachment_ids)?;
        self.authorise(conversation_id).await?;
        let outgoing = Outgoing { workspace_id: self.peer.workspace_id(), conversation_id, draft };
        let stored = messages::send(&self.state.store, outgoing).await?;
        let message = stored.message.to_wire()?;
        // Durably stored: acknowledge, then show it on this socket at once if it resumed
        // the conversation. Everyone else hears of it from the dispatcher (and this
        // socket's bookkeeping skips the copy that comes back that way). A retry's ack
        // carries the same `message_id` and `seq` as the first, and this node's id.
        self.send(&ServerFrame::Ack {
            conversation_id,
            client_msg_id,
            message_id: message.id,
            seq: message.seq,
            created_at: message.created_at,
            server_id: self.state.realtime.node_id,
            duplicate: !stored.created,
        })
        .await?;
        if stored.created {
            // Sending a message ends "typing" without the client having to say so.
            self.typing_sent.remove(&conversation_id);
        }
        Ok(self.forward_message(message).await?)
    }

    pub(super) async fn typing(&mut self, conversation_id: Uuid, typing: bool, preview: Option<String>) -> Handled {
        let visitor_id = self.authorise(conversation_id).await?;
        let now = Instant::now();
        let throttled = self
            .typing_sent
            .get(&conversation_id)
            .is_some_and(|(at, was)| *was == typing && now.saturating_duration_since(*at) < limits::TYPING_THROTTLE);
        if throttled {
            return Ok(());
        }
        self.typing_sent.insert(conversation_id, (now, typing));
        // What a visitor types reaches agents only when their site opted in
        // (`typing_preview`); agents' previews are never forwarded.
        let preview = match (&self.peer, preview) {
            (Peer::Visitor { workspace_id, site_id, .. }, Some(text)) if typing => {
                let text: String = text.chars().filter(|c| !c.is_control()).take(limits::PREVIEW_CHARS).collect();
                let allowed = crate::sites::typing_preview(&self.state.store, *workspace_id, *site_id).await;
                allowed.then_some(text)
            }
            _ => None,
        };
        let frame = ServerFrame::Typing {
            conversation_id,
            from: self.me(),
            typing,
            preview,
            expires_in_ms: limits::TYPING_EXPIRES.as_millis() as u32,
        };
        // A visitor's own typing is only for the team; an agent's for the visitor too.
        let visitor = matches!(self.peer, Peer::Agent { .. }).then_some(visitor_id);
        publish::frame(&self.state, self.peer.workspace_id(), visitor, frame).await;
        Ok(())
    }

    pub(super) async fn read(&mut self, conversation_id: Uuid, seq: i64) -> Handled {
        let workspace_id = self.peer.workspace_id();
        let conversation = self.conversation(conversation_id).await?;
        if !(1..=conversation.last_seq).contains(&seq) {
            let message = format!("must be between 1 and the conversation's last seq ({})", conversation.last_seq);
            return Err(Error::invalid("seq", message).into());
        }
        let reader = self.me();
        if receipts::mark_read(&self.state.store, workspace_id, conversation_id, reader, seq).await? {
            let frame = ServerFrame::Read { conversation_id, reader, seq };
            publish::frame(&self.state, workspace_id, Some(conversation.visitor_id), frame).await;
        }
        Ok(())
    }

    pub(super) async fn page(&mut self, url: &str, title: &str) -> Handled {
        let Peer::Visitor { workspace_id, visitor_id, .. } = self.peer else {
            return Err(Error::Forbidden("only visitors report pages".into()).into());
        };
        let page = PageView::parse(url, title)?;
        let at = pages::record(&self.state.store, workspace_id, visitor_id, &page).await?;
        let frame = ServerFrame::Page { visitor_id, url: page.url, title: page.title, at: at.to_utc() };
        publish::frame(&self.state, workspace_id, None, frame).await;
        Ok(())
    }

    pub(super) async fn set_status(&mut self, status: AgentStatus) -> Handled {
        let Peer::Agent { workspace_id, agent_id, .. } = self.peer else {
            return Err(Error::Forbidden("only agents have a status".into()).into());
        };
        self.state.realtime.presence.set_status(workspace_id, agent_id, status).await?;
        self.announce_status().await;
        Ok(())
    }
}
