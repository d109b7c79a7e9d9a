//! Email follow-up: the outbox as the team sees it, per-site mail settings, and what the
//! widget calls to leave a message, ask for a transcript or continue from an email link.

use serde::{Deserialize, Serialize};

use crate::{conversations::Conversation, messages::Message};

/// Why a mail was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum MailKind {
    /// A visitor left a message while nobody was online: the team is told.
    OfflineMessage,
    /// Replies the visitor did not read in time, with a link back to the conversation.
    Continuity,
    /// The whole conversation, for the visitor.
    Transcript,
    /// A conversation was assigned to an agent who was offline.
    Assigned,
    /// A visitor asked for a transcript at an address the conversation did not have: the
    /// address's owner is asked to confirm it first (the transcript follows their click).
    TranscriptConfirmation,
    /// Visitors of a site caused more mail than the limits allow: the workspace's owners
    /// are told (at most once an hour per site).
    VisitorMailLimited,
    /// A link to choose a new password, asked for from the sign-in page.
    PasswordReset,
    /// An invitation to join the workspace, with the link to accept it.
    Invitation,
    /// Someone tried to sign up or be added with an address that already has an account:
    /// its owner is told instead of the person asking.
    AccountNotice,
}

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", oai(rename_all = "snake_case"))]
pub enum MailState {
    /// Written; its content is decided when it is due (continuity waits for the delay).
    Pending,
    /// Rendered and waiting to be sent (or to be retried after a failure).
    Queued,
    /// Accepted by the mail server (or written to the mail folder).
    Sent,
    /// Given up after the last retry; `last_error` says why.
    Failed,
    /// Not needed any more (e.g. the visitor read the replies in time); `last_error` says why.
    Skipped,
}

/// One outgoing mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Mail {
    pub id: uuid::Uuid,
    pub kind: MailKind,
    pub state: MailState,
    pub conversation_id: Option<uuid::Uuid>,
    /// The address it goes to (absent until known).
    pub recipient: Option<String>,
    pub subject: Option<String>,
    /// The `Message-ID` header, stable across retries.
    pub message_id: Option<String>,
    /// Sending attempts so far.
    pub attempts: i64,
    /// The last failure, or why the mail was skipped.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending and queued mail).
    pub next_attempt_at: crate::Timestamp,
    pub created_at: crate::Timestamp,
    pub sent_at: Option<crate::Timestamp>,
}

crate::page_of!(
    /// A page of a workspace's mail, newest first.
    MailPage,
    Mail
);

/// A site's mail settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct SiteMailSettings {
    /// Sender name of mail to this site's visitors (default: the site's name).
    pub from_name: Option<String>,
    /// Sender address of mail to this site's visitors (default: the server's `RAPPORT_MAIL_FROM`).
    pub from_address: Option<String>,
    /// Where offline messages are announced (default: every active agent).
    pub notify_email: Option<String>,
    /// Mail the visitor a transcript when a conversation is resolved (needs their email).
    pub transcript_on_resolve: bool,
}

/// Changes to a site's mail settings; absent fields stay, `clear_*` removes a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct SiteMailSettingsUpdate {
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub notify_email: Option<String>,
    pub transcript_on_resolve: Option<bool>,
    /// Back to the defaults for `from_name`, `from_address` and `notify_email`.
    pub clear_addresses: Option<bool>,
}

/// A message left from the widget while nobody can answer live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct OfflineMessage {
    /// Where the team's answer goes; stored as the visitor's email.
    pub email: String,
    /// The visitor's name, if they gave it.
    pub name: Option<String>,
    /// 1 to 10,000 characters.
    pub body: String,
    /// Idempotency key: a retry returns the conversation the first attempt created.
    pub client_msg_id: String,
}

/// Asks for a transcript of one of the visitor's conversations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct TranscriptRequest {
    /// Send it here (and remember it as the visitor's email); default: the email already known.
    pub email: Option<String>,
}

/// The mail that was queued: the transcript, or first a confirmation to a new address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct TranscriptQueued {
    pub mail_id: uuid::Uuid,
    /// `true` when `email` was not the conversation's address: a mail asks its owner to
    /// confirm, and the transcript is sent once they do (tell the visitor to check their
    /// inbox). `false`: the transcript itself is on its way.
    #[serde(default)]
    pub confirmation_required: bool,
}

/// The signed token from a continue link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct ContinueRequest {
    pub token: String,
}

/// A visitor session that reopens the conversation an email was about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ContinuedConversation {
    /// A fresh visitor token (it replaces the visitor's earlier one): store it like the
    /// one from `POST /widget/session`.
    pub visitor_token: String,
    pub visitor_id: uuid::Uuid,
    /// The site's public key, to start the widget on the right site.
    pub site_key: String,
    pub conversation: Conversation,
    /// The conversation's messages (up to the latest 100), oldest first.
    pub messages: Vec<Message>,
}

/// An unsubscribe token from a `List-Unsubscribe` link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Unsubscribed {
    /// The address that gets no more automatic mail from this workspace.
    pub email: String,
}
