//! The population, made over the REST API as the widget and console would: one
//! workspace, one site, and visitors who each start one conversation.

use std::sync::Arc;

use anyhow::{Context, Result};
use system_tests::TestApp;
use uuid::Uuid;

use crate::tasks::{bounded, catch};

/// The origin [`TestApp::create_site`] allows; visitor sockets must come from it.
pub const SHOP_ORIGIN: &str = "https://shop.test";

pub struct Population {
    /// The workspace owner's session token: every agent socket signs in with it.
    pub owner_token: String,
    pub visitors: Vec<Visitor>,
}

#[derive(Clone)]
pub struct Visitor {
    pub token: String,
    pub conversation_id: Uuid,
}

pub async fn populate(app: Arc<TestApp>, visitors: usize, concurrency: usize) -> Result<Population> {
    // A workspace name of its own, so a reused database (`--database-url`) still works.
    let name = format!("Bench {}", &Uuid::new_v4().simple().to_string()[..12]);
    let workspace = catch({
        let app = app.clone();
        async move { app.signup(&name).await }
    })
    .await
    .context("signing up the workspace")?;
    let (_, site_key) = catch({
        let (app, token) = (app.clone(), workspace.token.clone());
        async move { app.create_site(&token).await }
    })
    .await
    .context("creating the site")?;
    let site_key = Arc::new(site_key);
    let visitors = bounded(visitors, concurrency, |_| {
        let (app, site_key) = (app.clone(), site_key.clone());
        async move {
            let token = app.visitor(&site_key).await;
            let conversation_id = app.start_conversation(&token, "Hello from the benchmark").await;
            Visitor { token, conversation_id }
        }
    })
    .await
    .context("creating visitors and their conversations")?;
    Ok(Population { owner_token: workspace.token, visitors })
}
