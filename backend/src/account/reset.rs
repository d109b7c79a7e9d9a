//! Resetting a forgotten password by email. From the sign-in page an agent asks for a link;
//! it is mailed to their address, works once, within an hour; following it they choose a
//! new password, and every session of theirs ends (whoever knew the old password is
//! signed out too). Only the SHA-256 of a link's token is stored, and the sent mail keeps
//! no copy of it (the outbox forgets a `password_reset` mail's bytes once sent).
//!
//! Asking tells nobody whether an address has an account: the answer is the same, and the
//! mail is written after answering, so neither the answer nor its timing differs.

use std::time::Duration;

use openapi::mail::MailKind;
use uuid::Uuid;

use crate::{
    agents,
    auth::{password, sessions, token},
    error::{Error, Result},
    input::Email,
    mail::flows::{self, Notice},
    on_pool, on_tx,
    state::AppState,
    store::{Millis, now},
};

/// How long a reset link works.
pub const LIFETIME: Duration = Duration::from_secs(3600);

/// Mails a reset link for each active account of `email` (one per workspace it joined,
/// each naming its workspace); does nothing for an address without one.
pub async fn send_link(state: &AppState, email: &Email) -> Result<()> {
    for agent in agents::accounts_of(&state.store, email).await?.into_iter().filter(|agent| agent.active) {
        send_link_to(state, &agent).await?;
    }
    Ok(())
}

async fn send_link_to(state: &AppState, agent: &agents::AgentRow) -> Result<()> {
    let workspace = crate::workspaces::get(&state.store, agent.workspace_id).await?;
    let secret = token::random_string(32);
    let at = now();
    let mut tx = state.store.begin_write().await?;
    // Spent and expired links are of no more use: an agent's rows stay few.
    on_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM password_resets WHERE agent_id = $1 AND (used_at IS NOT NULL OR expires_at <= $2)")
            .bind(agent.id)
            .bind(at)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO password_resets (id, workspace_id, agent_id, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(agent.workspace_id)
        .bind(agent.id)
        .bind(token::hash(&secret))
        .bind(at)
        .bind(at.plus(LIFETIME))
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let link = format!("{}/console/?reset={secret}", state.settings.public_url);
    let notice = Notice {
        to: agent.email.clone(),
        subject: "Choose a new password for Rapport".into(),
        heading: workspace.name.clone(),
        intro: format!(
            "Someone asked to reset the password of {} in {} on Rapport. Follow the link to choose a new one; \
             every browser and device signed in as you will then be signed out.",
            agent.email, workspace.name
        ),
        action: Some(("Choose a new password".into(), link)),
        footer: "The link works once, within an hour. If you did not ask for it, ignore this mail: \
                 your password stays as it is."
            .into(),
    };
    flows::queue_notice(&mut tx, &state.settings.mail, agent.workspace_id, None, MailKind::PasswordReset, notice)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A password reset done.
pub struct Done {
    pub workspace_id: Uuid,
    pub agent_id: Uuid,
    /// The agent's sessions, all ended (their sockets are to be closed).
    pub sessions_ended: Vec<Uuid>,
}

#[derive(sqlx::FromRow)]
struct Pending {
    workspace_id: Uuid,
    agent_id: Uuid,
}

fn unknown_link() -> Error {
    Error::invalid("token", "this reset link is unknown, used or expired: ask for a new one")
}

/// Sets the password of the agent a link was mailed to. The token is spent only when the
/// new password is accepted, so a weak one can be corrected with the same link; the
/// agent's other links are spent too, and every session of theirs ends.
pub async fn reset(state: &AppState, secret: &str, new_password: &str) -> Result<Done> {
    let token_hash = token::hash(secret);
    let pending: Option<Pending> = on_pool!(&state.store, |pool| {
        sqlx::query_as(
            "SELECT workspace_id, agent_id FROM password_resets
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(&token_hash)
        .bind(now())
        .fetch_optional(pool)
        .await
    })?;
    let Pending { workspace_id, agent_id } = pending.ok_or_else(unknown_link)?;
    let agent = match agents::get(&state.store, workspace_id, agent_id).await {
        Ok(agent) if agent.active => agent,
        Ok(_) | Err(Error::NotFound(_)) => return Err(unknown_link()),
        Err(err) => return Err(err),
    };
    let workspace = crate::workspaces::get(&state.store, workspace_id).await?;
    password::check(new_password, &[&agent.email, &agent.name, &workspace.name])
        .map_err(|err| super::rename_field(err, "new_password"))?;
    let hash = password::hash(new_password).await?;

    let mut tx = state.store.begin_write().await?;
    let at = now();
    // Spent in the statement that checks it: two uses cannot both pass.
    let spent: Option<Millis> = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING used_at",
        )
        .bind(&token_hash)
        .bind(at)
        .fetch_optional(conn)
        .await
    })?;
    if spent.is_none() {
        return Err(unknown_link());
    }
    agents::set_password(&mut tx, workspace_id, agent_id, &hash).await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE password_resets SET used_at = $2 WHERE agent_id = $1 AND used_at IS NULL")
            .bind(agent_id)
            .bind(at)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    let sessions_ended = sessions::delete_all_for_agent_but(&mut tx, workspace_id, agent_id, None).await?;
    tx.commit().await?;
    Ok(Done { workspace_id, agent_id, sessions_ended })
}
