//! Labels: the workspace's own tags for conversations, each with a colour. Conversations
//! carry label names; renaming or merging a label changes every conversation that has it.

use serde::{Deserialize, Serialize};

/// A label of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Label {
    pub id: uuid::Uuid,
    /// 1 to 40 characters, unique in the workspace (case-insensitively).
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// How many conversations carry it.
    pub conversations: u64,
    pub created_at: crate::Timestamp,
}

/// Creates a label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct NewLabel {
    pub name: String,
    /// `#rrggbb`; a colour is picked from the name when absent.
    pub color: Option<String>,
}

/// Renames or recolours a label; a new name is applied to every conversation carrying
/// the old one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct LabelUpdate {
    pub name: Option<String>,
    pub color: Option<String>,
}

/// Merges a label into another: every conversation carrying it carries `into_label_id`
/// instead, and the label is deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct LabelMerge {
    pub into_label_id: uuid::Uuid,
}

/// The workspace's labels, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct LabelPage {
    pub items: Vec<Label>,
    /// Always absent: every item is on this page.
    pub next_cursor: Option<String>,
}
