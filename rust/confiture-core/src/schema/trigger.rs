//! Triggers (not the internal ones PostgreSQL makes for foreign keys, nor the clones on partitions).

use serde::Serialize;

use super::{Expr, ObjectKind, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub name: String,
    pub table: QualifiedName,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// Among `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, in that order.
    pub events: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub update_columns: Vec<String>,
    pub for_each_row: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Expr>,
    pub function: QualifiedName,
    pub arguments: Vec<String>,
    /// `CREATE CONSTRAINT TRIGGER`.
    pub constraint: bool,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `REFERENCING OLD TABLE AS x NEW TABLE AS y`: (`OLD`/`NEW`, name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub referencing: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Trigger {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Trigger
    }
}
