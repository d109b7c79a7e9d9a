//! Server frames as the widget reads them.
//!
//! The wire format is `openapi::realtime::ServerFrame`'s, unchanged. Its derived
//! `Deserialize` (an internally tagged enum) buffers every frame into serde's generic
//! `Content` tree before it picks the variant, and that machinery alone was about a
//! third of the widget's wasm. Here a frame is read in two steps instead: first only
//! its `type`, then straight into the fields of that type the widget acts on. The tests
//! decode frames produced by `ServerFrame`'s own `Serialize`, so the two cannot drift.

use openapi::messages::AuthorKind;
use serde::{Deserialize, de::DeserializeOwned};
use uuid::Uuid;

/// A server frame, reduced to what the visitor's widget does with it.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Hello,
    Message(Message),
    Resumed { conversation_id: Uuid },
    Ack { client_msg_id: String },
    /// An agent started or stopped typing (a visitor's own typing is not shown).
    AgentTyping { typing: bool, expires_in_ms: u32 },
    /// An agent's read cursor moved.
    AgentRead { seq: i64 },
    /// A conversation of this visitor was created or changed.
    Conversation { id: Uuid },
    Error { code: String, client_msg_id: Option<String>, retry_after_ms: Option<u32> },
    /// `pong` and anything the widget has no use for (including types from a newer
    /// server): it still counts as a sign of life.
    Other,
}

/// A stored message (`openapi::messages::Message`) as the widget keeps it: its time stays
/// the RFC 3339 text it came as (the browser's `Date` reads it for display), so no date
/// parser ships in the wasm.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: i64,
    pub client_msg_id: Option<String>,
    pub author_kind: AuthorKind,
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<crate::components::attachment::File>,
    pub created_at: String,
}

#[derive(Deserialize)]
struct Tag {
    #[serde(rename = "type")]
    kind: String,
}

/// A participant, by kind only (the widget only asks "was it an agent?").
#[derive(Deserialize)]
struct Who {
    kind: String,
}

impl Who {
    fn is_agent(&self) -> bool {
        self.kind == "agent"
    }
}

#[derive(Deserialize)]
struct MessageFrame {
    message: Message,
}

#[derive(Deserialize)]
struct ResumedFrame {
    conversation_id: Uuid,
}

#[derive(Deserialize)]
struct AckFrame {
    client_msg_id: String,
}

#[derive(Deserialize)]
struct TypingFrame {
    from: Who,
    typing: bool,
    expires_in_ms: u32,
}

#[derive(Deserialize)]
struct ReadFrame {
    reader: Who,
    seq: i64,
}

#[derive(Deserialize)]
struct ConversationFrame {
    conversation: Id,
}

#[derive(Deserialize)]
struct Id {
    id: Uuid,
}

#[derive(Deserialize)]
struct ErrorFrame {
    code: String,
    #[serde(default)]
    client_msg_id: Option<String>,
    #[serde(default)]
    retry_after_ms: Option<u32>,
}

fn read<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(text)
}

impl Frame {
    /// Decodes one text frame; an error means it was not a well-formed frame.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let tag: Tag = read(text)?;
        Ok(match tag.kind.as_str() {
            "hello" => Self::Hello,
            "message" => Self::Message(read::<MessageFrame>(text)?.message),
            "resumed" => Self::Resumed { conversation_id: read::<ResumedFrame>(text)?.conversation_id },
            "ack" => Self::Ack { client_msg_id: read::<AckFrame>(text)?.client_msg_id },
            "typing" => {
                let frame: TypingFrame = read(text)?;
                if !frame.from.is_agent() {
                    return Ok(Self::Other);
                }
                Self::AgentTyping { typing: frame.typing, expires_in_ms: frame.expires_in_ms }
            }
            "read" => {
                let frame: ReadFrame = read(text)?;
                if !frame.reader.is_agent() {
                    return Ok(Self::Other);
                }
                Self::AgentRead { seq: frame.seq }
            }
            "conversation" => Self::Conversation { id: read::<ConversationFrame>(text)?.conversation.id },
            "error" => {
                let ErrorFrame { code, client_msg_id, retry_after_ms } = read(text)?;
                Self::Error { code, client_msg_id, retry_after_ms }
            }
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
        Frame::parse(&serde_json::to_string(&frame).unwrap()).unwrap()
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
        };
        let change = ServerFrame::Conversation { change: ConversationChange::Created, conversation };
        assert_eq!(decode(change), Frame::Conversation { id: id(4) });

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
        let bare = ServerFrame::Error { code: "x".into(), message: "y".into(), client_msg_id: None, retry_after_ms: None };
        assert_eq!(decode(bare), Frame::Error { code: "x".into(), client_msg_id: None, retry_after_ms: None });

        let status = ServerFrame::AgentStatus { agent_id: id(6), status: openapi::realtime::AgentStatus::Away };
        assert_eq!(decode(status), Frame::Other);
        assert_eq!(Frame::parse(r#"{"type":"from_the_future","x":1}"#).unwrap(), Frame::Other);
        assert!(Frame::parse("not json").is_err());
    }
}
