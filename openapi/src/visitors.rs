//! Visitors: the people chatting through a site's widget.

use serde::{Deserialize, Serialize};

/// A website visitor (a contact once identified).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct Visitor {
    pub id: uuid::Uuid,
    pub site_id: uuid::Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The business's own id for this person, set by `identify`.
    pub user_id: Option<String>,
    /// True when `user_id` was proven with a valid `user_hash`.
    pub verified: bool,
    /// Free-form attributes (plan, company…), set by the business or the widget.
    pub attributes: std::collections::BTreeMap<String, serde_json::Value>,
    pub created_at: crate::Timestamp,
    pub last_seen_at: crate::Timestamp,
}

/// Changes to a visitor; absent fields stay as they are. `attributes` are merged:
/// a key set to `null` is removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
#[cfg_attr(feature = "server", oai(example))]
pub struct VisitorUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub attributes: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

crate::page_of!(
    /// A page of visitors, most recently created first.
    VisitorPage,
    Visitor
);

/// A page of the site the visitor viewed, as the widget reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(poem_openapi::Object))]
#[cfg_attr(feature = "server", oai(skip_serializing_if_is_none))]
pub struct PageView {
    /// An http(s) URL.
    pub url: String,
    pub title: String,
    pub viewed_at: crate::Timestamp,
}

crate::page_of!(
    /// Pages a visitor viewed, newest first.
    PageViewPage,
    PageView
);
