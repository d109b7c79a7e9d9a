//! Turning a due `pending` row into a mail, or into nothing: a continuity mail is skipped
//! when the visitor read the replies or came back, an assignment mail when the agent is
//! online. Rendering happens once; retries send the stored bytes.

use std::collections::HashMap;

use openapi::{mail::MailKind, messages::AuthorKind, realtime::AgentStatus};
use uuid::Uuid;

use super::{
    OutboxRow, signing,
    templates::{self, Letter, Line},
};
use crate::{
    agents,
    conversations::{self, ConversationRow},
    error::{Error, Result},
    messages::{self, Audience, MessageRow},
    on_pool,
    realtime::presence::{self, Roster},
    sites::{self, SiteRow},
    state::AppState,
    store::{StoredEnum, now},
    visitors::{self, VisitorRow},
};

/// What a pending row becomes.
pub enum Prepared {
    /// Not needed (the reason is recorded in `last_error`).
    Skip(String),
    Ready(Rendered),
}

pub struct Rendered {
    pub recipient: String,
    pub subject: String,
    pub message_id: String,
    pub through_seq: Option<i64>,
    pub raw: Vec<u8>,
}

/// The most messages one mail shows.
const MAX_LINES: u32 = 200;

pub async fn prepare(state: &AppState, row: &OutboxRow) -> Result<Prepared> {
    let conversation_id = row.conversation_id.ok_or_else(|| Error::Internal("mail without a conversation".into()))?;
    let conversation = conversations::get(&state.store, row.workspace_id, conversation_id).await?;
    let site = sites::get(&state.store, row.workspace_id, conversation.site_id).await?;
    let visitor = visitors::get(&state.store, row.workspace_id, conversation.visitor_id).await?;
    let context = Context { state, row, conversation, site, visitor };
    match row.kind()? {
        MailKind::OfflineMessage => context.offline_message().await,
        MailKind::Continuity => context.continuity().await,
        MailKind::Transcript => context.transcript().await,
        MailKind::Assigned => context.assigned().await,
        // Written already rendered (see `flows::queue_rendered`): never pending.
        kind @ (MailKind::TranscriptConfirmation
        | MailKind::VisitorMailLimited
        | MailKind::PasswordReset
        | MailKind::Invitation
        | MailKind::AccountNotice) => Ok(Prepared::Skip(format!("a {kind:?} mail is written rendered"))),
    }
}

struct Context<'a> {
    state: &'a AppState,
    row: &'a OutboxRow,
    conversation: ConversationRow,
    site: SiteRow,
    visitor: VisitorRow,
}

impl Context<'_> {
    fn visitor_label(&self) -> String {
        match (&self.visitor.name, &self.visitor.email) {
            (Some(name), _) => name.clone(),
            (None, Some(email)) => email.clone(),
            (None, None) => "A visitor".into(),
        }
    }

    fn public_url(&self) -> &str {
        &self.state.settings.public_url
    }

    /// Chat messages as mail lines; `visitor_as` names the visitor ("You" in their own mail).
    async fn lines(&self, messages: &[MessageRow], visitor_as: &str) -> Result<Vec<Line>> {
        let mut agent_names: HashMap<Uuid, String> = HashMap::new();
        let mut lines = Vec::with_capacity(messages.len());
        for message in messages {
            let author = match AuthorKind::from_db(&message.author_kind)? {
                AuthorKind::Visitor => visitor_as.to_owned(),
                AuthorKind::Agent => match message.author_id {
                    Some(id) => match agent_names.get(&id) {
                        Some(name) => name.clone(),
                        None => {
                            let name = agents::get(&self.state.store, self.row.workspace_id, id)
                                .await
                                .map(|a| a.name)
                                .unwrap_or_else(|_| self.site.name.clone());
                            agent_names.insert(id, name.clone());
                            name
                        }
                    },
                    None => self.site.name.clone(),
                },
                AuthorKind::Integration | AuthorKind::System => self.site.name.clone(),
            };
            let time = message.created_at.to_utc().format("%Y-%m-%d %H:%M UTC").to_string();
            let mut body =
                if message.kind == "note" { format!("(internal note) {}", message.body) } else { message.body.clone() };
            // Files are named, not linked: their links expire within hours, mail is read later.
            for file in crate::attachments::shown_on_wire(message.attachments.as_deref())? {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(&format!("[attachment: {}]", file.filename));
            }
            lines.push(Line { author, time, body });
        }
        Ok(lines)
    }

    /// Earlier mails of this conversation to `recipient`, for `In-Reply-To`/`References`.
    async fn thread(&self, recipient: &str) -> Result<Vec<String>> {
        let domain = self.state.settings.mail.message_id_domain();
        let earlier: Vec<String> = on_pool!(&self.state.store, |pool| {
            sqlx::query_scalar(
                "SELECT message_id FROM mail_outbox
                 WHERE conversation_id = $1 AND recipient = $2 AND id <> $3 AND message_id IS NOT NULL
                   AND state IN ('queued', 'sent') ORDER BY id",
            )
            .bind(self.conversation.id)
            .bind(recipient)
            .bind(self.row.id)
            .fetch_all(pool)
            .await
        })?;
        // The root names the conversation, so every mail about it shares one thread even
        // when the first one never arrived.
        let mut thread = vec![format!("<conversation.{}@{domain}>", self.conversation.id.simple())];
        let skip = earlier.len().saturating_sub(10);
        thread.extend(earlier.into_iter().skip(skip));
        Ok(thread)
    }

    fn message_id(&self) -> String {
        format!("<{}@{}>", self.row.id.simple(), self.state.settings.mail.message_id_domain())
    }

    async fn opted_out(&self, email: &str) -> Result<bool> {
        let found: i64 = on_pool!(&self.state.store, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM mail_opt_outs WHERE workspace_id = $1 AND email = $2")
                .bind(self.row.workspace_id)
                .bind(email)
                .fetch_one(pool)
                .await
        })?;
        Ok(found > 0)
    }

    /// A mail to the visitor: site sender, reply address, unsubscribe link, threading.
    async fn to_visitor(
        &self,
        recipient: String,
        subject: String,
        intro: String,
        lines: Vec<Line>,
        through_seq: Option<i64>,
    ) -> Result<Prepared> {
        let settings = super::site_settings::get(&self.state.store, self.row.workspace_id, self.site.id).await?;
        let mail = &self.state.settings.mail;
        let secret = signing::secret(&self.state.store).await?;
        let reply_to = format!("{}@{}", signing::reply_local_part(&secret, self.conversation.id), mail.inbound_domain);
        let expires = now().plus(signing::CONTINUE_LINK_LIFETIME);
        let continue_url = format!(
            "{}/widget/frame?site={}#continue={}",
            self.public_url(),
            self.site.site_key,
            signing::continue_token(&secret, self.conversation.id, expires)
        );
        let unsubscribe_url = format!(
            "{}/api/v1/mail/unsubscribe?token={}",
            self.public_url(),
            signing::unsubscribe_token(&secret, self.row.workspace_id, &recipient)
        );
        let letter = Letter {
            from_name: settings.from_name.clone().unwrap_or_else(|| self.site.name.clone()),
            from_address: settings.from_address.clone().unwrap_or_else(|| mail.from_address.clone()),
            to: recipient.clone(),
            reply_to: Some(reply_to),
            subject: subject.clone(),
            message_id: self.message_id(),
            thread: self.thread(&recipient).await?,
            unsubscribe_url: Some(unsubscribe_url),
            site_name: self.site.name.clone(),
            color: self.site.color.clone(),
            intro,
            lines,
            action: Some(("Continue the conversation".into(), continue_url)),
            footer: format!(
                "You get this because you wrote to {} and left your email address. Reply to this email to answer.",
                self.site.name
            ),
        };
        let raw = templates::render(&letter).map_err(Error::Internal)?;
        Ok(Prepared::Ready(Rendered { recipient, subject, message_id: letter.message_id, through_seq, raw }))
    }

    /// A mail to someone on the team.
    async fn to_team(&self, recipient: String, subject: String, intro: String, lines: Vec<Line>) -> Result<Prepared> {
        let mail = &self.state.settings.mail;
        let letter = Letter {
            from_name: "Rapport".into(),
            from_address: mail.from_address.clone(),
            to: recipient.clone(),
            reply_to: None,
            subject: subject.clone(),
            message_id: self.message_id(),
            thread: self.thread(&recipient).await?,
            unsubscribe_url: None,
            site_name: self.site.name.clone(),
            color: self.site.color.clone(),
            intro,
            lines,
            action: Some((
                "Open the conversation".into(),
                format!("{}/?conversation={}", self.public_url(), self.conversation.id),
            )),
            footer: "Sent by Rapport to the team of this workspace.".into(),
        };
        let raw = templates::render(&letter).map_err(Error::Internal)?;
        Ok(Prepared::Ready(Rendered { recipient, subject, message_id: letter.message_id, through_seq: None, raw }))
    }

    async fn offline_message(&self) -> Result<Prepared> {
        let Some(recipient) = self.row.recipient.clone() else {
            return Ok(Prepared::Skip("no recipient".into()));
        };
        let messages = messages::list_after(
            &self.state.store,
            self.row.workspace_id,
            self.conversation.id,
            0,
            MAX_LINES,
            Audience::Visitor,
        )
        .await?;
        let label = self.visitor_label();
        let lines = self.lines(&messages, &label).await?;
        let contact = self.visitor.email.clone().unwrap_or_else(|| "no email given".into());
        self.to_team(
            recipient,
            format!("[{}] New message from {label}", self.site.name),
            format!("{label} ({contact}) left a message on {} while nobody was online.", self.site.name),
            lines,
        )
        .await
    }

    async fn continuity(&self) -> Result<Prepared> {
        let Some(email) = self.visitor.email.clone() else {
            return Ok(Prepared::Skip("the visitor has no email address".into()));
        };
        if self.opted_out(&email).await? {
            return Ok(Prepared::Skip("the visitor unsubscribed".into()));
        }
        let online = self.state.realtime.presence.members(Roster::SiteVisitors(self.site.id)).await?;
        if online.contains(&self.visitor.id) {
            return Ok(Prepared::Skip("the visitor is online".into()));
        }
        let (read, mailed): (Option<i64>, Option<i64>) = on_pool!(&self.state.store, |pool| {
            sqlx::query_as(
                "SELECT
                    (SELECT MAX(seq) FROM read_cursors WHERE conversation_id = $1 AND reader_kind = 'visitor'),
                    (SELECT MAX(through_seq) FROM mail_outbox WHERE conversation_id = $1 AND kind = 'continuity'
                        AND state IN ('queued', 'sent'))",
            )
            .bind(self.conversation.id)
            .fetch_one(pool)
            .await
        })?;
        let after = read.unwrap_or(0).max(mailed.unwrap_or(0));
        let unread: Vec<MessageRow> = messages::list_after(
            &self.state.store,
            self.row.workspace_id,
            self.conversation.id,
            after,
            MAX_LINES,
            Audience::Visitor,
        )
        .await?
        .into_iter()
        .filter(|m| m.author_kind != AuthorKind::Visitor.as_db())
        .collect();
        let Some(through_seq) = unread.last().map(|m| m.seq) else {
            return Ok(Prepared::Skip("the visitor read the replies in time".into()));
        };
        let lines = self.lines(&unread, "You").await?;
        let count = lines.len();
        let intro = if count == 1 {
            format!("You have a new reply from {} that you have not read yet.", self.site.name)
        } else {
            format!("You have {count} new replies from {} that you have not read yet.", self.site.name)
        };
        self.to_visitor(email, format!("New reply from {}", self.site.name), intro, lines, Some(through_seq)).await
    }

    async fn transcript(&self) -> Result<Prepared> {
        let requested = self.row.recipient.is_some();
        let Some(email) = self.row.recipient.clone().or_else(|| self.visitor.email.clone()) else {
            return Ok(Prepared::Skip("the visitor has no email address".into()));
        };
        // Asked for explicitly: sent even after an unsubscribe; on resolve: not.
        if !requested && self.opted_out(&email).await? {
            return Ok(Prepared::Skip("the visitor unsubscribed".into()));
        }
        let messages = messages::list_after(
            &self.state.store,
            self.row.workspace_id,
            self.conversation.id,
            0,
            500,
            Audience::Visitor,
        )
        .await?;
        let lines = self.lines(&messages, "You").await?;
        let started = self.conversation.created_at.to_utc().format("%Y-%m-%d %H:%M UTC");
        self.to_visitor(
            email,
            format!("Your conversation with {}", self.site.name),
            format!("Here is the transcript of your conversation with {}, started {started}.", self.site.name),
            lines,
            None,
        )
        .await
    }

    async fn assigned(&self) -> Result<Prepared> {
        let agent_id = self.row.agent_id.ok_or_else(|| Error::Internal("assignment mail without an agent".into()))?;
        let agent = agents::get(&self.state.store, self.row.workspace_id, agent_id).await?;
        if !agent.active {
            return Ok(Prepared::Skip("the agent is deactivated".into()));
        }
        if self.conversation.assignee_id != Some(agent_id) {
            return Ok(Prepared::Skip("the conversation was assigned to someone else since".into()));
        }
        let status =
            presence::agent_status(self.state.realtime.presence.as_ref(), self.row.workspace_id, agent_id).await?;
        if status != AgentStatus::Offline {
            return Ok(Prepared::Skip("the agent is online".into()));
        }
        let recent = self.conversation.last_seq.saturating_sub(10).max(0);
        let messages = messages::list_after(
            &self.state.store,
            self.row.workspace_id,
            self.conversation.id,
            recent,
            10,
            Audience::Team,
        )
        .await?;
        let label = self.visitor_label();
        let lines = self.lines(&messages, &label).await?;
        self.to_team(
            agent.email.clone(),
            format!("[{}] Conversation with {label} assigned to you", self.site.name),
            format!(
                "Hi {}, a conversation with {label} was assigned to you while you were away. The latest messages:",
                agent.name
            ),
            lines,
        )
        .await
    }
}
