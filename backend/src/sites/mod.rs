//! Sites: one widget installation each, with its public key, the origins allowed to embed
//! it, its look, and the secret that signs visitor identities.

pub mod api;

use openapi::{
    routing::RoutingPolicy,
    sites::{NewSite, PrechatField, Site, SiteUpdate},
};
use uuid::Uuid;

use crate::{
    auth::{Caller, token},
    error::{Error, Result},
    input::{self, Origin},
    on_pool,
    pagination::PageRequest,
    store::{Millis, Store, StoredEnum, now},
};

pub const DEFAULT_COLOR: &str = "#3b5bdb";
pub const DEFAULT_GREETING: &str = "Hi there! How can we help?";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub site_key: String,
    pub allowed_origins: String,
    pub color: String,
    pub greeting: String,
    pub require_identity: bool,
    pub identity_secret: String,
    pub routing_policy: String,
    pub prechat_name: String,
    pub prechat_email: String,
    pub offline_form: bool,
    /// Agents see what visitors type before they send it.
    pub typing_preview: bool,
    pub created_at: Millis,
}

macro_rules! columns {
    () => {
        "id, workspace_id, name, site_key, allowed_origins, color, greeting, require_identity, identity_secret, routing_policy, \
         prechat_name, prechat_email, offline_form, typing_preview, created_at"
    };
}

impl SiteRow {
    pub fn origins(&self) -> Vec<String> {
        serde_json::from_str(&self.allowed_origins).unwrap_or_default()
    }

    /// Whether a browser page at `origin` may use this site's widget: one of the site's
    /// allowed origins, or Rapport's own (`public_url`), which serves the widget's iframe.
    pub fn allows_origin(&self, origin: &str, public_url: &str) -> bool {
        let Ok(origin) = Origin::parse("origin", origin) else {
            return false;
        };
        let own = Origin::parse("origin", public_url).ok();
        own.as_ref() == Some(&origin) || self.origins().iter().any(|allowed| allowed == origin.as_str())
    }

    /// An unknown spelling (impossible past the CHECK constraint) routes manually.
    pub fn routing_policy(&self) -> RoutingPolicy {
        RoutingPolicy::from_db(&self.routing_policy).unwrap_or_default()
    }

    /// The pre-chat form's (name, email) fields; an unknown spelling (impossible past the
    /// CHECK constraint) is not asked.
    pub fn prechat(&self) -> (PrechatField, PrechatField) {
        let field = |raw: &str| PrechatField::from_db(raw).unwrap_or_default();
        (field(&self.prechat_name), field(&self.prechat_email))
    }

    /// The site as `caller` may see it: the identity secret only for owners and admins.
    pub fn to_wire(&self, caller: &Caller) -> Site {
        Site {
            id: self.id,
            name: self.name.clone(),
            site_key: self.site_key.clone(),
            allowed_origins: self.origins(),
            color: self.color.clone(),
            greeting: self.greeting.clone(),
            require_identity: self.require_identity,
            identity_secret: caller.require_admin().is_ok().then(|| self.identity_secret.clone()),
            routing_policy: self.routing_policy(),
            prechat_name: self.prechat().0,
            prechat_email: self.prechat().1,
            offline_form: self.offline_form,
            typing_preview: self.typing_preview,
            created_at: self.created_at.to_utc(),
        }
    }
}

fn parse_origins(raw: &[String]) -> Result<String> {
    if raw.is_empty() {
        return Err(Error::invalid("allowed_origins", "list at least one origin, like https://www.example.com"));
    }
    if raw.len() > 50 {
        return Err(Error::invalid("allowed_origins", "at most 50 origins"));
    }
    let mut origins: Vec<String> =
        raw.iter().map(|o| Origin::parse("allowed_origins", o).map(Origin::into_string)).collect::<Result<_>>()?;
    origins.dedup();
    Ok(serde_json::to_string(&origins).expect("strings serialise"))
}

pub async fn create(store: &Store, caller: &Caller, input: &NewSite) -> Result<SiteRow> {
    caller.require_admin()?;
    let row = SiteRow {
        id: Uuid::now_v7(),
        workspace_id: caller.workspace_id,
        name: input::name("name", &input.name, 100)?,
        site_key: format!("site_{}", token::random_string(12)),
        allowed_origins: parse_origins(&input.allowed_origins)?,
        color: input.color.as_deref().map(|c| input::color("color", c)).transpose()?.unwrap_or(DEFAULT_COLOR.into()),
        greeting: input
            .greeting
            .as_deref()
            .map(|g| input::text("greeting", g, 500))
            .transpose()?
            .unwrap_or(DEFAULT_GREETING.into()),
        require_identity: input.require_identity.unwrap_or(false),
        identity_secret: token::random_string(32),
        routing_policy: input.routing_policy.unwrap_or_default().as_db().to_owned(),
        prechat_name: input.prechat_name.unwrap_or_default().as_db().to_owned(),
        prechat_email: input.prechat_email.unwrap_or_default().as_db().to_owned(),
        offline_form: input.offline_form.unwrap_or(true),
        typing_preview: input.typing_preview.unwrap_or(false),
        created_at: now(),
    };
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO sites (id, workspace_id, name, site_key, allowed_origins, color, greeting, require_identity, identity_secret, routing_policy, prechat_name, prechat_email, offline_form, typing_preview, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(row.id)
        .bind(row.workspace_id)
        .bind(&row.name)
        .bind(&row.site_key)
        .bind(&row.allowed_origins)
        .bind(&row.color)
        .bind(&row.greeting)
        .bind(row.require_identity)
        .bind(&row.identity_secret)
        .bind(&row.routing_policy)
        .bind(&row.prechat_name)
        .bind(&row.prechat_email)
        .bind(row.offline_form)
        .bind(row.typing_preview)
        .bind(row.created_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(row)
}

pub async fn list(store: &Store, workspace_id: Uuid, page: PageRequest) -> Result<Vec<SiteRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM sites WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(workspace_id).bind(page.after).bind(page.fetch_limit()).fetch_all(pool).await
    })?)
}

/// Every site id of a workspace (a workspace has a handful of sites, not thousands).
pub async fn ids(store: &Store, workspace_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT id FROM sites WHERE workspace_id = $1 ORDER BY id")
            .bind(workspace_id)
            .fetch_all(pool)
            .await
    })?)
}

pub async fn get(store: &Store, workspace_id: Uuid, id: Uuid) -> Result<SiteRow> {
    let sql = concat!("SELECT ", columns!(), " FROM sites WHERE workspace_id = $1 AND id = $2");
    let row = on_pool!(store, |pool| sqlx::query_as(sql).bind(workspace_id).bind(id).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("site"))
}

/// Whether a site lets its agents see what visitors type (false when it cannot tell).
pub async fn typing_preview(store: &Store, workspace_id: Uuid, id: Uuid) -> bool {
    let found: std::result::Result<Option<bool>, sqlx::Error> = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT typing_preview FROM sites WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(pool)
            .await
    });
    found.ok().flatten().unwrap_or(false)
}

/// The site behind a public key, for the widget (no workspace yet: the key is the entry).
pub async fn find_by_key(store: &Store, site_key: &str) -> Result<SiteRow> {
    // Keys are URL-safe base64; anything else cannot name a site (and NUL would not
    // even reach PostgreSQL).
    if !site_key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')) {
        return Err(Error::NotFound("site"));
    }
    let sql = concat!("SELECT ", columns!(), " FROM sites WHERE site_key = $1");
    let row = on_pool!(store, |pool| sqlx::query_as(sql).bind(site_key).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("site"))
}

pub async fn update(store: &Store, caller: &Caller, id: Uuid, changes: &SiteUpdate) -> Result<SiteRow> {
    caller.require_admin()?;
    let name = changes.name.as_deref().map(|n| input::name("name", n, 100)).transpose()?;
    let origins = changes.allowed_origins.as_deref().map(parse_origins).transpose()?;
    let color = changes.color.as_deref().map(|c| input::color("color", c)).transpose()?;
    let greeting = changes.greeting.as_deref().map(|g| input::text("greeting", g, 500)).transpose()?;
    let secret = (changes.rotate_identity_secret == Some(true)).then(|| token::random_string(32));
    let sql = concat!(
        "UPDATE sites SET name = COALESCE($3, name), allowed_origins = COALESCE($4, allowed_origins),
                color = COALESCE($5, color), greeting = COALESCE($6, greeting),
                require_identity = COALESCE($7, require_identity), identity_secret = COALESCE($8, identity_secret),
                routing_policy = COALESCE($9, routing_policy), prechat_name = COALESCE($10, prechat_name),
                prechat_email = COALESCE($11, prechat_email), offline_form = COALESCE($12, offline_form),
                typing_preview = COALESCE($13, typing_preview)
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let row = on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(caller.workspace_id)
            .bind(id)
            .bind(name)
            .bind(origins)
            .bind(color)
            .bind(greeting)
            .bind(changes.require_identity)
            .bind(secret)
            .bind(changes.routing_policy.map(|p| p.as_db()))
            .bind(changes.prechat_name.map(|p| p.as_db()))
            .bind(changes.prechat_email.map(|p| p.as_db()))
            .bind(changes.offline_form)
            .bind(changes.typing_preview)
            .fetch_optional(pool)
            .await
    })?;
    row.ok_or(Error::NotFound("site"))
}

/// Deletes a site that never had a conversation. One with history is kept: deleting it
/// would delete its visitors' conversations with it.
pub async fn delete(store: &Store, caller: &Caller, id: Uuid) -> Result<()> {
    caller.require_admin()?;
    get(store, caller.workspace_id, id).await?;
    let mut tx = store.begin_write().await?;
    let conversations: i64 = crate::on_tx!(&mut tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE workspace_id = $1 AND site_id = $2")
            .bind(caller.workspace_id)
            .bind(id)
            .fetch_one(conn)
            .await
    })?;
    if conversations > 0 {
        return Err(Error::conflict(
            "site_has_conversations",
            format!("this site has {conversations} conversations; it cannot be deleted without losing them"),
        ));
    }
    for sql in [
        "DELETE FROM visitors WHERE workspace_id = $1 AND site_id = $2",
        "DELETE FROM sites WHERE workspace_id = $1 AND id = $2",
    ] {
        crate::on_tx!(&mut tx, |conn| sqlx::query(sql)
            .bind(caller.workspace_id)
            .bind(id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(())
}

/// The HTML a business pastes into its pages.
pub fn embed_snippet(public_url: &str, site: &SiteRow) -> String {
    format!(r#"<script src="{public_url}/widget.js" data-site="{}" async></script>"#, site.site_key)
}
