//! Replies by email. A mail provider forwards the raw message to `POST /inbound/email`
//! with a write-scoped API key; it lands in the conversation named by the signed reply
//! address (`reply+<conversation>.<signature>@…`), as a visitor message with the quoted
//! history cut off.
//!
//! The signed address is the only thing that makes a mail the visitor's: it went to the
//! visitor alone. `In-Reply-To` and `References` name mails whose ids every agent can read
//! (`GET /mail`), so they prove nothing about who wrote a reply and are not used.
//!
//! Mails are read as they stream in, up to [`MAX_BYTES`] (a reply with a photo or two),
//! at most [`READING_AT_ONCE`] at a time, and parsed once.

use mail_parser::{Message as Parsed, MessageParser};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use uuid::Uuid;

use super::signing::{self, ReplyToken};
use crate::{
    conversations::{self, ConversationRow},
    error::{ApiError, Error, Result},
    store::Store,
};

/// A reply ready to store.
pub struct Reply {
    pub conversation: ConversationRow,
    pub body: String,
    /// Derived from the mail's `Message-ID`, so a provider's retry stores nothing twice.
    pub client_msg_id: String,
}

/// The largest inbound mail accepted, whatever the REST body limit: replies carry photos.
pub const MAX_BYTES: usize = 25 * 1024 * 1024;
/// Mails read and parsed at once: each may hold `MAX_BYTES` and its decoded parts.
pub const READING_AT_ONCE: usize = 2;

static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(READING_AT_ONCE);

/// Reads the raw mail as it streams in and refuses it the moment it passes `MAX_BYTES`
/// (whatever `Content-Length` claimed), so no more than that is ever held.
pub async fn read(body: poem::Body) -> Result<Vec<u8>, ApiError> {
    let _turn = READING.acquire().await.map_err(|_| ApiError::internal())?;
    let mut raw = Vec::new();
    body.into_async_read()
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut raw)
        .await
        .map_err(|err| ApiError::bad_request("malformed_request", format!("reading the mail: {err}"), "body"))?;
    if raw.len() > MAX_BYTES {
        let body = openapi::error::ErrorBody {
            code: "payload_too_large".into(),
            message: format!("inbound mail is limited to {MAX_BYTES} bytes"),
            field: Some("body".into()),
        };
        return Err(ApiError::PayloadTooLarge(poem_openapi::payload::Json(body)));
    }
    Ok(raw)
}

/// Why an inbound mail was refused.
pub enum Refusal {
    Api(ApiError),
    /// A `reply+` address whose signature does not match.
    Forged,
    /// The mail is not addressed to a reply address of ours.
    Unmatched,
    /// Nothing is left once the quoted history is removed.
    Empty,
}

impl From<Error> for Refusal {
    fn from(err: Error) -> Self {
        Self::Api(err.into())
    }
}

/// Reads a raw message and finds its conversation in `workspace_id`.
pub async fn parse(store: &Store, workspace_id: Uuid, raw: &[u8]) -> Result<Reply, Refusal> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| m.from().is_some() || m.to().is_some())
        .ok_or_else(|| Refusal::Api(Error::invalid("body", "is not an RFC 5322 email message").into()))?;
    let conversation_id = match reply_token(store, &message).await? {
        ReplyToken::Valid(id) => id,
        ReplyToken::Forged => return Err(Refusal::Forged),
        ReplyToken::Absent => return Err(Refusal::Unmatched),
    };
    // Another workspace's conversation answers like one that does not exist.
    let conversation = conversations::get(store, workspace_id, conversation_id).await?;
    let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let body = strip_quoted(&text);
    if body.is_empty() {
        return Err(Refusal::Empty);
    }
    let identity = message.message_id().map(str::to_owned).unwrap_or_else(|| hex::encode(Sha256::digest(raw)));
    let client_msg_id = format!("email:{}", &hex::encode(Sha256::digest(identity.as_bytes()))[..40]);
    Ok(Reply { conversation, body, client_msg_id })
}

/// The reply token among the addresses the mail was sent to. A forged one wins over none,
/// so a tampered address is refused rather than matched some other way.
async fn reply_token(store: &Store, message: &Parsed<'_>) -> Result<ReplyToken> {
    let mut addresses: Vec<String> = Vec::new();
    for list in [message.to(), message.cc(), message.bcc()].into_iter().flatten() {
        addresses.extend(list.iter().filter_map(|a| a.address()).map(str::to_owned));
    }
    for header in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        if let Some(raw) = message.header_raw(header) {
            addresses.push(raw.trim().trim_matches(['<', '>']).to_owned());
        }
    }
    let candidates: Vec<&str> = addresses
        .iter()
        .filter_map(|a| a.rsplit_once('@').map(|(local, _)| local))
        .filter(|local| local.to_lowercase().starts_with("reply+"))
        .collect();
    if candidates.is_empty() {
        return Ok(ReplyToken::Absent);
    }
    let secret = signing::secret(store).await?;
    let mut verdict = ReplyToken::Absent;
    for local in candidates {
        match signing::verify_reply_local_part(&secret, local) {
            ReplyToken::Valid(id) => return Ok(ReplyToken::Valid(id)),
            other => verdict = other,
        }
    }
    Ok(verdict)
}

/// The new part of a reply: everything above our "reply above" marker, the first
/// attribution line ("On … wrote:"), a forwarded/original-message separator or an
/// Outlook header block; quoted (`>`) lines and a trailing signature are dropped.
pub fn strip_quoted(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        let next = lines.get(i + 1).map(|l| l.trim().to_lowercase()).unwrap_or_default();
        let attribution = (lower.starts_with("on ") && (lower.ends_with("wrote:") || next.ends_with("wrote:")))
            || (lower.starts_with("le ") && (lower.ends_with("a écrit :") || lower.ends_with("a écrit:")))
            || (lower.starts_with("am ") && lower.ends_with("schrieb:"));
        let separator = trimmed.contains(super::templates::REPLY_ABOVE)
            || lower.starts_with("-----original message-----")
            || lower.starts_with("---------- forwarded message")
            || (trimmed.len() >= 20 && trimmed.chars().all(|c| c == '_'))
            || (lower.starts_with("from:") && (next.starts_with("sent:") || next.starts_with("date:")));
        if attribution || separator {
            break;
        }
        if line.trim_end() == "--" {
            break; // Signature delimiter.
        }
        if trimmed.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    kept.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::strip_quoted;

    #[test]
    fn quoted_history_is_cut() {
        let gmail = "Thanks, that works!\n\nOn Mon, 23 Nov 2026 at 14:00, Shop <noreply@shop.test> wrote:\n> New reply\n> hello";
        assert_eq!(strip_quoted(gmail), "Thanks, that works!");
        let wrapped = "Yes please\n\nOn Mon, 23 Nov 2026 at 14:00, Shop Support\n<noreply@shop.test> wrote:\n> old";
        assert_eq!(strip_quoted(wrapped), "Yes please");
        let outlook = "Sure.\r\n\r\n________________________________\r\nFrom: Shop\r\nSent: Monday\r\n\r\nold";
        assert_eq!(strip_quoted(outlook), "Sure.");
        let inline = "> question?\nanswer\n> another\nsecond answer\n-- \nJane";
        assert_eq!(strip_quoted(inline), "answer\nsecond answer");
        let marker = "top\n## Reply above this line ##\nold stuff";
        assert_eq!(strip_quoted(marker), "top");
        assert_eq!(strip_quoted("> only quotes\n> here"), "");
    }
}
