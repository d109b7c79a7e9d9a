//! Search with the text that matched: the conversations a [`Filter`]'s text finds, each
//! with a snippet of where it was found (the visitor's name or email, or the newest
//! matching message), so a search result reads as the answer and not as the last message.

use openapi::conversations::MatchField;
use uuid::Uuid;

use super::{ConversationRow, Filter, contains_pattern};
use crate::{error::Result, on_pool, pagination::PageRequest, store::Store};

/// Characters of context kept on each side of the match.
const CONTEXT_CHARS: usize = 60;

/// A conversation found, with where and what matched.
pub struct Found {
    pub conversation: ConversationRow,
    pub field: MatchField,
    pub snippet: String,
    pub seq: Option<i64>,
}

/// Conversations whose visitor or messages contain `filter.text`, newest first.
pub async fn search(store: &Store, workspace_id: Uuid, filter: &Filter, page: PageRequest) -> Result<Vec<Found>> {
    let Some(text) = filter.text.as_deref() else { return Ok(Vec::new()) };
    let rows = super::list(store, workspace_id, filter, page).await?;
    let pattern = contains_pattern(text);
    let mut found = Vec::with_capacity(rows.len());
    for conversation in rows {
        let visitor: Option<(Option<String>, Option<String>)> = on_pool!(store, |pool| {
            sqlx::query_as("SELECT name, email FROM visitors WHERE id = $1 AND workspace_id = $2")
                .bind(conversation.visitor_id)
                .bind(workspace_id)
                .fetch_optional(pool)
                .await
        })?;
        let (name, email) = visitor.unwrap_or_default();
        let (field, snippet, seq) = if let Some(name) = name.filter(|n| find(n, text).is_some()) {
            (MatchField::Name, name, None)
        } else if let Some(email) = email.filter(|e| find(e, text).is_some()) {
            (MatchField::Email, email, None)
        } else {
            let message: Option<(i64, String)> = on_pool!(store, |pool| {
                sqlx::query_as(
                    "SELECT seq, body FROM messages WHERE conversation_id = $1 AND LOWER(body) LIKE $2 ESCAPE '\\'
                     ORDER BY seq DESC LIMIT 1",
                )
                .bind(conversation.id)
                .bind(&pattern)
                .fetch_optional(pool)
                .await
            })?;
            match message {
                Some((seq, body)) => (MatchField::Message, snippet(&body, text), Some(seq)),
                // Matched by the database's LOWER but not by Rust's (non-ASCII case on
                // SQLite): still a result, shown with the start of the conversation.
                None => (MatchField::Message, String::new(), None),
            }
        };
        found.push(Found { conversation, field, snippet, seq });
    }
    Ok(found)
}

/// Where `needle` starts in `haystack`, case-insensitively, in chars.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let hay: Vec<char> = haystack.chars().flat_map(char::to_lowercase).collect();
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    // Positions in the lowercased text; lowercasing rarely changes the length, and
    // when it does the snippet is only shifted by a character or two.
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == needle[..])
}

/// The match with some context on each side; `…` marks where the text was cut, and
/// line breaks become spaces.
pub fn snippet(body: &str, needle: &str) -> String {
    let chars: Vec<char> = body.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
    let at = find(body, needle).unwrap_or(0).min(chars.len());
    let start = at.saturating_sub(CONTEXT_CHARS);
    let end = (at + needle.chars().count() + CONTEXT_CHARS).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_body_is_kept_whole() {
        assert_eq!(snippet("Where is my REFUND?", "refund"), "Where is my REFUND?");
    }

    #[test]
    fn a_long_body_is_cut_around_the_match() {
        let body = format!("{}refund{}", "a".repeat(100), "b".repeat(100));
        let cut = snippet(&body, "Refund");
        assert_eq!(cut, format!("…{}refund{}…", "a".repeat(60), "b".repeat(60)));
    }

    #[test]
    fn line_breaks_become_spaces_and_case_is_ignored() {
        assert_eq!(snippet("Hi\nÉtienne here", "étienne"), "Hi Étienne here");
        assert_eq!(find("Hi Étienne", "ÉTIENNE"), Some(3));
        assert_eq!(find("Hi", "hello"), None);
    }
}
