//! The pages a visitor views, as the widget reports them.

use uuid::Uuid;

use crate::{
    error::{Error, Result},
    input, on_pool,
    store::{Millis, Store, now},
};

/// Longest page URL kept.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest page title kept.
pub const MAX_TITLE_CHARS: usize = 300;

/// A page view that passed validation.
#[derive(Debug, Clone)]
pub struct PageView {
    pub url: String,
    pub title: String,
}

impl PageView {
    /// Only http(s) URLs: anything else (javascript:, data:) would become a link in the
    /// console that runs code when an agent clicks it.
    pub fn parse(url: &str, title: &str) -> Result<Self> {
        let url = input::text("url", url.trim(), MAX_URL_CHARS)?;
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.contains(char::is_whitespace) {
            return Err(Error::invalid("url", "must be an http:// or https:// URL without spaces"));
        }
        // Titles are informative only: cut rather than refuse a long one.
        let title: String = title.trim().chars().filter(|c| !c.is_control()).take(MAX_TITLE_CHARS).collect();
        Ok(Self { url, title })
    }
}

/// Records a page view and returns when it was recorded.
pub async fn record(store: &Store, workspace_id: Uuid, visitor_id: Uuid, page: &PageView) -> Result<Millis> {
    let viewed_at = now();
    on_pool!(store, |pool| {
        sqlx::query(
            "INSERT INTO visitor_pages (id, workspace_id, visitor_id, url, title, viewed_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(workspace_id)
        .bind(visitor_id)
        .bind(&page.url)
        .bind(&page.title)
        .bind(viewed_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(viewed_at)
}
