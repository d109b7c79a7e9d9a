//! Transcripts to an address the conversation did not have: first a mail to that address
//! asking its owner to confirm (it names the site, not the conversation), then, when they
//! follow the link, the transcript — and the address becomes the visitor's.

use std::time::Duration;

use openapi::mail::MailKind;
use uuid::Uuid;

use super::limits::{self, Counted};
use crate::{
    auth::token,
    conversations::{self, ConversationRow},
    error::{Error, Result},
    mail::flows::{self, Notice},
    on_pool, on_tx,
    sites::{self, SiteRow},
    state::AppState,
    store::{Millis, Tx, now},
};

/// How long a confirmation link works.
pub const LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Writes the confirmation mail to `email` for a transcript of `conversation` (inside
/// `tx`, after [`limits::take`] allowed it); the mail's id.
pub async fn ask(
    tx: &mut Tx,
    state: &AppState,
    site: &SiteRow,
    conversation: &ConversationRow,
    email: &str,
) -> Result<Uuid> {
    let secret = token::random_string(32);
    let at = now();
    on_tx!(&mut *tx, |conn| {
        sqlx::query(
            "INSERT INTO transcript_confirmations (id, workspace_id, conversation_id, email, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(conversation.workspace_id)
        .bind(conversation.id)
        .bind(email)
        .bind(token::hash(&secret))
        .bind(at)
        .bind(at.plus(LIFETIME))
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let link = format!("{}/mail/confirm?token={secret}", state.settings.public_url);
    let notice = Notice {
        to: email.to_owned(),
        subject: format!("Confirm your email for {}", site.name),
        heading: site.name.clone(),
        intro: format!(
            "Someone chatting on {} asked for the transcript of their conversation to be sent to this address. \
             Nothing is sent unless you confirm.\n\nIf it was not you, ignore this mail: you will not hear \
             about it again.",
            site.name
        ),
        action: Some(("Yes, send me the transcript".into(), link)),
        footer: "The link works once, within 24 hours.".into(),
    };
    flows::queue_notice(
        tx,
        &state.settings.mail,
        conversation.workspace_id,
        Some(conversation.id),
        MailKind::TranscriptConfirmation,
        notice,
    )
    .await
}

/// A confirmation link that still works.
pub struct Pending {
    pub email: String,
    pub site: SiteRow,
    pub conversation: ConversationRow,
}

#[derive(sqlx::FromRow)]
struct Row {
    workspace_id: Uuid,
    conversation_id: Uuid,
    email: String,
}

/// What `secret` would confirm, if it is unused and unexpired.
pub async fn look(state: &AppState, secret: &str) -> Result<Option<Pending>> {
    let row: Option<Row> = on_pool!(&state.store, |pool| {
        sqlx::query_as(
            "SELECT workspace_id, conversation_id, email FROM transcript_confirmations
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token::hash(secret))
        .bind(now())
        .fetch_optional(pool)
        .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let conversation = match conversations::get(&state.store, row.workspace_id, row.conversation_id).await {
        Ok(conversation) => conversation,
        Err(Error::NotFound(_)) => return Ok(None),
        Err(err) => return Err(err),
    };
    let site = sites::get(&state.store, row.workspace_id, conversation.site_id).await?;
    Ok(Some(Pending { email: row.email, site, conversation }))
}

/// Uses `secret` once: the transcript is written to the confirmed address, which becomes
/// the visitor's. `None` for a link that is unknown, used or expired.
pub async fn confirm(state: &AppState, secret: &str) -> Result<Option<Pending>> {
    let Some(pending) = look(state, secret).await? else { return Ok(None) };
    let mut tx = state.store.begin_write().await?;
    let at = now();
    // Used in the statement that checks it: two clicks cannot both pass.
    let used: Option<Millis> = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar(
            "UPDATE transcript_confirmations SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING used_at",
        )
        .bind(token::hash(secret))
        .bind(at)
        .fetch_optional(conn)
        .await
    })?;
    if used.is_none() {
        return Ok(None);
    }
    let conversation = &pending.conversation;
    flows::remember_visitor_email(&mut tx, conversation.workspace_id, conversation.visitor_id, &pending.email, None)
        .await?;
    limits::count(&mut tx, conversation.site_id, Counted::Transcript, &pending.email).await?;
    flows::transcript_requested(&mut tx, conversation, Some(&pending.email)).await?;
    tx.commit().await?;
    Ok(Some(pending))
}
