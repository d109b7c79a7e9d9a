//! Time as stored: Unix milliseconds in a BIGINT, identical on both engines and cheap to
//! compare and index. Converted to RFC 3339 only at the wire.

use chrono::{DateTime, TimeZone, Utc};

/// Milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct Millis(pub i64);

/// The current time.
pub fn now() -> Millis {
    Millis(Utc::now().timestamp_millis())
}

impl Millis {
    pub fn to_utc(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0).single().unwrap_or_default()
    }

    pub fn plus(self, duration: std::time::Duration) -> Millis {
        Millis(self.0.saturating_add(duration.as_millis() as i64))
    }
}

impl From<DateTime<Utc>> for Millis {
    fn from(time: DateTime<Utc>) -> Self {
        Millis(time.timestamp_millis())
    }
}
