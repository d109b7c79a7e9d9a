//! An agent's own account: changing their password (which ends their other sessions),
//! their sessions listed and ended one by one, and resetting a forgotten password by email
//! ([`reset`]); the mail about accounts ([`notices`]). The operations are in [`api`].

pub mod api;
pub mod notices;
pub mod reset;

use uuid::Uuid;

use crate::{
    agents,
    auth::{Caller, password, sessions},
    error::{Error, Result},
    state::AppState,
    throttle::Attempt,
};

/// Changes the caller's password after checking the current one; ends every other session
/// of theirs and returns the ids ended (their sockets are to be closed).
pub async fn change_password(state: &AppState, caller: &Caller, current: &str, new: &str) -> Result<Vec<Uuid>> {
    let agent_id = caller.agent_id()?;
    let crate::auth::Actor::Agent { session_id, .. } = caller.actor else {
        return Err(Error::Forbidden("this operation needs a signed-in agent, not an API key".into()));
    };
    let agent = agents::get(&state.store, caller.workspace_id, agent_id).await?;
    // A stolen session must not be a way to guess the password at leisure.
    state.throttles.at_account(Attempt::SignIn, &agent.email)?;
    let verified = match agent.password_hash.as_deref() {
        Some(hash) => password::verify(current, hash).await?,
        None => false,
    };
    if !verified {
        return Err(Error::invalid("current_password", "is not your current password"));
    }
    if current == new {
        return Err(Error::invalid("new_password", "must differ from the current password"));
    }
    let workspace = crate::workspaces::get(&state.store, caller.workspace_id).await?;
    password::check(new, &[&agent.email, &agent.name, &workspace.name])
        .map_err(|err| rename_field(err, "new_password"))?;
    let hash = password::hash(new).await?;
    let mut tx = state.store.begin_write().await?;
    agents::set_password(&mut tx, caller.workspace_id, agent_id, &hash).await?;
    let ended = sessions::delete_all_for_agent_but(&mut tx, caller.workspace_id, agent_id, Some(session_id)).await?;
    tx.commit().await?;
    Ok(ended)
}

/// The password policy speaks of `password`; here the field has another name.
pub(crate) fn rename_field(err: Error, field: &'static str) -> Error {
    match err {
        Error::Invalid { message, .. } => Error::Invalid { field: Some(field), message },
        other => other,
    }
}
