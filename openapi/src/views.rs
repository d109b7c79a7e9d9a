//! Saved views: an agent's own named combinations of conversation filters.

use serde::{Deserialize, Serialize};

use crate::conversations::{ConversationStatus, Priority};

/// Filters over conversations; they combine with AND, absent ones do not filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct ConversationFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ConversationStatus>,
    /// Assigned to this agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<uuid::Uuid>,
    /// True: nobody is assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unassigned: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<uuid::Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<uuid::Uuid>,
    /// Carries this label (by name, case-insensitively).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

impl ConversationFilters {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A view an agent saved: a name and its filters. Each agent sees only their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct SavedView {
    pub id: uuid::Uuid,
    /// 1 to 60 characters.
    pub name: String,
    pub filters: ConversationFilters,
    pub created_at: crate::Timestamp,
}

/// Saves a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewSavedView {
    pub name: String,
    pub filters: ConversationFilters,
}

/// The agent's saved views, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct SavedViewPage {
    pub items: Vec<SavedView>,
    /// Always absent: every item is on this page.
    pub next_cursor: Option<String>,
}
