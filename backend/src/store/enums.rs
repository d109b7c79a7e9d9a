//! How the wire enums are spelled in the database (the same words as on the wire).

use openapi::{
    agents::Role,
    api_keys::ApiKeyScope,
    conversations::{ConversationStatus, Priority},
    messages::{AuthorKind, MessageKind},
    routing::RoutingPolicy,
    sites::PrechatField,
};

use crate::error::{Error, Result};

/// An enum stored as a short text column.
pub trait StoredEnum: Sized {
    fn as_db(&self) -> &'static str;
    fn from_db(value: &str) -> Result<Self>;
}

macro_rules! stored_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl StoredEnum for $ty {
            fn as_db(&self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            fn from_db(value: &str) -> Result<Self> {
                match value {
                    $($text => Ok(Self::$variant),)+
                    other => Err(Error::Internal(format!(
                        "unknown {} `{other}` in the database", stringify!($ty)
                    ))),
                }
            }
        }
    };
}

stored_enum!(PrechatField { Off => "off", Optional => "optional", Required => "required" });
stored_enum!(Role { Owner => "owner", Admin => "admin", Agent => "agent" });
stored_enum!(ApiKeyScope { Read => "read", Write => "write" });
stored_enum!(ConversationStatus { Open => "open", Pending => "pending", Snoozed => "snoozed", Resolved => "resolved" });
stored_enum!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
stored_enum!(AuthorKind { Visitor => "visitor", Agent => "agent", Integration => "integration", System => "system" });
stored_enum!(MessageKind { Text => "text", Note => "note" });
stored_enum!(RoutingPolicy { Manual => "manual", RoundRobin => "round_robin", LeastBusy => "least_busy" });
