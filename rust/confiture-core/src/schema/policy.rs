//! Row-level security policies (`CREATE POLICY`). Whether a table enforces them is the table's
//! `row_security`/`force_row_security`.

use serde::Serialize;

use super::{Expr, ObjectKind, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub name: String,
    pub table: QualifiedName,
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    /// Sorted role names; `PUBLIC` when none were given.
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub using: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_check: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Policy {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Policy
    }
}
