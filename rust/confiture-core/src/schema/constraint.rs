//! Table constraints: PRIMARY KEY, UNIQUE (with NULLS NOT DISTINCT), CHECK, FOREIGN KEY (actions,
//! MATCH FULL, deferrability) and EXCLUDE; `NOT VALID` as `validated: false`. Column constraints
//! written inline are table constraints here, named as PostgreSQL names them. NOT NULL is a column
//! property.

use serde::Serialize;

use super::{Expr, IndexElement, ObjectKind, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExclusionElement {
    pub element: IndexElement,
    pub operator: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
        nulls_not_distinct: bool,
    },
    Check {
        expr: Expr,
        no_inherit: bool,
    },
    ForeignKey {
        columns: Vec<String>,
        references: QualifiedName,
        referenced_columns: Vec<String>,
        on_update: String,
        on_delete: String,
        match_full: bool,
    },
    Exclude {
        method: String,
        elements: Vec<ExclusionElement>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        predicate: Option<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Constraint {
    pub name: String,
    #[serde(flatten)]
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `false` for `NOT VALID`.
    pub validated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Constraint {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Constraint
    }

    pub fn is_foreign_key(&self) -> bool {
        matches!(self.kind, ConstraintKind::ForeignKey { .. })
    }

    /// The key columns of a PRIMARY KEY or UNIQUE constraint.
    pub fn key_columns(&self) -> Option<&[String]> {
        match &self.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => Some(columns),
            _ => None,
        }
    }
}
