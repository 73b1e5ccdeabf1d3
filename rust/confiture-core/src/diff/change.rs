//! One logical change between two schemas, in fraiseql-confiture's vocabulary (`ADD_TABLE`,
//! `CHANGE_COLUMN_TYPE`, …) extended to every object kind. A change becomes one or more plan steps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::ObjectKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `ADD_TABLE`, `DROP_COLUMN`, `CHANGE_VIEW`, `ADD_ENUM_VALUE`, …
    #[serde(rename = "type")]
    pub change_type: String,
    pub kind: ObjectKind,
    /// The object, as people name it (`app.users`, `users.email`, `users_pkey on users`).
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// One line for people (fraiseql-confiture's `str(change)` form).
    pub description: String,
}

impl Change {
    pub fn new(change_type: &str, kind: ObjectKind, object: impl Into<String>) -> Self {
        let object = object.into();
        let description = format!("{} {}", change_type.replace('_', " "), object);
        Self {
            change_type: change_type.into(),
            kind,
            object,
            table: None,
            column: None,
            old_value: None,
            new_value: None,
            details: BTreeMap::new(),
            description,
        }
    }

    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    pub fn values(mut self, old: Option<String>, new: Option<String>) -> Self {
        self.old_value = old;
        self.new_value = new;
        self
    }

    pub fn detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.insert(key.into(), value.into());
        self
    }

    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}
