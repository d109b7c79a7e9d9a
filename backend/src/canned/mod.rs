//! Canned responses: the team's saved replies, expanded in the console by `/shortcut`,
//! with variables the console fills (`{{visitor.first_name}}`…) and variants in other
//! languages that it picks by the visitor's language.

pub mod api;

use openapi::canned::{CannedResponse, CannedResponseUpdate, CannedVariant, NewCannedResponse};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::{Error, Result},
    input, on_pool,
    pagination::PageRequest,
    store::{Millis, Store, is_unique_violation, now},
};

/// The longest saved reply (the same as a message, which it becomes).
const MAX_BODY_CHARS: usize = crate::messages::MAX_BODY_CHARS;
const MAX_SHORTCUT_CHARS: usize = 32;
/// The most languages one saved reply is written in besides its default.
const MAX_VARIANTS: usize = 20;

#[derive(Debug, Clone, sqlx::FromRow)]
struct CannedRow {
    id: Uuid,
    shortcut: String,
    body: String,
    /// JSON array of `CannedVariant`.
    variants: String,
    created_at: Millis,
    updated_at: Millis,
}

impl CannedRow {
    fn to_wire(&self) -> CannedResponse {
        CannedResponse {
            id: self.id,
            shortcut: self.shortcut.clone(),
            body: self.body.clone(),
            variants: serde_json::from_str(&self.variants).unwrap_or_default(),
            created_at: self.created_at.to_utc(),
            updated_at: self.updated_at.to_utc(),
        }
    }
}

/// Variants with a well-formed language tag each, every language once, as stored (JSON).
fn parse_variants(raw: &[CannedVariant]) -> Result<String> {
    if raw.len() > MAX_VARIANTS {
        return Err(Error::invalid("variants", format!("at most {MAX_VARIANTS} languages")));
    }
    let mut variants: Vec<CannedVariant> = Vec::with_capacity(raw.len());
    for variant in raw {
        let language = variant.language.trim();
        let tag_ok = (2..=35).contains(&language.len())
            && language.split('-').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if !tag_ok {
            return Err(Error::invalid("variants", format!("`{language}` is not a language tag like `fr` or `pt-BR`")));
        }
        if variants.iter().any(|v| v.language.eq_ignore_ascii_case(language)) {
            return Err(Error::invalid("variants", format!("`{language}` is given twice")));
        }
        let body = input::text("variants", &variant.body, MAX_BODY_CHARS)?;
        variants.push(CannedVariant { language: language.to_owned(), body });
    }
    Ok(serde_json::to_string(&variants).expect("variants serialise"))
}

/// Shortcuts are typed after `/` in the composer: keep them to what needs no quoting.
fn parse_shortcut(raw: &str) -> Result<String> {
    let shortcut = raw.trim().trim_start_matches('/').to_owned();
    let valid = !shortcut.is_empty()
        && shortcut.chars().count() <= MAX_SHORTCUT_CHARS
        && shortcut.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid {
        Ok(shortcut)
    } else {
        Err(Error::invalid(
            "shortcut",
            format!("use 1 to {MAX_SHORTCUT_CHARS} lowercase letters, digits, `-` or `_` (like `refund-policy`)"),
        ))
    }
}

fn shortcut_taken(shortcut: &str) -> Error {
    Error::conflict("shortcut_taken", format!("a saved reply with the shortcut `/{shortcut}` already exists"))
}

pub async fn create(store: &Store, caller: &Caller, input: &NewCannedResponse) -> Result<CannedResponse> {
    caller.require_write()?;
    let created_at = now();
    let row = CannedRow {
        id: Uuid::now_v7(),
        shortcut: parse_shortcut(&input.shortcut)?,
        body: input::text("body", &input.body, MAX_BODY_CHARS)?,
        variants: parse_variants(input.variants.as_deref().unwrap_or_default())?,
        created_at,
        updated_at: created_at,
    };
    let inserted = on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO canned_responses (id, workspace_id, shortcut, body, variants, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(row.id)
        .bind(caller.workspace_id)
        .bind(&row.shortcut)
        .bind(&row.body)
        .bind(&row.variants)
        .bind(row.created_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    });
    match inserted {
        Err(err) if is_unique_violation(&err) => Err(shortcut_taken(&row.shortcut)),
        other => {
            other?;
            Ok(row.to_wire())
        }
    }
}

pub async fn list(store: &Store, workspace_id: Uuid, page: PageRequest) -> Result<Vec<CannedResponse>> {
    let rows: Vec<CannedRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT id, shortcut, body, variants, created_at, updated_at FROM canned_responses
             WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3",
        )
        .bind(workspace_id)
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.iter().map(CannedRow::to_wire).collect())
}

pub async fn update(
    store: &Store,
    caller: &Caller,
    id: Uuid,
    changes: &CannedResponseUpdate,
) -> Result<CannedResponse> {
    caller.require_write()?;
    let shortcut = changes.shortcut.as_deref().map(parse_shortcut).transpose()?;
    let body = changes.body.as_deref().map(|b| input::text("body", b, MAX_BODY_CHARS)).transpose()?;
    let variants = changes.variants.as_deref().map(parse_variants).transpose()?;
    let updated: std::result::Result<Option<CannedRow>, sqlx::Error> = on_pool!(store, |pool| {
        sqlx::query_as(
            "UPDATE canned_responses SET shortcut = COALESCE($3, shortcut), body = COALESCE($4, body),
                variants = COALESCE($6, variants), updated_at = $5
             WHERE workspace_id = $1 AND id = $2 RETURNING id, shortcut, body, variants, created_at, updated_at",
        )
        .bind(caller.workspace_id)
        .bind(id)
        .bind(&shortcut)
        .bind(&body)
        .bind(now())
        .bind(&variants)
        .fetch_optional(pool)
        .await
    });
    match updated {
        Err(err) if is_unique_violation(&err) => Err(shortcut_taken(shortcut.as_deref().unwrap_or_default())),
        Err(err) => Err(err.into()),
        Ok(row) => row.map(|row| row.to_wire()).ok_or(Error::NotFound("canned response")),
    }
}

pub async fn delete(store: &Store, caller: &Caller, id: Uuid) -> Result<()> {
    caller.require_write()?;
    let done = on_pool!(store, |pool| {
        sqlx::query("DELETE FROM canned_responses WHERE workspace_id = $1 AND id = $2")
            .bind(caller.workspace_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    if done == 0 { Err(Error::NotFound("canned response")) } else { Ok(()) }
}
