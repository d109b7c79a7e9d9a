//! Conversation ratings: the visitor's verdict on a conversation, 1 (bad) to 5 (great).
//! One per conversation; rating again replaces it. Announced as `rating.submitted`, and
//! to the team's consoles as an `updated` conversation frame carrying the rating.
//! [`attach`] puts ratings on conversations the REST API returns.

pub mod api;

use std::collections::HashMap;

use openapi::{
    conversations::Conversation,
    ratings::{NewRating, Rating},
    realtime::ConversationChange,
};
use uuid::Uuid;

use crate::{
    auth::VisitorCaller,
    conversations,
    error::{Error, Result},
    on_pool, on_tx,
    store::{Millis, Store, now},
};

/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

#[derive(Debug, sqlx::FromRow)]
struct RatingRow {
    conversation_id: Uuid,
    score: i64,
    comment: Option<String>,
    created_at: Millis,
    updated_at: Millis,
}

impl RatingRow {
    fn to_wire(&self) -> Result<Rating> {
        Ok(Rating {
            conversation_id: self.conversation_id,
            score: u8::try_from(self.score).map_err(|_| Error::Internal("a stored score out of range".into()))?,
            comment: self.comment.clone(),
            created_at: self.created_at.to_utc(),
            updated_at: self.updated_at.to_utc(),
        })
    }
}

/// Puts each conversation's rating on it (one query for all of them).
pub async fn attach(store: &Store, workspace_id: Uuid, conversations: &mut [Conversation]) -> Result<()> {
    if conversations.is_empty() {
        return Ok(());
    }
    // Numbered placeholders only; the ids are bound.
    let placeholders: Vec<String> = (0..conversations.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT conversation_id, score, comment, created_at, updated_at FROM conversation_ratings
         WHERE workspace_id = $1 AND conversation_id IN ({})",
        placeholders.join(", ")
    );
    let rows: Vec<RatingRow> = on_pool!(store, |pool| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(workspace_id);
        for c in conversations.iter() {
            query = query.bind(c.id);
        }
        query.fetch_all(pool).await
    })?;
    let mut by_id: HashMap<Uuid, Rating> = HashMap::with_capacity(rows.len());
    for row in &rows {
        by_id.insert(row.conversation_id, row.to_wire()?);
    }
    for c in conversations.iter_mut() {
        c.rating = by_id.remove(&c.id).map(Box::new);
    }
    Ok(())
}

/// Stores the visitor's rating of their own conversation.
pub async fn rate(store: &Store, visitor: &VisitorCaller, conversation_id: Uuid, new: &NewRating) -> Result<Rating> {
    if !(1..=5).contains(&new.score) {
        return Err(Error::invalid("score", "must be from 1 (bad) to 5 (great)"));
    }
    let comment = new.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(comment) = comment {
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(Error::invalid("comment", format!("must be at most {MAX_COMMENT_CHARS} characters")));
        }
        if comment.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(Error::invalid("comment", "must not contain control characters"));
        }
    }
    let conversation =
        conversations::get_for_visitor(store, visitor.workspace_id, visitor.visitor_id, conversation_id).await?;
    let now = now();
    let mut tx = store.begin_write().await?;
    let row: RatingRow = on_tx!(&mut tx, |conn| {
        sqlx::query_as(
            "INSERT INTO conversation_ratings (conversation_id, workspace_id, score, comment, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (conversation_id) DO UPDATE SET score = excluded.score, comment = excluded.comment,
                updated_at = excluded.updated_at
             RETURNING conversation_id, score, comment, created_at, updated_at",
        )
        .bind(conversation.id)
        .bind(conversation.workspace_id)
        .bind(i64::from(new.score))
        .bind(comment)
        .bind(now)
        .fetch_one(conn)
        .await
    })?;
    let rating = row.to_wire()?;
    crate::webhooks::rating_submitted(&mut tx, conversation.workspace_id, conversation.site_id, &rating).await?;
    // The team's consoles show the rating at once, on the conversation and in lists.
    let conversation = conversations::feed::advance(&mut tx, conversation).await?;
    let announced = Conversation { rating: Some(Box::new(rating.clone())), ..conversation.to_wire()? };
    tx.record(crate::changes::Change::ConversationChanged {
        workspace_id: conversation.workspace_id,
        change: ConversationChange::Updated,
        conversation: announced,
    });
    tx.commit().await?;
    Ok(rating)
}
