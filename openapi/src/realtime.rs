//! The WebSocket protocol of `/ws/visitor` and `/ws/agent` (see PROTOCOL.md).
//!
//! Every frame is one JSON text frame with a `type`. Clients send [`ClientFrame`]s and
//! receive [`ServerFrame`]s. PROTOCOL.md explains them; the AsyncAPI document generated
//! from these types (`/api/asyncapi.json`, `openapi/asyncapi.json`) gives each a schema.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Timestamp, conversations::Conversation, messages::Message};

/// The subprotocol both endpoints speak. Clients offer it in `Sec-WebSocket-Protocol`,
/// optionally followed by `rapport.token.<token>` to authenticate.
pub const SUBPROTOCOL: &str = "rapport.v1";
/// Prefix of the subprotocol entry that carries a token (tokens never go in URLs).
pub const TOKEN_SUBPROTOCOL_PREFIX: &str = "rapport.token.";

/// Close codes the server uses, beside the standard 1000/1001/1008/1009/1011.
pub mod close {
    /// No frame (not even a pong) arrived within the heartbeat timeout.
    pub const IDLE: u16 = 4000;
    /// The session was signed out, the agent deactivated or the visitor revoked.
    pub const SESSION_ENDED: u16 = 4001;
    /// The client did not read fast enough; reconnect and resume.
    pub const SLOW_CONSUMER: u16 = 4002;
    /// The server lost its link to the other nodes; reconnect and resume.
    pub const RESYNC: u16 = 4003;
    /// Too many refused frames in a row (flooding after `rate_limited` errors).
    pub const POLICY: u16 = 1008;
    /// A frame larger than the limit announced in `hello`.
    pub const TOO_BIG: u16 = 1009;
}

/// A frame from a client (visitor or agent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Application-level heartbeat; the server answers `pong`. Browsers cannot send
    /// WebSocket pings, so this is how a client learns the server is still there.
    Ping,
    /// Replays every message of the conversation after `after_seq` (the last contiguous
    /// `seq` the client holds, 0 for none), then `resumed`, then live messages.
    Resume { conversation_id: Uuid, after_seq: i64 },
    /// Stores a message. Answered by `ack` (also for a retry of an already stored
    /// `client_msg_id`) or by `error` with the same `client_msg_id`.
    Send {
        conversation_id: Uuid,
        /// Idempotency key, 1 to 64 characters; reuse it when retrying.
        client_msg_id: String,
        body: String,
        /// `text` (default) or, for agents only, `note`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<crate::messages::MessageKind>,
        /// Attachments uploaded beforehand over REST (see `NewMessage.attachment_ids`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachment_ids: Vec<Uuid>,
    },
    /// The sender is (or stopped) typing. Ephemeral: never stored, expires on its own.
    Typing {
        conversation_id: Uuid,
        typing: bool,
        /// Visitors only, when the site enables typing preview: the draft so far.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        preview: Option<String>,
    },
    /// The reader has seen everything up to `seq`. Cursors only move forward.
    Read { conversation_id: Uuid, seq: i64 },
    /// Visitors only: the page the visitor is on now.
    Page { url: String, title: String },
    /// Agents only: set availability.
    Status { status: AgentStatus },
    /// Agents only: follow the workspace feed. The server sends every conversation whose
    /// latest change comes after `after` (the highest `feed_seq` the client holds, 0 for
    /// none) as `conversation` frames, oldest change first, then the agents' statuses,
    /// then `feed_synced`; live `conversation` frames follow, each exactly once, in
    /// `feed_seq` order.
    Feed { after: i64 },
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame of every connection, once authenticated.
    Hello {
        connection_id: Uuid,
        /// The node serving this connection.
        server_id: Uuid,
        /// The client should send `ping` at least this often.
        heartbeat_secs: u32,
        limits: Limits,
    },
    Pong,
    /// A stored message. Per conversation, `seq` increases by exactly one from frame to
    /// frame once the conversation is resumed.
    Message {
        message: Message,
    },
    /// The replay requested by `resume` is complete; live messages follow.
    Resumed {
        conversation_id: Uuid,
        last_seq: i64,
    },
    /// The message with this `client_msg_id` is durably stored.
    Ack {
        conversation_id: Uuid,
        client_msg_id: String,
        message_id: Uuid,
        seq: i64,
        created_at: Timestamp,
        /// The node that answered (for a retry, the node answering the retry).
        server_id: Uuid,
        /// True when this was a retry of a message stored earlier.
        duplicate: bool,
    },
    Typing {
        conversation_id: Uuid,
        from: Participant,
        typing: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        preview: Option<String>,
        /// Treat the indicator as stopped after this long without a new `typing`.
        expires_in_ms: u32,
    },
    /// A participant's read cursor moved.
    Read {
        conversation_id: Uuid,
        reader: Participant,
        seq: i64,
    },
    /// Agents only: a visitor navigated.
    Page {
        visitor_id: Uuid,
        url: String,
        title: String,
        at: Timestamp,
    },
    /// A conversation was created or changed (assignee, status, priority…).
    Conversation {
        change: ConversationChange,
        conversation: Conversation,
    },
    /// Visitors only: where their waiting conversation stands in the queue.
    Queue {
        status: crate::routing::QueueStatus,
    },
    /// Agents only: an agent's availability changed.
    AgentStatus {
        agent_id: Uuid,
        status: AgentStatus,
    },
    /// Agents only: the feed replay requested by `feed` is complete up to `feed_seq`
    /// (the highest sent, or the `after` asked for when nothing was newer).
    FeedSynced {
        feed_seq: i64,
    },
    /// A frame was refused. Nothing was stored for it.
    Error {
        code: String,
        message: String,
        /// The `client_msg_id` of a refused `send`, so the client knows which one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
        /// The conversation the refused frame named, if it named one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
        /// The `ref` the refused frame carried, echoed as it was (any client frame may
        /// carry a `ref` of the client's choosing, up to 64 characters).
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// For `rate_limited`: when to try again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u32>,
    },
}

/// What the server enforces on this connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Limits {
    /// Larger frames close the connection with 1009.
    pub max_frame_bytes: u32,
    /// Longest message body, in characters.
    pub max_body_chars: u32,
    /// Sustained frames per second before `rate_limited`.
    pub frames_per_second: u32,
    /// Frames allowed in a burst above the sustained rate.
    pub frame_burst: u32,
}

/// Someone in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Participant {
    Visitor(Uuid),
    Agent(Uuid),
}

/// What happened to a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversationChange {
    Created,
    Assigned,
    StatusChanged,
    Updated,
    /// A message was added (and `last_message` shows it). Only sockets following the
    /// workspace feed receive these; others follow messages with `resume`.
    MessageAdded,
}

/// An agent's availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum AgentStatus {
    Online,
    Away,
    Offline,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "online" => Some(Self::Online),
            "away" => Some(Self::Away),
            "offline" => Some(Self::Offline),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_by_type() {
        let frame: ClientFrame = serde_json::from_str(
            r#"{"type":"resume","conversation_id":"0190b3b4-7c2e-7000-8000-000000000001","after_seq":4}"#,
        )
        .unwrap();
        assert!(matches!(frame, ClientFrame::Resume { after_seq: 4, .. }));
        let json = serde_json::to_value(ServerFrame::Pong).unwrap();
        assert_eq!(json, serde_json::json!({"type": "pong"}));
        let reader = serde_json::to_value(Participant::Agent(Uuid::nil())).unwrap();
        assert_eq!(reader, serde_json::json!({"kind": "agent", "id": Uuid::nil()}));
    }
}
