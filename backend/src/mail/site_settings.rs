//! Per-site mail settings: the sender visitors see, where offline messages are announced,
//! and whether resolving a conversation mails the visitor a transcript.

use openapi::mail::{SiteMailSettings, SiteMailSettingsUpdate};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::{Error, Result},
    input, on_pool, on_tx,
    store::{Store, Tx, now},
};

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct SiteMailRow {
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub notify_email: Option<String>,
    pub transcript_on_resolve: bool,
}

impl SiteMailRow {
    pub fn to_wire(&self) -> SiteMailSettings {
        SiteMailSettings {
            from_name: self.from_name.clone(),
            from_address: self.from_address.clone(),
            notify_email: self.notify_email.clone(),
            transcript_on_resolve: self.transcript_on_resolve,
        }
    }
}

const SELECT: &str = "SELECT from_name, from_address, notify_email, transcript_on_resolve FROM site_mail_settings WHERE workspace_id = $1 AND site_id = $2";

/// A site's settings (defaults when never set).
pub async fn get(store: &Store, workspace_id: Uuid, site_id: Uuid) -> Result<SiteMailRow> {
    let row: Option<SiteMailRow> =
        on_pool!(store, |pool| sqlx::query_as(SELECT).bind(workspace_id).bind(site_id).fetch_optional(pool).await)?;
    Ok(row.unwrap_or_default())
}

/// [`get`] inside a transaction.
pub async fn get_in(tx: &mut Tx, workspace_id: Uuid, site_id: Uuid) -> Result<SiteMailRow> {
    let row: Option<SiteMailRow> =
        on_tx!(tx, |conn| sqlx::query_as(SELECT).bind(workspace_id).bind(site_id).fetch_optional(conn).await)?;
    Ok(row.unwrap_or_default())
}

/// Owners and admins change a site's mail settings.
pub async fn update(
    store: &Store,
    caller: &Caller,
    site_id: Uuid,
    changes: &SiteMailSettingsUpdate,
) -> Result<SiteMailRow> {
    caller.require_admin()?;
    crate::sites::get(store, caller.workspace_id, site_id).await?;
    let mut row = get(store, caller.workspace_id, site_id).await?;
    if changes.clear_addresses == Some(true) {
        row.from_name = None;
        row.from_address = None;
        row.notify_email = None;
    }
    if let Some(name) = &changes.from_name {
        let name = input::name("from_name", name, 100)?;
        if name.contains(['<', '>', '"', '\\']) {
            return Err(Error::invalid("from_name", "must not contain < > \" or \\"));
        }
        row.from_name = Some(name);
    }
    if let Some(address) = &changes.from_address {
        row.from_address = Some(super::parse_address("from_address", address)?);
    }
    if let Some(address) = &changes.notify_email {
        row.notify_email = Some(super::parse_address("notify_email", address)?);
    }
    if let Some(on) = changes.transcript_on_resolve {
        row.transcript_on_resolve = on;
    }
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO site_mail_settings (site_id, workspace_id, from_name, from_address, notify_email, transcript_on_resolve, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (site_id) DO UPDATE SET from_name = excluded.from_name, from_address = excluded.from_address,
                notify_email = excluded.notify_email, transcript_on_resolve = excluded.transcript_on_resolve,
                updated_at = excluded.updated_at",
        )
        .bind(site_id)
        .bind(caller.workspace_id)
        .bind(&row.from_name)
        .bind(&row.from_address)
        .bind(&row.notify_email)
        .bind(row.transcript_on_resolve)
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(row)
}
