//! Visitors: created when a widget first starts a session on a site, recognised by an
//! opaque token (only its hash is stored), never by a guessable id.

pub mod api;
pub mod identity;

use openapi::visitors::{Visitor, VisitorUpdate};
use std::collections::BTreeMap;

use serde_json::Value;
use uuid::Uuid;

use crate::{
    auth::{VisitorCaller, token},
    error::{Error, Result},
    input::{self, Email},
    on_pool,
    pagination::PageRequest,
    sites::SiteRow,
    store::{Millis, Store, now},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitorRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub site_id: Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<String>,
    pub verified: bool,
    pub attributes: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
}

macro_rules! columns {
    () => {
        "id, workspace_id, site_id, name, email, user_id, verified, attributes, created_at, last_seen_at"
    };
}

/// Attributes are a JSON object of at most this many keys, each value at most 1 KB.
const MAX_ATTRIBUTES: usize = 100;
const MAX_ATTRIBUTE_BYTES: usize = 1024;

impl VisitorRow {
    pub fn attribute_map(&self) -> BTreeMap<String, Value> {
        serde_json::from_str(&self.attributes).unwrap_or_default()
    }

    pub fn to_wire(&self) -> Visitor {
        Visitor {
            id: self.id,
            site_id: self.site_id,
            name: self.name.clone(),
            email: self.email.clone(),
            user_id: self.user_id.clone(),
            verified: self.verified,
            attributes: self.attribute_map(),
            created_at: self.created_at.to_utc(),
            last_seen_at: self.last_seen_at.to_utc(),
        }
    }
}

/// Starts a visitor session on `site`: the visitor behind `presented` when that token is
/// valid for this site, otherwise a new visitor with a new token.
pub async fn start_session(store: &Store, site: &SiteRow, presented: Option<&str>) -> Result<(VisitorRow, String)> {
    if let Some(presented) = presented {
        let sql = concat!(
            "UPDATE visitors SET last_seen_at = $1 WHERE token_hash = $2 AND site_id = $3 RETURNING ",
            columns!()
        );
        let found: Option<VisitorRow> = on_pool!(store, |pool| {
            sqlx::query_as(sql).bind(now()).bind(token::hash(presented)).bind(site.id).fetch_optional(pool).await
        })?;
        if let Some(visitor) = found {
            return Ok((visitor, presented.to_owned()));
        }
    }
    let visitor_token = token::generate(token::TokenKind::Visitor);
    let created_at = now();
    let row = VisitorRow {
        id: Uuid::now_v7(),
        workspace_id: site.workspace_id,
        site_id: site.id,
        name: None,
        email: None,
        user_id: None,
        verified: false,
        attributes: "{}".into(),
        created_at,
        last_seen_at: created_at,
    };
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO visitors (id, workspace_id, site_id, token_hash, attributes, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(row.id)
        .bind(row.workspace_id)
        .bind(row.site_id)
        .bind(token::hash(&visitor_token))
        .bind(&row.attributes)
        .bind(row.created_at)
        .bind(row.last_seen_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok((row, visitor_token))
}

/// Makes a visitor's token worthless by replacing its stored hash with that of a token
/// nobody holds.
pub async fn revoke(store: &Store, workspace_id: Uuid, id: Uuid) -> Result<()> {
    let replaced = on_pool!(store, |pool| {
        sqlx::query("UPDATE visitors SET token_hash = $1 WHERE id = $2 AND workspace_id = $3")
            .bind(token::hash(&token::generate(token::TokenKind::Visitor)))
            .bind(id)
            .bind(workspace_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    if replaced == 0 { Err(Error::NotFound("visitor")) } else { Ok(()) }
}

/// The visitor behind a token hash.
pub async fn authenticate(store: &Store, token_hash: &str) -> Result<VisitorCaller> {
    let found: Option<(Uuid, Uuid, Uuid)> = on_pool!(store, |pool| {
        sqlx::query_as("SELECT workspace_id, site_id, id FROM visitors WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(pool)
            .await
    })?;
    let (workspace_id, site_id, visitor_id) =
        found.ok_or_else(|| Error::Unauthorized("unknown visitor token; start a new session".into()))?;
    Ok(VisitorCaller { workspace_id, site_id, visitor_id })
}

pub async fn list(store: &Store, workspace_id: Uuid, page: PageRequest) -> Result<Vec<VisitorRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM visitors WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(workspace_id).bind(page.after).bind(page.fetch_limit()).fetch_all(pool).await
    })?)
}

/// The most visitors one request may name (the page limit).
pub const MAX_IDS: usize = crate::pagination::MAX_LIMIT as usize;

/// The workspace's visitors among `ids`, oldest first; ids of nobody (or of another
/// workspace) are left out. One query for a whole page of conversations' visitors.
pub async fn get_many(store: &Store, workspace_id: Uuid, ids: &[Uuid]) -> Result<Vec<VisitorRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.len() > MAX_IDS {
        return Err(Error::invalid("ids", format!("at most {MAX_IDS} ids")));
    }
    // Only numbered placeholders are assembled here; the ids themselves are bound.
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {} FROM visitors WHERE workspace_id = $1 AND id IN ({}) ORDER BY id",
        columns!(),
        placeholders.join(", ")
    );
    Ok(on_pool!(store, |pool| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(workspace_id);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?)
}

/// Parses `ids=a,b,c` (UUIDs separated by commas), keeping the first of duplicates.
pub fn parse_ids(raw: &str) -> Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id: Uuid = part.parse().map_err(|_| Error::invalid("ids", format!("`{part}` is not an id")))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > MAX_IDS {
        return Err(Error::invalid("ids", format!("at most {MAX_IDS} ids")));
    }
    Ok(ids)
}

/// A page the visitor viewed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PageViewRow {
    pub id: Uuid,
    pub url: String,
    pub title: String,
    pub viewed_at: Millis,
}

/// The pages a visitor viewed (recorded from the widget's `page` frames), newest first.
pub async fn pages(store: &Store, workspace_id: Uuid, visitor_id: Uuid, page: PageRequest) -> Result<Vec<PageViewRow>> {
    get(store, workspace_id, visitor_id).await?;
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT id, url, title, viewed_at FROM visitor_pages
             WHERE visitor_id = $1 AND workspace_id = $2 AND ($3 IS NULL OR id < $3)
             ORDER BY id DESC LIMIT $4",
        )
        .bind(visitor_id)
        .bind(workspace_id)
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(pool)
        .await
    })?)
}

pub async fn get(store: &Store, workspace_id: Uuid, id: Uuid) -> Result<VisitorRow> {
    let sql = concat!("SELECT ", columns!(), " FROM visitors WHERE workspace_id = $1 AND id = $2");
    let row = on_pool!(store, |pool| sqlx::query_as(sql).bind(workspace_id).bind(id).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("visitor"))
}

/// Merges `changes` into the visitor: attributes set to `null` are removed.
pub async fn update(store: &Store, workspace_id: Uuid, id: Uuid, changes: &VisitorUpdate) -> Result<VisitorRow> {
    let name = changes.name.as_deref().map(|n| input::name("name", n, 100)).transpose()?;
    let email = changes.email.as_deref().map(|e| Email::parse("email", e)).transpose()?;
    let mut tx = store.begin_write().await?;
    let sql = concat!("SELECT ", columns!(), " FROM visitors WHERE workspace_id = $1 AND id = $2");
    let current: Option<VisitorRow> =
        crate::on_tx!(&mut tx, |conn| sqlx::query_as(sql).bind(workspace_id).bind(id).fetch_optional(conn).await)?;
    let current = current.ok_or(Error::NotFound("visitor"))?;
    let attributes = match &changes.attributes {
        None => current.attributes.clone(),
        Some(patch) => merge_attributes(current.attribute_map(), patch)?,
    };
    let sql = concat!(
        "UPDATE visitors SET name = COALESCE($3, name), email = COALESCE($4, email), attributes = $5
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let row: VisitorRow = crate::on_tx!(&mut tx, |conn| {
        sqlx::query_as(sql)
            .bind(workspace_id)
            .bind(id)
            .bind(name)
            .bind(email.as_ref().map(Email::as_str))
            .bind(&attributes)
            .fetch_one(conn)
            .await
    })?;
    tx.commit().await?;
    Ok(row)
}

fn merge_attributes(mut current: BTreeMap<String, Value>, patch: &BTreeMap<String, Value>) -> Result<String> {
    for (key, value) in patch {
        if key.is_empty() || key.chars().count() > 64 {
            return Err(Error::invalid("attributes", "keys must be 1 to 64 characters"));
        }
        if value.is_null() {
            current.remove(key);
        } else {
            if value.to_string().len() > MAX_ATTRIBUTE_BYTES {
                return Err(Error::invalid(
                    "attributes",
                    format!("`{key}` is longer than {MAX_ATTRIBUTE_BYTES} bytes"),
                ));
            }
            current.insert(key.clone(), value.clone());
        }
    }
    if current.len() > MAX_ATTRIBUTES {
        return Err(Error::invalid("attributes", format!("at most {MAX_ATTRIBUTES} attributes")));
    }
    Ok(serde_json::to_string(&current).expect("JSON values serialise"))
}

/// The browser's preferred language from an `Accept-Language` header (`fr-CA,fr;q=0.9`
/// → `fr-CA`), if it names one.
pub fn preferred_language(header: &str) -> Option<String> {
    let first = header.split(',').next()?.split(';').next()?.trim();
    let valid = (2..=35).contains(&first.len())
        && first.split('-').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
    valid.then(|| first.to_owned())
}

/// Keeps the visitor's `language` attribute (what saved replies pick their variant by)
/// in step with their browser's.
pub async fn remember_language(store: &Store, visitor: &VisitorRow, language: &str) -> Result<()> {
    if visitor.attribute_map().get("language").and_then(Value::as_str) == Some(language) {
        return Ok(());
    }
    let patch = BTreeMap::from([("language".to_owned(), Value::String(language.to_owned()))]);
    let changes = VisitorUpdate { name: None, email: None, attributes: Some(patch) };
    update(store, visitor.workspace_id, visitor.id, &changes).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_language_of_the_header_is_kept() {
        assert_eq!(preferred_language("fr-CA,fr;q=0.9,en;q=0.8").as_deref(), Some("fr-CA"));
        assert_eq!(preferred_language("de").as_deref(), Some("de"));
        assert_eq!(preferred_language("*"), None);
        assert_eq!(preferred_language(""), None);
    }
}
