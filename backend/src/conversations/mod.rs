//! Conversations: created by a visitor's first message, worked by agents (status,
//! assignee, team, priority), numbered by `last_seq` as messages arrive.

pub mod api;
pub mod assignment;
pub mod batch;
pub mod feed;
pub mod labels;
pub mod search;

use openapi::{
    conversations::{Conversation, ConversationStatus, ConversationUpdate, Priority},
    realtime::ConversationChange,
};
use uuid::Uuid;

use crate::{
    auth::Caller,
    changes::Change,
    error::{Error, Result},
    on_pool, on_tx,
    pagination::PageRequest,
    store::{Millis, Store, StoredEnum, Tx, is_foreign_key_violation, now},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub site_id: Uuid,
    pub visitor_id: Uuid,
    pub status: String,
    pub priority: String,
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub last_seq: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub first_response_at: Option<Millis>,
    pub resolved_at: Option<Millis>,
    pub snoozed_until: Option<Millis>,
    /// When it last started waiting for an agent; `None` unless open and unassigned.
    pub queued_at: Option<Millis>,
    pub first_assigned_at: Option<Millis>,
    /// JSON array of strings.
    pub labels: String,
    /// The workspace feed position of its latest change (see [`feed`]).
    pub feed_seq: i64,
}

macro_rules! columns {
    () => {
        "id, workspace_id, site_id, visitor_id, status, priority, assignee_id, team_id, last_seq, \
     created_at, updated_at, first_response_at, resolved_at, snoozed_until, queued_at, first_assigned_at, labels, \
     feed_seq"
    };
}
pub(crate) use columns;

/// The most labels a conversation carries, and the longest label.
const MAX_LABELS: usize = 20;
pub const MAX_LABEL_CHARS: usize = 40;

impl ConversationRow {
    pub fn to_wire(&self) -> Result<Conversation> {
        Ok(Conversation {
            id: self.id,
            site_id: self.site_id,
            visitor_id: self.visitor_id,
            status: ConversationStatus::from_db(&self.status)?,
            priority: Priority::from_db(&self.priority)?,
            assignee_id: self.assignee_id,
            team_id: self.team_id,
            last_seq: self.last_seq,
            created_at: self.created_at.to_utc(),
            updated_at: self.updated_at.to_utc(),
            first_response_at: self.first_response_at.map(Millis::to_utc),
            resolved_at: self.resolved_at.map(Millis::to_utc),
            snoozed_until: self.snoozed_until.map(Millis::to_utc),
            labels: serde_json::from_str(&self.labels).unwrap_or_default(),
            feed_seq: self.feed_seq,
            last_message: None,
            // Joined by the callers that show it (ratings::attach).
            rating: None,
        })
    }

    /// The conversation as its visitor sees it: without the team's labels and feed.
    pub fn to_visitor_wire(&self) -> Result<Conversation> {
        Ok(for_visitor(self.to_wire()?))
    }
}

/// Trimmed, de-duplicated labels, as stored.
fn parse_labels(raw: &[String]) -> Result<String> {
    if raw.len() > MAX_LABELS {
        return Err(Error::invalid("labels", format!("at most {MAX_LABELS} labels")));
    }
    let mut labels = Vec::with_capacity(raw.len());
    for label in raw {
        let label = crate::input::name("labels", label, MAX_LABEL_CHARS)?;
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    Ok(serde_json::to_string(&labels).expect("strings serialise"))
}

/// Which conversations a list returns.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub status: Option<ConversationStatus>,
    pub assignee_id: Option<Uuid>,
    /// Only conversations nobody is assigned to.
    pub unassigned: bool,
    pub site_id: Option<Uuid>,
    pub visitor_id: Option<Uuid>,
    /// Matches the visitor's name or email, or any message's text (case-insensitive).
    pub text: Option<String>,
    pub team_id: Option<Uuid>,
    pub priority: Option<Priority>,
    /// Carries this label (case-insensitive for ASCII letters).
    pub label: Option<String>,
}

/// The longest search text.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A `LIKE` pattern matching `text` anywhere, with its own `%`, `_` and `\` taken literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A `LIKE` pattern matching one label inside the stored JSON array of labels.
pub(crate) fn label_pattern(label: &str) -> String {
    let quoted = serde_json::to_string(label.trim()).expect("strings serialise");
    contains_pattern(&quoted)
}

/// Conversations newest first.
pub async fn list(
    store: &Store,
    workspace_id: Uuid,
    filter: &Filter,
    page: PageRequest,
) -> Result<Vec<ConversationRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM conversations
         WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2)
           AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR assignee_id = $4)
           AND ($5 = FALSE OR assignee_id IS NULL) AND ($6 IS NULL OR site_id = $6)
           AND ($7 IS NULL OR visitor_id = $7)
           AND ($9 IS NULL
                OR EXISTS (SELECT 1 FROM visitors v WHERE v.id = conversations.visitor_id
                           AND (LOWER(COALESCE(v.name, '')) LIKE $9 ESCAPE '\\'
                                OR LOWER(COALESCE(v.email, '')) LIKE $9 ESCAPE '\\'))
                OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id
                           AND LOWER(m.body) LIKE $9 ESCAPE '\\'))
           AND ($10 IS NULL OR team_id = $10) AND ($11 IS NULL OR priority = $11)
           AND ($12 IS NULL OR LOWER(labels) LIKE $12 ESCAPE '\\')
         ORDER BY id DESC LIMIT $8"
    );
    Ok(on_pool!(store, |pool| {
        sqlx::query_as(sql)
            .bind(workspace_id)
            .bind(page.after)
            .bind(filter.status.map(|s| s.as_db()))
            .bind(filter.assignee_id)
            .bind(filter.unassigned)
            .bind(filter.site_id)
            .bind(filter.visitor_id)
            .bind(page.fetch_limit())
            .bind(filter.text.as_deref().map(contains_pattern))
            .bind(filter.team_id)
            .bind(filter.priority.map(|p| p.as_db()))
            .bind(filter.label.as_deref().map(label_pattern))
            .fetch_all(pool)
            .await
    })?)
}

pub async fn get(store: &Store, workspace_id: Uuid, id: Uuid) -> Result<ConversationRow> {
    let sql = concat!("SELECT ", columns!(), " FROM conversations WHERE workspace_id = $1 AND id = $2");
    let row = on_pool!(store, |pool| sqlx::query_as(sql).bind(workspace_id).bind(id).fetch_optional(pool).await)?;
    row.ok_or(Error::NotFound("conversation"))
}

/// A visitor's own conversation; another visitor's is "not found", never "forbidden".
pub async fn get_for_visitor(store: &Store, workspace_id: Uuid, visitor_id: Uuid, id: Uuid) -> Result<ConversationRow> {
    let row = get(store, workspace_id, id).await?;
    if row.visitor_id == visitor_id { Ok(row) } else { Err(Error::NotFound("conversation")) }
}

/// What a visitor may see of a conversation: not the team's labels, not the team's feed
/// position, not a preview (it may be an internal note).
pub fn for_visitor(conversation: Conversation) -> Conversation {
    Conversation { labels: Vec::new(), feed_seq: 0, last_message: None, ..conversation }
}

/// Records that `row` changed in `tx`, for the dispatcher to announce once it commits.
pub fn record_change(tx: &mut Tx, change: ConversationChange, row: &ConversationRow) -> Result<()> {
    tx.record(Change::ConversationChanged { workspace_id: row.workspace_id, change, conversation: row.to_wire()? });
    Ok(())
}

/// What kind of change turned `before` into `after`, as announced to clients.
pub fn change_between(before: &ConversationRow, after: &ConversationRow) -> ConversationChange {
    if before.assignee_id != after.assignee_id {
        ConversationChange::Assigned
    } else if before.status != after.status {
        ConversationChange::StatusChanged
    } else {
        ConversationChange::Updated
    }
}

/// Inserts a new open conversation inside `tx`.
pub async fn insert(tx: &mut Tx, workspace_id: Uuid, site_id: Uuid, visitor_id: Uuid) -> Result<ConversationRow> {
    let created_at = now();
    let row = ConversationRow {
        id: Uuid::now_v7(),
        workspace_id,
        site_id,
        visitor_id,
        status: ConversationStatus::Open.as_db().into(),
        priority: Priority::Normal.as_db().into(),
        assignee_id: None,
        team_id: None,
        last_seq: 0,
        created_at,
        updated_at: created_at,
        first_response_at: None,
        resolved_at: None,
        snoozed_until: None,
        // A new conversation waits for an agent from the moment it exists.
        queued_at: Some(created_at),
        first_assigned_at: None,
        labels: "[]".into(),
        // Enters the feed with its first message, stored next in the same transaction.
        feed_seq: 0,
    };
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO conversations (id, workspace_id, site_id, visitor_id, status, priority, last_seq, created_at, updated_at, queued_at, feed_seq)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7, $7, $8)",
        )
        .bind(row.id)
        .bind(workspace_id)
        .bind(site_id)
        .bind(visitor_id)
        .bind(&row.status)
        .bind(&row.priority)
        .bind(created_at)
        .bind(row.feed_seq)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    crate::webhooks::conversation_created(tx, &row).await?;
    // Agents whose console is closed are alerted by push.
    crate::push::conversation_created(tx, &row).await?;
    Ok(row)
}

/// The agent and team a conversation is about to be given to are this workspace's (and
/// the agent active).
async fn check_targets(store: &Store, workspace_id: Uuid, agent_id: Option<Uuid>, team_id: Option<Uuid>) -> Result<()> {
    if let Some(agent_id) = agent_id {
        let agent = crate::agents::get(store, workspace_id, agent_id)
            .await
            .map_err(|_| Error::invalid("assignee_id", "is not an agent of this workspace"))?;
        if !agent.active {
            return Err(Error::invalid("assignee_id", "this agent is deactivated"));
        }
    }
    if let Some(team_id) = team_id {
        crate::teams::get(store, workspace_id, team_id).await.map_err(|_| assignment::team_gone())?;
    }
    Ok(())
}

/// Applies an agent's or integration's changes.
pub async fn update(store: &Store, caller: &Caller, id: Uuid, changes: &ConversationUpdate) -> Result<ConversationRow> {
    caller.require_write()?;
    let workspace_id = caller.workspace_id;
    if changes.status == Some(ConversationStatus::Snoozed) && changes.snoozed_until.is_none() {
        return Err(Error::invalid("snoozed_until", "is required when snoozing"));
    }
    if changes.snoozed_until.is_some_and(|until| until <= chrono::Utc::now()) {
        return Err(Error::invalid("snoozed_until", "must be in the future"));
    }
    // A wake-up time alone means "snooze until then" (or move the wake-up of a snoozed one).
    let status = match (changes.status, changes.snoozed_until) {
        (None, Some(_)) => Some(ConversationStatus::Snoozed),
        (Some(status), Some(_)) if status != ConversationStatus::Snoozed => {
            return Err(Error::invalid("snoozed_until", "goes only with status `snoozed`"));
        }
        (status, _) => status,
    };
    let assignee = if changes.unassign == Some(true) { None } else { changes.assignee_id };
    let team = changes.team_id.filter(|_| changes.clear_team != Some(true));
    check_targets(store, workspace_id, assignee, team).await?;

    let labels = changes.labels.as_deref().map(parse_labels).transpose()?;

    let now = now();
    let resolved_at = (status == Some(ConversationStatus::Resolved)).then_some(now);
    let status = status.map(|s| s.as_db());
    // Snoozing sets the wake-up time; any other status clears it.
    let snoozed_until = changes.snoozed_until.map(Millis::from);
    // Right-hand sides see the row as it was: $3/$5/$6 give the new status and assignee,
    // from which the queue clock (`queued_at`) keeps running, starts, or stops.
    let sql = concat!(
        "UPDATE conversations SET
            queued_at = CASE WHEN (CASE WHEN $5 THEN NULL ELSE COALESCE($6, assignee_id) END) IS NULL
                              AND COALESCE($3, status) = 'open'
                             THEN COALESCE(queued_at, $11) ELSE NULL END,
            first_assigned_at = CASE WHEN first_assigned_at IS NULL AND NOT $5 AND $6 IS NOT NULL
                                     THEN $11 ELSE first_assigned_at END,
            labels = COALESCE($12, labels),
            status = COALESCE($3, status),
            priority = COALESCE($4, priority),
            assignee_id = CASE WHEN $5 THEN NULL ELSE COALESCE($6, assignee_id) END,
            team_id = CASE WHEN $7 THEN NULL ELSE COALESCE($8, team_id) END,
            resolved_at = CASE WHEN $3 = 'resolved' THEN $9 ELSE resolved_at END,
            snoozed_until = CASE WHEN $3 IS NULL THEN snoozed_until WHEN $3 = 'snoozed' THEN $10 ELSE NULL END,
            updated_at = $11
         WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let mut tx = store.begin_write().await?;
    // Lock the row and read what it was, to tell what this change starts: mail to a newly
    // assigned agent or a transcript on resolve (mail::flows), and webhooks for what
    // really changed.
    let lock = concat!(
        "UPDATE conversations SET updated_at = updated_at WHERE workspace_id = $1 AND id = $2 RETURNING ",
        columns!()
    );
    let before: Option<ConversationRow> =
        on_tx!(&mut tx, |conn| sqlx::query_as(lock).bind(workspace_id).bind(id).fetch_optional(conn).await)?;
    let before = before.ok_or(Error::NotFound("conversation"))?;
    let row: Result<ConversationRow, sqlx::Error> = on_tx!(&mut tx, |conn| {
        sqlx::query_as(sql)
            .bind(workspace_id)
            .bind(id)
            .bind(status)
            .bind(changes.priority.map(|p| p.as_db()))
            .bind(changes.unassign == Some(true))
            .bind(assignee)
            .bind(changes.clear_team == Some(true))
            .bind(changes.team_id)
            .bind(resolved_at)
            .bind(snoozed_until)
            .bind(now)
            .bind(labels.as_deref())
            .fetch_one(conn)
            .await
    });
    let row = match row {
        // The agent or team checked above was deleted since: say which.
        Err(err) if is_foreign_key_violation(&err) => {
            drop(tx);
            check_targets(store, workspace_id, assignee, team).await?;
            return Err(err.into());
        }
        row => row?,
    };
    if row.assignee_id.is_some() && row.assignee_id != before.assignee_id {
        crate::mail::flows::conversation_assigned(&mut tx, &row).await?;
    }
    if row.status == ConversationStatus::Resolved.as_db() && before.status != row.status {
        crate::mail::flows::conversation_resolved(&mut tx, &row).await?;
        // The agents report credits whoever resolved it.
        crate::reports::handlers::resolved(&mut tx, &row, caller).await?;
    }
    crate::webhooks::conversation_updated(&mut tx, &before, &row).await?;
    let row = feed::advance(&mut tx, row).await?;
    record_change(&mut tx, change_between(&before, &row), &row)?;
    tx.commit().await?;
    Ok(row)
}
