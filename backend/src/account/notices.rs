//! Mail about accounts: an invitation to the invited address, and a notice to an address
//! that gets another account (sign-up, or an admin adding it) while it has some already.
//!
//! Both are written after the request is answered, like a password reset's mail: the
//! notice goes only to an address that has accounts, and writing it in the request would
//! make that answer slower than the others, telling who uses Rapport by the clock.
//! Whoever reads the notice holds the mailbox, so it may name the other workspaces.

use openapi::mail::MailKind;
use uuid::Uuid;

use crate::{
    agents::{self, AgentRow, INVITATION_LIFETIME},
    auth::{Actor, Caller},
    error::Result,
    input::Email,
    mail::flows::{self, Notice},
    state::AppState,
};

/// How an address got its new account.
#[derive(Debug, Clone, Copy)]
pub enum Joined {
    /// Its owner signed up a new workspace.
    SignedUp,
    /// An admin of the workspace added it (with a password: invited ones get the
    /// invitation instead).
    Added,
}

/// After answering: mails `agent` the invitation `token` from `inviter`.
pub fn invite(state: &AppState, inviter: &Caller, agent: &AgentRow, token: String) {
    let (state, inviter, agent) = (state.clone(), inviter.clone(), agent.clone());
    tokio::spawn(async move {
        if let Err(err) = send_invitation(&state, &inviter, &agent, &token).await {
            tracing::error!(error = %err, agent = %agent.id, "writing an invitation mail failed");
        }
    });
}

/// After answering: tells the owner of `agent`'s address about this new account when the
/// address has others; does nothing for an address new to Rapport.
pub fn joined(state: &AppState, agent: &AgentRow, how: Joined) {
    let (state, agent) = (state.clone(), agent.clone());
    tokio::spawn(async move {
        if let Err(err) = send_notice(&state, &agent, how).await {
            tracing::error!(error = %err, agent = %agent.id, "writing an account notice failed");
        }
    });
}

async fn send_invitation(state: &AppState, inviter: &Caller, agent: &AgentRow, token: &str) -> Result<()> {
    let workspace = crate::workspaces::get(&state.store, agent.workspace_id).await?;
    let by = match inviter.actor {
        Actor::Agent { agent_id, .. } => agents::get(&state.store, inviter.workspace_id, agent_id).await?.name,
        Actor::ApiKey { .. } => format!("An admin of {}", workspace.name),
    };
    let link = format!("{}/console/?invitation={token}", state.settings.public_url);
    let days = INVITATION_LIFETIME.as_secs() / 86_400;
    let notice = Notice {
        to: agent.email.clone(),
        subject: format!("{by} invited you to {} on Rapport", workspace.name),
        heading: workspace.name.clone(),
        intro: format!(
            "{by} invited you, {}, to answer the customers of {} on Rapport. Follow the link to choose your \
             password and open the console.",
            agent.email, workspace.name
        ),
        action: Some(("Accept the invitation".into(), link)),
        footer: format!("The link works once, within {days} days. If you did not expect it, ignore this mail."),
    };
    queue(state, agent.workspace_id, MailKind::Invitation, notice).await
}

async fn send_notice(state: &AppState, agent: &AgentRow, how: Joined) -> Result<()> {
    let email = Email::parse("email", &agent.email)?;
    let others: Vec<AgentRow> =
        agents::accounts_of(&state.store, &email).await?.into_iter().filter(|other| other.id != agent.id).collect();
    if others.is_empty() {
        return Ok(());
    }
    let workspace = crate::workspaces::get(&state.store, agent.workspace_id).await?;
    let mut elsewhere = Vec::with_capacity(others.len());
    for other in &others {
        elsewhere.push(crate::workspaces::get(&state.store, other.workspace_id).await?.name);
    }
    let what = match how {
        Joined::SignedUp => {
            format!("A new workspace, {}, was created on Rapport with your address {}.", workspace.name, agent.email)
        }
        Joined::Added => {
            format!("An admin of {} added your address {} as an agent there.", workspace.name, agent.email)
        }
    };
    let notice = Notice {
        to: agent.email.clone(),
        subject: format!("Your address has a new Rapport account in {}", workspace.name),
        heading: workspace.name.clone(),
        intro: format!(
            "{what} It is a separate account with its own password; your account in {} is unchanged, and \
             nobody in {} can see it.",
            elsewhere.join(", "),
            workspace.name
        ),
        action: Some(("Open the console".into(), format!("{}/console/", state.settings.public_url))),
        footer: "If this was not you, nothing changes for your other accounts; you may ask the workspace's owner \
                 to remove the address."
            .into(),
    };
    queue(state, agent.workspace_id, MailKind::AccountNotice, notice).await
}

async fn queue(state: &AppState, workspace_id: Uuid, kind: MailKind, notice: Notice) -> Result<()> {
    let mut tx = state.store.begin_write().await?;
    flows::queue_notice(&mut tx, &state.settings.mail, workspace_id, None, kind, notice).await?;
    tx.commit().await?;
    Ok(())
}
