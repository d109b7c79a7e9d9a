//! Agents: the workspace's people. Created by sign-up (the owner), by admins (with a
//! password or as an invitation), never deleted — deactivated, so history keeps its authors.
//!
//! An address is unique within a workspace, not across them: one person may work in
//! several workspaces, each account with its own password, and signing up or adding an
//! agent answers the same whether or not the address has an account elsewhere (asking
//! must not tell anyone who uses Rapport). Sign-in tries the address's accounts in turn.

pub mod api;
pub mod picture;

use openapi::agents::{Agent, Role};
use uuid::Uuid;

use crate::{
    auth::{Caller, password, sessions, token},
    error::{Error, Result},
    input::{self, Email},
    on_pool, on_tx,
    pagination::PageRequest,
    store::{Millis, Store, StoredEnum, Tx, is_unique_violation, now},
};

pub const DEFAULT_CAPACITY: i32 = 5;

/// The most workspaces one address may have an account in. Sign-in checks the password
/// against each of the address's accounts, so this bounds its cost.
pub const MAX_ACCOUNTS_PER_ADDRESS: i64 = 5;

/// How long an invitation can be accepted.
pub const INVITATION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub capacity: i32,
    pub active: bool,
    pub created_at: Millis,
}

macro_rules! columns {
    () => {
        "id, workspace_id, name, email, password_hash, role, capacity, active, created_at"
    };
}

impl AgentRow {
    pub fn to_wire(&self) -> Result<Agent> {
        Ok(Agent {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: Role::from_db(&self.role)?,
            capacity: self.capacity,
            active: self.active,
            has_password: self.password_hash.is_some(),
            created_at: self.created_at.to_utc(),
        })
    }
}

/// A validated agent to store.
pub struct NewAgent {
    pub name: String,
    pub email: Email,
    pub role: Role,
    pub capacity: i32,
    /// `None` invites the agent instead.
    pub password_hash: Option<String>,
}

fn parse_capacity(capacity: i32) -> Result<i32> {
    if (1..=100).contains(&capacity) {
        Ok(capacity)
    } else {
        Err(Error::invalid("capacity", "must be between 1 and 100"))
    }
}

/// Inserts an agent inside `tx`. `invitation_hash` is the hash of the invitation token
/// when the agent is invited.
pub async fn insert(
    tx: &mut Tx,
    workspace_id: Uuid,
    new: NewAgent,
    invitation_hash: Option<String>,
) -> Result<AgentRow> {
    let row = AgentRow {
        id: Uuid::now_v7(),
        workspace_id,
        name: new.name,
        email: new.email.as_str().to_owned(),
        password_hash: new.password_hash,
        role: new.role.as_db().to_owned(),
        capacity: new.capacity,
        active: true,
        created_at: now(),
    };
    let accounts: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM agents WHERE email = $1").bind(&row.email).fetch_one(conn).await
    })?;
    if accounts >= MAX_ACCOUNTS_PER_ADDRESS {
        return Err(Error::conflict(
            "too_many_accounts",
            format!(
                "{} already has an account in {MAX_ACCOUNTS_PER_ADDRESS} workspaces, the most one address may have",
                row.email
            ),
        ));
    }
    let inserted = on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO agents (id, workspace_id, name, email, password_hash, invitation_hash, role, capacity, active, created_at, invitation_expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(row.id)
        .bind(row.workspace_id)
        .bind(&row.name)
        .bind(&row.email)
        .bind(&row.password_hash)
        .bind(&invitation_hash)
        .bind(&row.role)
        .bind(row.capacity)
        .bind(row.active)
        .bind(row.created_at)
        .bind(invitation_hash.as_ref().map(|_| row.created_at.plus(INVITATION_LIFETIME)))
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    });
    match inserted {
        Ok(_) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(Error::conflict(
            "email_taken",
            format!("an agent with email {} already exists in this workspace", row.email),
        )),
        Err(err) => Err(err.into()),
    }
}

/// Creates an agent on behalf of an admin; returns the invitation token when no password
/// was given.
pub async fn create(
    store: &Store,
    caller: &Caller,
    input: &openapi::agents::NewAgent,
) -> Result<(AgentRow, Option<String>)> {
    caller.require_admin()?;
    let role = input.role.unwrap_or(Role::Agent);
    if role == Role::Owner && !caller.is_owner() {
        return Err(Error::Forbidden("only an owner may create another owner".into()));
    }
    let password_hash = match &input.password {
        Some(p) => {
            password::check(p, &[&input.email, &input.name])?;
            Some(password::hash(p).await?)
        }
        None => None,
    };
    let invitation = password_hash.is_none().then(|| token::generate(token::TokenKind::Invitation));
    let new = NewAgent {
        name: input::name("name", &input.name, 100)?,
        email: Email::parse("email", &input.email)?,
        role,
        capacity: parse_capacity(input.capacity.unwrap_or(DEFAULT_CAPACITY))?,
        password_hash,
    };
    let mut tx = store.begin_write().await?;
    let row = insert(&mut tx, caller.workspace_id, new, invitation.as_deref().map(token::hash)).await?;
    tx.commit().await?;
    Ok((row, invitation))
}

pub async fn list(store: &Store, workspace_id: Uuid, page: PageRequest) -> Result<Vec<AgentRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM agents WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(workspace_id).bind(page.after).bind(page.fetch_limit()).fetch_all(pool).await
    })?)
}

pub async fn get(store: &Store, workspace_id: Uuid, id: Uuid) -> Result<AgentRow> {
    let sql = concat!("SELECT ", columns!(), " FROM agents WHERE workspace_id = $1 AND id = $2");
    let row = on_pool!(store, |pool| sqlx::query_as(sql).bind(workspace_id).bind(id).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("agent"))
}

/// The accounts of `email`, one per workspace it joined: the one signed into most
/// recently first, then the newest. At most [`MAX_ACCOUNTS_PER_ADDRESS`].
pub async fn accounts_of(store: &Store, email: &Email) -> Result<Vec<AgentRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM agents WHERE email = $1
         ORDER BY COALESCE((SELECT MAX(s.created_at) FROM sessions s WHERE s.agent_id = agents.id), 0) DESC,
                  created_at DESC, id"
    );
    Ok(on_pool!(store, |pool| sqlx::query_as(sql).bind(email.as_str()).fetch_all(pool).await)?)
}

/// Applies an admin's changes. The workspace always keeps an active owner, and only
/// owners touch owners.
pub async fn update(
    store: &Store,
    caller: &Caller,
    id: Uuid,
    changes: &openapi::agents::AgentUpdate,
) -> Result<AgentRow> {
    caller.require_admin()?;
    let name = changes.name.as_deref().map(|n| input::name("name", n, 100)).transpose()?;
    let capacity = changes.capacity.map(parse_capacity).transpose()?;
    let current = get(store, caller.workspace_id, id).await?;
    let current_role = Role::from_db(&current.role)?;
    // Only owners touch owners: an admin may not rename, demote or deactivate one, nor
    // make anyone an owner.
    let touches_owner = current_role == Role::Owner || changes.role == Some(Role::Owner);
    let changes_something =
        changes.name.is_some() || changes.role.is_some() || changes.active.is_some() || changes.capacity.is_some();
    if touches_owner && !caller.is_owner() && changes_something {
        return Err(Error::Forbidden("only an owner may change an owner".into()));
    }

    let mut tx = store.begin_write().await?;
    let loses_owner = current_role == Role::Owner
        && current.active
        && (changes.role.is_some_and(|r| r != Role::Owner) || changes.active == Some(false));
    if loses_owner {
        let other_owners: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM agents WHERE workspace_id = $1 AND role = 'owner' AND active = $2 AND id <> $3",
            )
            .bind(caller.workspace_id)
            .bind(true)
            .bind(id)
            .fetch_one(conn)
            .await
        })?;
        if other_owners == 0 {
            return Err(Error::conflict("last_owner", "the workspace must keep at least one active owner"));
        }
    }
    let sql = concat!(
        "UPDATE agents SET name = COALESCE($3, name), role = COALESCE($4, role),
                capacity = COALESCE($5, capacity), active = COALESCE($6, active)
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let row: AgentRow = on_tx!(&mut tx, |conn| {
        sqlx::query_as(sql)
            .bind(caller.workspace_id)
            .bind(id)
            .bind(name)
            .bind(changes.role.map(|r| r.as_db()))
            .bind(capacity)
            .bind(changes.active)
            .fetch_one(conn)
            .await
    })?;
    tx.commit().await?;
    if changes.active == Some(false) {
        sessions::delete_all_for_agent(store, caller.workspace_id, id).await?;
    }
    Ok(row)
}

/// Sets the password of an invited agent, consuming the invitation. The invitation must be
/// unused and less than [`INVITATION_LIFETIME`] old; the password must pass the policy
/// (checked against the agent's own name and email).
pub async fn accept_invitation(store: &Store, invitation: &str, new_password: &str) -> Result<AgentRow> {
    password::validate(new_password)?;
    let invitation_hash = token::hash(invitation);
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM agents WHERE invitation_hash = $1 AND active = $2 AND (invitation_expires_at IS NULL OR invitation_expires_at > $3)"
    );
    let invited: Option<AgentRow> = on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(&invitation_hash).bind(true).bind(now()).fetch_optional(pool).await
    })?;
    let invited = invited.ok_or_else(|| Error::Unauthorized("unknown, expired or already used invitation".into()))?;
    password::check(new_password, &[&invited.email, &invited.name])?;
    let hash = password::hash(new_password).await?;
    // The invitation is consumed in the same statement that uses it: accepted once.
    let sql = concat!(
        "UPDATE agents SET password_hash = $1, invitation_hash = NULL, invitation_expires_at = NULL
         WHERE id = $2 AND invitation_hash = $3 RETURNING ",
        columns!()
    );
    let row: Option<AgentRow> = on_pool!(store, |pool| {
        sqlx::query_as(sql).bind(&hash).bind(invited.id).bind(&invitation_hash).fetch_optional(pool).await
    })?;
    row.ok_or_else(|| Error::Unauthorized("unknown, expired or already used invitation".into()))
}

/// Replaces an agent's password hash (a change or a reset), inside `tx`: the caller ends
/// sessions in the same transaction.
pub async fn set_password(tx: &mut Tx, workspace_id: Uuid, agent_id: Uuid, hash: &str) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE agents SET password_hash = $1, invitation_hash = NULL, invitation_expires_at = NULL
             WHERE id = $2 AND workspace_id = $3",
        )
        .bind(hash)
        .bind(agent_id)
        .bind(workspace_id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}
