//! Server frames as the widget reads them.
//!
//! The wire format is `openapi::realtime::ServerFrame`'s, unchanged. A frame is read in
//! two steps: first its `type`, then only the fields of that type the widget acts on,
//! through [`Json`] (the browser parses; see `json` for why not serde). The tests read
//! frames produced by `ServerFrame`'s own `Serialize`, so the two cannot drift.

use openapi::messages::AuthorKind;
use uuid::Uuid;

use super::json::Json;

/// A server frame, reduced to what the visitor's widget does with it.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Hello,
    Message(Message),
    Resumed {
        conversation_id: Uuid,
    },
    Ack {
        client_msg_id: String,
    },
    /// An agent started or stopped typing (a visitor's own typing is not shown).
    AgentTyping {
        typing: bool,
        expires_in_ms: u32,
    },
    /// An agent's read cursor moved.
    AgentRead {
        seq: i64,
    },
    /// A conversation of this visitor was created or changed; `resolved` says whether
    /// its status is now `resolved` (the moment to ask for a rating).
    Conversation {
        id: Uuid,
        resolved: bool,
    },
    /// The visitor's place in the queue changed (`position` absent: not waiting).
    Queue(Queue),
    Error {
        code: String,
        client_msg_id: Option<String>,
        retry_after_ms: Option<u32>,
    },
    /// `pong` and anything the widget has no use for (including types from a newer
    /// server): it still counts as a sign of life.
    Other,
}

/// A stored message (`openapi::messages::Message`) as the widget keeps it: its time stays
/// the RFC 3339 text it came as (the browser's `Date` reads it for display), so no date
/// parser ships in the wasm.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: i64,
    pub client_msg_id: Option<String>,
    pub author_kind: AuthorKind,
    pub body: String,
    /// Files sent with the message (none: empty).
    pub attachments: Vec<crate::components::attachment::File>,
    pub created_at: String,
}

impl Message {
    pub fn read(json: &impl Json) -> Option<Self> {
        let author_kind = match json.text("author_kind")?.as_str() {
            "visitor" => AuthorKind::Visitor,
            "agent" => AuthorKind::Agent,
            "integration" => AuthorKind::Integration,
            _ => AuthorKind::System,
        };
        Some(Self {
            id: json.uuid("id")?,
            conversation_id: json.uuid("conversation_id")?,
            seq: json.whole("seq")?,
            client_msg_id: json.text("client_msg_id"),
            author_kind,
            body: json.text("body")?,
            attachments: json
                .get("attachments")
                .map(|list| list.items())
                .unwrap_or_default()
                .iter()
                .filter_map(|a| {
                    Some(crate::components::attachment::File {
                        filename: a.text("filename")?,
                        url: a.text("url")?,
                        is_image: a.boolean("is_image")?,
                    })
                })
                .collect(),
            created_at: json.text("created_at")?,
        })
    }
}

/// `openapi::routing::QueueStatus`, as the widget shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    pub conversation_id: Uuid,
    pub position: Option<u32>,
    pub estimated_wait_secs: Option<u64>,
}

impl Queue {
    pub fn read(json: &impl Json) -> Option<Self> {
        Some(Self {
            conversation_id: json.uuid("conversation_id")?,
            position: json.whole("position"),
            estimated_wait_secs: json.whole("estimated_wait_secs"),
        })
    }
}

/// A conversation's id and status (`openapi::conversations::Conversation`, the rest
/// skipped).
pub struct ConversationSummary {
    pub id: Uuid,
    pub resolved: bool,
}

impl ConversationSummary {
    pub fn read(json: &impl Json) -> Option<Self> {
        Some(Self { id: json.uuid("id")?, resolved: json.text("status")? == "resolved" })
    }
}

/// Whether a participant (`{"kind": …}`) is an agent.
fn by_agent(json: &impl Json, key: &str) -> Option<bool> {
    Some(json.get(key)?.text("kind")? == "agent")
}

impl Frame {
    /// Reads one parsed frame; `None` means it was not a well-formed frame.
    pub fn read(json: &impl Json) -> Option<Self> {
        Some(match json.text("type")?.as_str() {
            "hello" => Self::Hello,
            "message" => Self::Message(Message::read(&json.get("message")?)?),
            "resumed" => Self::Resumed { conversation_id: json.uuid("conversation_id")? },
            "ack" => Self::Ack { client_msg_id: json.text("client_msg_id")? },
            "typing" => {
                let typing = json.boolean("typing")?;
                let expires_in_ms = json.whole("expires_in_ms")?;
                if !by_agent(json, "from")? {
                    return Some(Self::Other);
                }
                Self::AgentTyping { typing, expires_in_ms }
            }
            "read" => {
                let seq = json.whole("seq")?;
                if !by_agent(json, "reader")? {
                    return Some(Self::Other);
                }
                Self::AgentRead { seq }
            }
            "conversation" => {
                let conversation = ConversationSummary::read(&json.get("conversation")?)?;
                Self::Conversation { id: conversation.id, resolved: conversation.resolved }
            }
            "queue" => Self::Queue(Queue::read(&json.get("status")?)?),
            "error" => Self::Error {
                code: json.text("code")?,
                client_msg_id: json.text("client_msg_id"),
                retry_after_ms: json.whole("retry_after_ms"),
            },
            _ => Self::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use openapi::{
        conversations::{Conversation, ConversationStatus, Priority},
        messages::{self, MessageKind},
        realtime::{ConversationChange, Limits, Participant, ServerFrame},
    };

    use super::*;

    fn decode(frame: ServerFrame) -> Frame {
        Frame::read(&serde_json::to_value(&frame).unwrap()).expect("a well-formed frame")
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn reads_what_server_frames_serialise_to() {
        let now: openapi::Timestamp = "2026-11-23T12:00:00.123Z".parse().unwrap();
        let limits = Limits { max_frame_bytes: 1, max_body_chars: 1, frames_per_second: 1, frame_burst: 1 };
        let hello = ServerFrame::Hello { connection_id: id(1), server_id: id(2), heartbeat_secs: 25, limits };
        assert_eq!(decode(hello), Frame::Hello);
        assert_eq!(decode(ServerFrame::Pong), Frame::Other);

        let message = messages::Message {
            id: id(3),
            conversation_id: id(4),
            seq: 7,
            client_msg_id: Some("c1".into()),
            author_kind: AuthorKind::Agent,
            author_id: None,
            kind: MessageKind::Text,
            body: "hi \"there\"".into(),
            attachments: Vec::new(),
            created_at: now,
        };
        let Frame::Message(received) = decode(ServerFrame::Message { message: message.clone() }) else {
            panic!("not a message")
        };
        assert_eq!((received.id, received.conversation_id, received.seq), (message.id, message.conversation_id, 7));
        assert_eq!((received.client_msg_id, received.author_kind), (message.client_msg_id, message.author_kind));
        assert_eq!(received.body, message.body);
        assert_eq!(received.created_at.parse::<openapi::Timestamp>().unwrap(), message.created_at);
        // The host page's `message` event keeps the form it had with chrono.
        assert_eq!(crate::clock::rfc3339_utc(&received.created_at), message.created_at.to_rfc3339());
        assert_eq!(
            decode(ServerFrame::Resumed { conversation_id: id(4), last_seq: 7 }),
            Frame::Resumed { conversation_id: id(4) }
        );
        let ack = ServerFrame::Ack {
            conversation_id: id(4),
            client_msg_id: "c2".into(),
            message_id: id(5),
            seq: 8,
            created_at: now,
            server_id: id(2),
            duplicate: false,
        };
        assert_eq!(decode(ack), Frame::Ack { client_msg_id: "c2".into() });

        let typing = |from| ServerFrame::Typing {
            conversation_id: id(4),
            from,
            typing: true,
            preview: Some("dr".into()),
            expires_in_ms: 6000,
        };
        assert_eq!(decode(typing(Participant::Agent(id(6)))), Frame::AgentTyping { typing: true, expires_in_ms: 6000 });
        assert_eq!(decode(typing(Participant::Visitor(id(7)))), Frame::Other);
        let read = |reader| ServerFrame::Read { conversation_id: id(4), reader, seq: 8 };
        assert_eq!(decode(read(Participant::Agent(id(6)))), Frame::AgentRead { seq: 8 });
        assert_eq!(decode(read(Participant::Visitor(id(7)))), Frame::Other);

        let conversation = Conversation {
            id: id(4),
            site_id: id(8),
            visitor_id: id(7),
            status: ConversationStatus::Open,
            priority: Priority::Normal,
            assignee_id: None,
            team_id: None,
            last_seq: 8,
            created_at: now,
            updated_at: now,
            first_response_at: None,
            resolved_at: None,
            snoozed_until: None,
            labels: Vec::new(),
            rating: None,
        };
        let change =
            ServerFrame::Conversation { change: ConversationChange::Created, conversation: conversation.clone() };
        assert_eq!(decode(change), Frame::Conversation { id: id(4), resolved: false });
        let resolved = Conversation { status: ConversationStatus::Resolved, ..conversation };
        let change = ServerFrame::Conversation { change: ConversationChange::StatusChanged, conversation: resolved };
        assert_eq!(decode(change), Frame::Conversation { id: id(4), resolved: true });

        let queue = |position, estimated_wait_secs| ServerFrame::Queue {
            status: openapi::routing::QueueStatus { conversation_id: id(4), position, estimated_wait_secs },
        };
        let expected = Queue { conversation_id: id(4), position: Some(2), estimated_wait_secs: Some(180) };
        assert_eq!(decode(queue(Some(2), Some(180))), Frame::Queue(expected));
        let served = Queue { conversation_id: id(4), position: None, estimated_wait_secs: None };
        assert_eq!(decode(queue(None, None)), Frame::Queue(served));

        let error = ServerFrame::Error {
            code: "rate_limited".into(),
            message: "slow down".into(),
            client_msg_id: Some("c3".into()),
            retry_after_ms: Some(250),
        };
        assert_eq!(
            decode(error),
            Frame::Error { code: "rate_limited".into(), client_msg_id: Some("c3".into()), retry_after_ms: Some(250) }
        );
        let bare =
            ServerFrame::Error { code: "x".into(), message: "y".into(), client_msg_id: None, retry_after_ms: None };
        assert_eq!(decode(bare), Frame::Error { code: "x".into(), client_msg_id: None, retry_after_ms: None });

        let status = ServerFrame::AgentStatus { agent_id: id(6), status: openapi::realtime::AgentStatus::Away };
        assert_eq!(decode(status), Frame::Other);
        assert_eq!(Frame::read(&serde_json::json!({"type": "from_the_future", "x": 1})).unwrap(), Frame::Other);
        assert_eq!(Frame::read(&serde_json::json!("not a frame")), None);
        assert_eq!(Frame::read(&serde_json::json!({"type": "ack"})), None, "a frame without its fields is refused");
    }
}
