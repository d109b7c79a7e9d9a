//! The events that cause mail. Each function writes outbox rows inside the caller's
//! transaction, so a mail exists exactly when its cause was committed. What the mail
//! says (and whether it is still needed) is decided when it is due, by [`super::prepare`].

use openapi::mail::MailKind;
use uuid::Uuid;

use crate::{
    conversations::ConversationRow,
    error::Result,
    on_tx,
    store::{Millis, Tx, now},
};

/// Writes one pending row due at `due`.
async fn insert(
    tx: &mut Tx,
    workspace_id: Uuid,
    conversation_id: Option<Uuid>,
    kind: MailKind,
    agent_id: Option<Uuid>,
    recipient: Option<&str>,
    due: Millis,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO mail_outbox (id, workspace_id, conversation_id, kind, agent_id, recipient, state, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8)",
        )
        .bind(id)
        .bind(workspace_id)
        .bind(conversation_id)
        .bind(super::kind_as_db(kind))
        .bind(agent_id)
        .bind(recipient)
        .bind(due)
        .bind(now())
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(id)
}

/// Records the visitor's email (and name, when given) for mail about their conversations.
pub async fn remember_visitor_email(
    tx: &mut Tx,
    workspace_id: Uuid,
    visitor_id: Uuid,
    email: &str,
    name: Option<&str>,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE visitors SET email = $1, name = COALESCE($2, name) WHERE id = $3 AND workspace_id = $4")
            .bind(email)
            .bind(name)
            .bind(visitor_id)
            .bind(workspace_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// A visitor left a message from the widget's offline form: the team is told, at the
/// site's notification address or else every active agent's.
pub async fn offline_message(tx: &mut Tx, conversation: &ConversationRow) -> Result<Vec<Uuid>> {
    let settings = super::site_settings::get_in(tx, conversation.workspace_id, conversation.site_id).await?;
    let recipients: Vec<String> = match settings.notify_email {
        Some(address) => vec![address],
        None => on_tx!(&mut *tx, |conn| {
            sqlx::query_scalar("SELECT email FROM agents WHERE workspace_id = $1 AND active = TRUE ORDER BY id")
                .bind(conversation.workspace_id)
                .fetch_all(conn)
                .await
        })?,
    };
    let mut ids = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        let id = insert(
            tx,
            conversation.workspace_id,
            Some(conversation.id),
            MailKind::OfflineMessage,
            None,
            Some(&recipient),
            now(),
        )
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// An agent (or integration) replied: if the visitor has an email, a continuity mail
/// waits for the delay and then carries whatever they have not read. At most one waits
/// per conversation, so a burst of replies makes one mail.
pub async fn agent_replied(tx: &mut Tx, workspace_id: Uuid, conversation_id: Uuid, at: Millis) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO mail_outbox (id, workspace_id, conversation_id, kind, state, attempts, next_attempt_at, created_at)
             SELECT $1, $2, $3, 'continuity', 'pending', 0, $4, $4
             FROM conversations c JOIN visitors v ON v.id = c.visitor_id
             WHERE c.id = $3 AND c.workspace_id = $2 AND v.email IS NOT NULL
             ON CONFLICT DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(workspace_id)
        .bind(conversation_id)
        .bind(at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// A conversation was assigned to `conversation.assignee_id`: the agent gets a mail if
/// they are offline when it is due (checked by the worker, so a console that is open
/// gets no mail). The one hook for every way of assigning (manual, routing).
pub async fn conversation_assigned(tx: &mut Tx, conversation: &ConversationRow) -> Result<()> {
    if let Some(agent_id) = conversation.assignee_id {
        insert(tx, conversation.workspace_id, Some(conversation.id), MailKind::Assigned, Some(agent_id), None, now())
            .await?;
    }
    // And a push to their browsers, under the same rule (console closed).
    crate::push::conversation_assigned(tx, conversation).await
}

/// A conversation was resolved: a transcript for the visitor when the site wants it.
pub async fn conversation_resolved(tx: &mut Tx, conversation: &ConversationRow) -> Result<()> {
    let settings = super::site_settings::get_in(tx, conversation.workspace_id, conversation.site_id).await?;
    if settings.transcript_on_resolve {
        insert(tx, conversation.workspace_id, Some(conversation.id), MailKind::Transcript, None, None, now()).await?;
    }
    Ok(())
}

/// The visitor asked for a transcript (to `recipient`, or their known email).
pub async fn transcript_requested(
    tx: &mut Tx,
    conversation: &ConversationRow,
    recipient: Option<&str>,
) -> Result<Uuid> {
    insert(tx, conversation.workspace_id, Some(conversation.id), MailKind::Transcript, None, recipient, now()).await
}

/// A short mail that is not about a conversation's messages (a confirmation link, a
/// password reset, an invitation, a notice to owners): rendered at once, so the outbox
/// row is written `queued` with its bytes and the worker only sends it.
pub struct Notice {
    pub to: String,
    pub subject: String,
    /// The coloured band at the top: the site's or the workspace's name.
    pub heading: String,
    pub intro: String,
    /// A button: (label, URL).
    pub action: Option<(String, String)>,
    pub footer: String,
}

/// Writes `notice` as a queued mail of `kind`; its id.
pub async fn queue_notice(
    tx: &mut Tx,
    mail: &super::MailSettings,
    workspace_id: Uuid,
    conversation_id: Option<Uuid>,
    kind: MailKind,
    notice: Notice,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let letter = super::templates::Letter {
        from_name: "Rapport".into(),
        from_address: mail.from_address.clone(),
        to: notice.to.clone(),
        reply_to: None,
        subject: notice.subject.clone(),
        message_id: format!("<{}@{}>", id.simple(), mail.message_id_domain()),
        thread: Vec::new(),
        unsubscribe_url: None,
        site_name: notice.heading,
        color: String::new(),
        intro: notice.intro,
        lines: Vec::new(),
        action: notice.action,
        footer: notice.footer,
    };
    let raw = super::templates::render(&letter).map_err(crate::error::Error::Internal)?;
    let at = now();
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO mail_outbox (id, workspace_id, conversation_id, kind, recipient, state, attempts, next_attempt_at,
                subject, message_id, raw, created_at)
             VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $8, $9, $6)",
        )
        .bind(id)
        .bind(workspace_id)
        .bind(conversation_id)
        .bind(super::kind_as_db(kind))
        .bind(&notice.to)
        .bind(at)
        .bind(&notice.subject)
        .bind(&letter.message_id)
        .bind(&raw)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(id)
}
