//! Socket frames as the widget reads and writes them.
//!
//! The wire format is `openapi::realtime`'s, unchanged. A server frame is read in two
//! steps: first its `type`, then only the fields of that type the widget acts on, through
//! [`Json`] (the browser parses; see `json` for why not serde). Client frames are written
//! by [`out`]. The tests read frames produced by `ServerFrame`'s own `Serialize` and parse
//! what [`out`] writes with `ClientFrame`'s `Deserialize`, so neither side can drift.

use openapi::messages::AuthorKind;

use super::json::{Json, Writer};

/// A server frame, reduced to what the visitor's widget does with it.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Hello,
    Message(Message),
    Resumed {
        conversation_id: String,
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
        id: String,
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
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub client_msg_id: Option<String>,
    pub author_kind: AuthorKind,
    /// The agent who wrote it (for the name and picture beside a reply).
    pub author_id: Option<String>,
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
            id: json.id("id")?,
            conversation_id: json.id("conversation_id")?,
            seq: json.whole("seq")?,
            client_msg_id: json.text("client_msg_id"),
            author_kind,
            author_id: json.id("author_id"),
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub conversation_id: String,
    pub position: Option<u32>,
    pub estimated_wait_secs: Option<u64>,
}

impl Queue {
    pub fn read(json: &impl Json) -> Option<Self> {
        Some(Self {
            conversation_id: json.id("conversation_id")?,
            position: json.whole("position"),
            estimated_wait_secs: json.whole("estimated_wait_secs"),
        })
    }
}

/// A conversation's id and status (`openapi::conversations::Conversation`, the rest
/// skipped).
pub struct ConversationSummary {
    pub id: String,
    pub resolved: bool,
}

impl ConversationSummary {
    pub fn read(json: &impl Json) -> Option<Self> {
        Some(Self { id: json.id("id")?, resolved: json.text("status")? == "resolved" })
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
            "resumed" => Self::Resumed { conversation_id: json.id("conversation_id")? },
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

/// The frames the widget sends (`openapi::realtime::ClientFrame`), as JSON text.
pub mod out {
    use super::Writer;

    fn frame(kind: &str) -> Writer {
        Writer::default().text("type", kind)
    }

    pub fn ping() -> String {
        frame("ping").finish()
    }

    pub fn resume(conversation_id: &str, after_seq: i64) -> String {
        frame("resume").text("conversation_id", conversation_id).whole("after_seq", after_seq).finish()
    }

    pub fn send(conversation_id: &str, client_msg_id: &str, body: &str) -> String {
        frame("send")
            .text("conversation_id", conversation_id)
            .text("client_msg_id", client_msg_id)
            .text("body", body)
            .finish()
    }

    pub fn typing(conversation_id: &str, typing: bool, preview: Option<&str>) -> String {
        frame("typing")
            .text("conversation_id", conversation_id)
            .boolean("typing", typing)
            .maybe_text("preview", preview)
            .finish()
    }

    pub fn read(conversation_id: &str, seq: i64) -> String {
        frame("read").text("conversation_id", conversation_id).whole("seq", seq).finish()
    }

    pub fn page(url: &str, title: &str) -> String {
        frame("page").text("url", url).text("title", title).finish()
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

    fn id(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }

    /// The id as the widget keeps it.
    fn text(n: u128) -> String {
        id(n).to_string()
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
            author_id: Some(id(6)),
            kind: MessageKind::Text,
            body: "hi \"there\"".into(),
            attachments: Vec::new(),
            created_at: now,
        };
        let Frame::Message(received) = decode(ServerFrame::Message { message: message.clone() }) else {
            panic!("not a message")
        };
        assert_eq!((received.id, received.conversation_id, received.seq), (text(3), text(4), 7));
        assert_eq!(received.author_id, Some(text(6)));
        assert_eq!((received.client_msg_id, received.author_kind), (message.client_msg_id, message.author_kind));
        assert_eq!(received.body, message.body);
        assert_eq!(received.created_at.parse::<openapi::Timestamp>().unwrap(), message.created_at);
        // The host page's `message` event keeps the form it had with chrono.
        assert_eq!(crate::clock::rfc3339_utc(&received.created_at), message.created_at.to_rfc3339());
        assert_eq!(
            decode(ServerFrame::Resumed { conversation_id: id(4), last_seq: 7 }),
            Frame::Resumed { conversation_id: text(4) }
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
            feed_seq: 0,
            last_message: None,
            rating: None,
        };
        let change =
            ServerFrame::Conversation { change: ConversationChange::Created, conversation: conversation.clone() };
        assert_eq!(decode(change), Frame::Conversation { id: text(4), resolved: false });
        let resolved = Conversation { status: ConversationStatus::Resolved, ..conversation };
        let change = ServerFrame::Conversation { change: ConversationChange::StatusChanged, conversation: resolved };
        assert_eq!(decode(change), Frame::Conversation { id: text(4), resolved: true });

        let queue = |position, estimated_wait_secs| ServerFrame::Queue {
            status: openapi::routing::QueueStatus { conversation_id: id(4), position, estimated_wait_secs },
        };
        let expected = Queue { conversation_id: text(4), position: Some(2), estimated_wait_secs: Some(180) };
        assert_eq!(decode(queue(Some(2), Some(180))), Frame::Queue(expected));
        let served = Queue { conversation_id: text(4), position: None, estimated_wait_secs: None };
        assert_eq!(decode(queue(None, None)), Frame::Queue(served));

        let error = ServerFrame::Error {
            code: "rate_limited".into(),
            message: "slow down".into(),
            client_msg_id: Some("c3".into()),
            conversation_id: None,
            reference: None,
            retry_after_ms: Some(250),
        };
        assert_eq!(
            decode(error),
            Frame::Error { code: "rate_limited".into(), client_msg_id: Some("c3".into()), retry_after_ms: Some(250) }
        );
        let bare = ServerFrame::Error {
            code: "x".into(),
            message: "y".into(),
            client_msg_id: None,
            conversation_id: None,
            reference: None,
            retry_after_ms: None,
        };
        assert_eq!(decode(bare), Frame::Error { code: "x".into(), client_msg_id: None, retry_after_ms: None });

        let status = ServerFrame::AgentStatus { agent_id: id(6), status: openapi::realtime::AgentStatus::Away };
        assert_eq!(decode(status), Frame::Other);
        assert_eq!(Frame::read(&serde_json::json!({"type": "from_the_future", "x": 1})).unwrap(), Frame::Other);
        assert_eq!(Frame::read(&serde_json::json!("not a frame")), None);
        assert_eq!(Frame::read(&serde_json::json!({"type": "ack"})), None, "a frame without its fields is refused");
    }

    #[test]
    fn writes_what_client_frames_deserialise_from() {
        use openapi::realtime::ClientFrame;
        let parse = |json: String| serde_json::from_str::<ClientFrame>(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        let c = text(4);
        assert_eq!(parse(out::ping()), ClientFrame::Ping);
        assert_eq!(parse(out::resume(&c, 41)), ClientFrame::Resume { conversation_id: id(4), after_seq: 41 });
        let body = "Quotes \" and \\ slashes,\nlines, a tab\t, \u{1} and é ✓ \u{2028}";
        assert_eq!(
            parse(out::send(&c, "m-1", body)),
            ClientFrame::Send {
                conversation_id: id(4),
                client_msg_id: "m-1".into(),
                body: body.into(),
                kind: None,
                attachment_ids: Vec::new(),
            }
        );
        assert_eq!(
            parse(out::typing(&c, true, None)),
            ClientFrame::Typing { conversation_id: id(4), typing: true, preview: None }
        );
        assert_eq!(parse(out::read(&c, 44)), ClientFrame::Read { conversation_id: id(4), seq: 44 });
        assert_eq!(
            parse(out::page("https://shop.test/a?b=\"c\"", "Cart")),
            ClientFrame::Page { url: "https://shop.test/a?b=\"c\"".into(), title: "Cart".into() }
        );
    }
}
