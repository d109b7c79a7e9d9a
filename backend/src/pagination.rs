//! Cursor pagination over time-ordered (UUIDv7) ids: stable under concurrent inserts,
//! unlike offsets. A cursor is the opaque encoding of the last id a page returned.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// Items strictly after this id (in the list's order).
    pub after: Option<Uuid>,
    pub limit: u32,
}

impl PageRequest {
    pub fn parse(cursor: Option<&str>, limit: Option<u32>) -> Result<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::invalid("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(cursor) => {
                Some(decode(cursor).ok_or_else(|| Error::invalid("cursor", "is not a cursor this API returned"))?)
            }
        };
        Ok(Self { after, limit })
    }

    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cuts the extra row and computes the next cursor.
    pub fn finish<T>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> (Vec<T>, Option<String>) {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next = if more { rows.last().map(|last| encode(id_of(last))) } else { None };
        (rows, next)
    }
}

fn encode(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    Uuid::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = Uuid::now_v7();
        let page = PageRequest::parse(Some(&encode(id)), Some(10)).unwrap();
        assert_eq!(page.after, Some(id));
        assert!(PageRequest::parse(Some("not-a-cursor!"), None).is_err());
        assert!(PageRequest::parse(None, Some(0)).is_err());
        assert!(PageRequest::parse(None, Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn finish_reports_a_next_page_only_when_one_exists() {
        let page = PageRequest::parse(None, Some(2)).unwrap();
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let (items, next) = page.finish(ids.clone(), |id| *id);
        assert_eq!(items.len(), 2);
        assert_eq!(next, Some(encode(ids[1])));
        let (_, next) = page.finish(ids[..2].to_vec(), |id| *id);
        assert_eq!(next, None);
    }
}
