//! The demo workspace `rapport serve --demo` creates on first start, so a newcomer can
//! sign in and try the widget right after the run command. Never use it in production:
//! its password is published in the README.

use openapi::{agents::Role, sites::NewSite};
use uuid::Uuid;

use crate::{
    agents,
    auth::{Actor, Caller},
    error::Result,
    input::Email,
    sites,
    store::Store,
    workspaces::{self, NewWorkspace},
};

pub const EMAIL: &str = "demo@rapport.test";
pub const PASSWORD: &str = "rapport-demo";

/// Creates the demo workspace and site unless the demo owner exists already. Returns the
/// demo site's key.
pub async fn ensure(store: &Store, public_url: &str) -> Result<String> {
    let email = Email::parse("email", EMAIL)?;
    let owner = match agents::find_by_email(store, &email).await? {
        Some(owner) => owner,
        None => {
            let new = NewWorkspace::parse("Demo Company", "Demo Owner", EMAIL, PASSWORD)?;
            workspaces::create(store, new).await?.1
        }
    };
    let caller = Caller {
        workspace_id: owner.workspace_id,
        actor: Actor::Agent { agent_id: owner.id, role: Role::Owner, session_id: Uuid::nil() },
    };
    let first = crate::pagination::PageRequest::parse(None, Some(1))?;
    if let Some(site) = sites::list(store, owner.workspace_id, first).await?.into_iter().next() {
        return Ok(site.site_key);
    }
    let site = sites::create(
        store,
        &caller,
        &NewSite {
            name: "Demo site".into(),
            allowed_origins: vec![public_url.to_owned()],
            color: None,
            greeting: Some("Hi! This is the Rapport demo. Ask us anything.".into()),
            require_identity: Some(false),
        },
    )
    .await?;
    Ok(site.site_key)
}
