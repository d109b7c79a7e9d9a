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
    let owner = match demo_owner(store, &email).await? {
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
            routing_policy: Some(openapi::routing::RoutingPolicy::LeastBusy),
            prechat_name: None,
            prechat_email: None,
            offline_form: None,
            typing_preview: Some(true),
        },
    )
    .await?;
    Ok(site.site_key)
}

/// `GET /demo`: a pretend shop page with the demo site's widget embedded, exactly as a
/// business would paste it, so a newcomer sees the widget working after `cargo xtask run`.
#[poem::handler]
pub async fn page(state: poem::web::Data<&crate::state::AppState>) -> poem::Response {
    let response = poem::Response::builder().header("X-Content-Type-Options", "nosniff");
    match demo_site_key(&state.store).await {
        Ok(Some(key)) => response
            .content_type("text/html; charset=utf-8")
            .header(poem::http::header::CACHE_CONTROL, "no-cache")
            .body(include_str!("demo.html").replace("{{site_key}}", &key)),
        Ok(None) => response
            .status(poem::http::StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body("no demo workspace here: start the server with `rapport serve --demo` (or `cargo xtask run`)"),
        Err(err) => {
            tracing::error!(error = %err, "looking up the demo site");
            response
                .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                .body("something went wrong; it has been logged")
        }
    }
}

/// The demo workspace's owner: the first account of the demo address (anyone may sign
/// up with the published address later; that makes another workspace, not the demo).
async fn demo_owner(store: &Store, email: &Email) -> Result<Option<agents::AgentRow>> {
    Ok(agents::accounts_of(store, email).await?.into_iter().min_by_key(|agent| (agent.created_at, agent.id)))
}

/// The demo site's key, if the demo workspace exists (never created here: only
/// `serve --demo` does that).
async fn demo_site_key(store: &Store) -> Result<Option<String>> {
    let email = Email::parse("email", EMAIL)?;
    let Some(owner) = demo_owner(store, &email).await? else {
        return Ok(None);
    };
    let first = crate::pagination::PageRequest::parse(None, Some(1))?;
    Ok(sites::list(store, owner.workspace_id, first).await?.into_iter().next().map(|site| site.site_key))
}
