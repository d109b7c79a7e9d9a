//! Labels: the workspace's own tags, each with a colour. Conversations carry label names
//! (see `conversations`); a label here is what the console suggests and colours, and
//! renaming, merging or deleting it changes every conversation that carries it, through
//! [`crate::conversations::labels`] (the conversations module owns that table).
//!
//! Any agent may create a label (the console does when one types a new name); renaming,
//! recolouring, merging and deleting are for owners and admins.

pub mod api;

use openapi::labels::{Label, LabelUpdate, NewLabel};
use uuid::Uuid;

use crate::{
    auth::Caller,
    conversations,
    error::{Error, Result},
    input, on_pool, on_tx,
    store::{Millis, Store, is_unique_violation, now},
};

/// The longest label, as on conversations.
pub const MAX_NAME_CHARS: usize = conversations::MAX_LABEL_CHARS;

/// Colours a new label gets from its name when none is given: distinct, and each legible
/// with black or white text.
const PALETTE: [&str; 10] =
    ["#2563eb", "#0e7490", "#15803d", "#a16207", "#c2410c", "#be123c", "#7c3aed", "#4f46e5", "#0f766e", "#9333ea"];

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LabelRow {
    pub id: Uuid,
    pub name: String,
    pub color: String,
    pub created_at: Millis,
}

/// The key names are unique by: case does not make a new label.
fn key(name: &str) -> String {
    name.to_lowercase()
}

fn color_for(name: &str) -> String {
    let sum = name.bytes().fold(0usize, |acc, b| acc.wrapping_mul(31).wrapping_add(usize::from(b)));
    PALETTE[sum % PALETTE.len()].to_owned()
}

fn name_taken(name: &str) -> Error {
    Error::conflict("label_taken", format!("a label named `{name}` already exists"))
}

impl LabelRow {
    async fn to_wire(&self, store: &Store, workspace_id: Uuid) -> Result<Label> {
        Ok(Label {
            id: self.id,
            name: self.name.clone(),
            color: self.color.clone(),
            conversations: conversations::labels::count(store, workspace_id, &self.name).await?,
            created_at: self.created_at.to_utc(),
        })
    }
}

/// The workspace's labels by name, each with how many conversations carry it.
pub async fn list(store: &Store, workspace_id: Uuid) -> Result<Vec<Label>> {
    let rows: Vec<LabelRow> = on_pool!(store, |pool| {
        sqlx::query_as("SELECT id, name, color, created_at FROM labels WHERE workspace_id = $1 ORDER BY name_key, id")
            .bind(workspace_id)
            .fetch_all(pool)
            .await
    })?;
    let mut labels = Vec::with_capacity(rows.len());
    for row in rows {
        labels.push(row.to_wire(store, workspace_id).await?);
    }
    Ok(labels)
}

async fn get(store: &Store, workspace_id: Uuid, id: Uuid) -> Result<LabelRow> {
    let row: Option<LabelRow> = on_pool!(store, |pool| {
        sqlx::query_as("SELECT id, name, color, created_at FROM labels WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    row.ok_or(Error::NotFound("label"))
}

pub async fn create(store: &Store, caller: &Caller, new: &NewLabel) -> Result<Label> {
    caller.require_write()?;
    let name = input::name("name", &new.name, MAX_NAME_CHARS)?;
    let color = match new.color.as_deref() {
        Some(color) => input::color("color", color)?,
        None => color_for(&key(&name)),
    };
    let row = LabelRow { id: Uuid::now_v7(), name, color, created_at: now() };
    let inserted = on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO labels (id, workspace_id, name, name_key, color, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(row.id)
        .bind(caller.workspace_id)
        .bind(&row.name)
        .bind(key(&row.name))
        .bind(&row.color)
        .bind(row.created_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    });
    match inserted {
        Err(err) if is_unique_violation(&err) => Err(name_taken(&row.name)),
        other => {
            other?;
            row.to_wire(store, caller.workspace_id).await
        }
    }
}

/// What a change did to conversations: their ids, to tell the consoles.
pub type Touched = Vec<Uuid>;

/// Renames and/or recolours; a new name goes onto every conversation with the old one.
pub async fn update(store: &Store, caller: &Caller, id: Uuid, changes: &LabelUpdate) -> Result<(Label, Touched)> {
    caller.require_admin()?;
    let name = changes.name.as_deref().map(|n| input::name("name", n, MAX_NAME_CHARS)).transpose()?;
    let color = changes.color.as_deref().map(|c| input::color("color", c)).transpose()?;
    let before = get(store, caller.workspace_id, id).await?;
    let mut tx = store.begin_write().await?;
    let updated = on_tx!(&mut tx, |conn| {
        sqlx::query(
            "UPDATE labels SET name = COALESCE($3, name), name_key = COALESCE($4, name_key), color = COALESCE($5, color)
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(caller.workspace_id)
        .bind(id)
        .bind(&name)
        .bind(name.as_deref().map(key))
        .bind(&color)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    });
    match updated {
        Err(err) if is_unique_violation(&err) => return Err(name_taken(name.as_deref().unwrap_or_default())),
        other => other?,
    };
    let touched = match &name {
        Some(name) if *name != before.name => {
            conversations::labels::replace(&mut tx, caller.workspace_id, &before.name, Some(name)).await?
        }
        _ => Vec::new(),
    };
    tx.commit().await?;
    let row = get(store, caller.workspace_id, id).await?;
    Ok((row.to_wire(store, caller.workspace_id).await?, touched))
}

/// Every conversation with `id` carries `into` instead; `id` is deleted.
pub async fn merge(store: &Store, caller: &Caller, id: Uuid, into: Uuid) -> Result<(Label, Touched)> {
    caller.require_admin()?;
    if id == into {
        return Err(Error::invalid("into_label_id", "is the label being merged"));
    }
    let from = get(store, caller.workspace_id, id).await?;
    let target = get(store, caller.workspace_id, into)
        .await
        .map_err(|_| Error::invalid("into_label_id", "is not a label of this workspace"))?;
    let mut tx = store.begin_write().await?;
    let touched = conversations::labels::replace(&mut tx, caller.workspace_id, &from.name, Some(&target.name)).await?;
    delete_row(&mut tx, caller.workspace_id, id).await?;
    tx.commit().await?;
    Ok((target.to_wire(store, caller.workspace_id).await?, touched))
}

/// Deletes the label and takes it off every conversation.
pub async fn delete(store: &Store, caller: &Caller, id: Uuid) -> Result<Touched> {
    caller.require_admin()?;
    let label = get(store, caller.workspace_id, id).await?;
    let mut tx = store.begin_write().await?;
    let touched = conversations::labels::replace(&mut tx, caller.workspace_id, &label.name, None).await?;
    delete_row(&mut tx, caller.workspace_id, id).await?;
    tx.commit().await?;
    Ok(touched)
}

async fn delete_row(tx: &mut crate::store::Tx, workspace_id: Uuid, id: Uuid) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM labels WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labels_colour_follows_its_name() {
        assert_eq!(color_for("billing"), color_for("billing"));
        assert!(PALETTE.contains(&color_for("vip").as_str()));
    }
}
