//! Web Push: an agent whose console is closed is alerted, on their phone or desktop, of a
//! new conversation or of a conversation assigned to them — who and what ("New
//! conversation: Jane Doe" — "Where is my order?").
//!
//! - [`vapid`]: the deployment's key pair and the signed JWT of each request (RFC 8292).
//! - [`encrypt`]: payload encryption for the subscribing browser (RFC 8291, `aes128gcm`).
//! - [`worker`]: every node's sender: claims outbox rows, picks the recipients (agents who
//!   want the alert and have no console open), encrypts, signs, posts, retries.
//! - [`api`]: the VAPID key, the agent's subscriptions and preferences.
//! - here: storage, and the outbox rows written in the cause's transaction
//!   ([`conversation_created`], [`conversation_assigned`]).

pub mod api;
pub mod encrypt;
pub mod vapid;
pub mod worker;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use openapi::push::{NewPushSubscription, NotificationPreferences, PushSubscription};
use uuid::Uuid;

use crate::{
    auth::Caller,
    conversations::ConversationRow,
    error::{Error, Result},
    on_pool, on_tx,
    store::{Millis, Store, Tx, now},
};

/// Browsers one agent may register (phones, laptops…).
const MAX_SUBSCRIPTIONS_PER_AGENT: i64 = 10;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub agent_id: Uuid,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub created_at: Millis,
}

impl SubscriptionRow {
    fn to_wire(&self) -> PushSubscription {
        PushSubscription { id: self.id, endpoint: self.endpoint.clone(), created_at: self.created_at.to_utc() }
    }
}

fn decode(field: &'static str, text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|_| Error::invalid(field, "must be base64url, as PushSubscription.toJSON() gives it"))
}

/// Registers (or refreshes) a browser of the signed-in agent.
pub async fn subscribe(
    store: &Store,
    caller: &Caller,
    new: &NewPushSubscription,
    allow_private: bool,
) -> Result<PushSubscription> {
    let agent_id = caller.agent_id()?;
    let endpoint = crate::webhooks::target::parse(&new.endpoint).map_err(|why| Error::invalid("endpoint", why))?;
    if endpoint.scheme() != "https" && !allow_private {
        return Err(Error::invalid("endpoint", "must be an https:// URL of a push service"));
    }
    crate::webhooks::target::resolve(&endpoint, allow_private).await.map_err(|why| Error::invalid("endpoint", why))?;
    let (p256dh, auth) = (decode("keys.p256dh", &new.keys.p256dh)?, decode("keys.auth", &new.keys.auth)?);
    encrypt::Receiver::parse(&p256dh, &auth).map_err(|why| Error::invalid("keys", why.0))?;
    let held: i64 = on_pool!(store, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions WHERE agent_id = $1 AND endpoint <> $2")
            .bind(agent_id)
            .bind(endpoint.as_str())
            .fetch_one(pool)
            .await
    })?;
    if held >= MAX_SUBSCRIPTIONS_PER_AGENT {
        return Err(Error::conflict(
            "too_many_subscriptions",
            format!("at most {MAX_SUBSCRIPTIONS_PER_AGENT} browsers per agent; remove one first"),
        ));
    }
    // The same browser subscribing again (or for another agent after a sign-in) replaces
    // its earlier registration.
    let row: SubscriptionRow = on_pool!(store, |pool| {
        sqlx::query_as(
            "INSERT INTO push_subscriptions (id, workspace_id, agent_id, endpoint, p256dh, auth, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (endpoint) DO UPDATE SET workspace_id = excluded.workspace_id, agent_id = excluded.agent_id,
                p256dh = excluded.p256dh, auth = excluded.auth
             RETURNING id, agent_id, endpoint, p256dh, auth, created_at",
        )
        .bind(Uuid::now_v7())
        .bind(caller.workspace_id)
        .bind(agent_id)
        .bind(endpoint.as_str())
        .bind(URL_SAFE_NO_PAD.encode(&p256dh))
        .bind(URL_SAFE_NO_PAD.encode(&auth))
        .bind(now())
        .fetch_one(pool)
        .await
    })?;
    Ok(row.to_wire())
}

pub async fn subscriptions(store: &Store, caller: &Caller) -> Result<Vec<PushSubscription>> {
    let agent_id = caller.agent_id()?;
    let rows: Vec<SubscriptionRow> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT id, agent_id, endpoint, p256dh, auth, created_at FROM push_subscriptions
             WHERE agent_id = $1 AND workspace_id = $2 ORDER BY id",
        )
        .bind(agent_id)
        .bind(caller.workspace_id)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.iter().map(SubscriptionRow::to_wire).collect())
}

/// Removes one of the agent's own browsers (another's is "not found").
pub async fn unsubscribe(store: &Store, caller: &Caller, id: Uuid) -> Result<()> {
    let agent_id = caller.agent_id()?;
    let done = on_pool!(store, |pool| {
        sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND agent_id = $2")
            .bind(id)
            .bind(agent_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    if done == 0 { Err(Error::NotFound("push subscription")) } else { Ok(()) }
}

/// An agent's preferences (every alert until they choose).
pub async fn preferences(store: &Store, agent_id: Uuid) -> Result<NotificationPreferences> {
    let row: Option<(bool, bool)> = on_pool!(store, |pool| {
        sqlx::query_as("SELECT new_conversations, assigned FROM push_preferences WHERE agent_id = $1")
            .bind(agent_id)
            .fetch_optional(pool)
            .await
    })?;
    let (new_conversations, assigned) = row.unwrap_or((true, true));
    Ok(NotificationPreferences { new_conversations, assigned })
}

pub async fn set_preferences(
    store: &Store,
    caller: &Caller,
    preferences: &NotificationPreferences,
) -> Result<NotificationPreferences> {
    let agent_id = caller.agent_id()?;
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO push_preferences (agent_id, workspace_id, new_conversations, assigned, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (agent_id) DO UPDATE SET new_conversations = excluded.new_conversations,
                assigned = excluded.assigned, updated_at = excluded.updated_at",
        )
        .bind(agent_id)
        .bind(caller.workspace_id)
        .bind(preferences.new_conversations)
        .bind(preferences.assigned)
        .bind(now())
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    self::preferences(store, agent_id).await
}

async fn enqueue(tx: &mut Tx, conversation: &ConversationRow, kind: &str, agent_id: Option<Uuid>) -> Result<()> {
    let at = now();
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO push_outbox (id, workspace_id, kind, conversation_id, agent_id, state, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(conversation.workspace_id)
        .bind(kind)
        .bind(conversation.id)
        .bind(agent_id)
        .bind(at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// A visitor started a conversation: agents who want it are alerted.
pub async fn conversation_created(tx: &mut Tx, conversation: &ConversationRow) -> Result<()> {
    enqueue(tx, conversation, "new_conversation", None).await
}

/// A conversation was assigned: its agent is alerted (if they want it).
pub async fn conversation_assigned(tx: &mut Tx, conversation: &ConversationRow) -> Result<()> {
    match conversation.assignee_id {
        Some(agent) => enqueue(tx, conversation, "assigned", Some(agent)).await,
        None => Ok(()),
    }
}
