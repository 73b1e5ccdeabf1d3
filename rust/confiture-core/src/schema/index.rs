//! Indexes (on tables and materialized views) that no constraint owns: method, key columns or
//! expressions with collation, operator class and ordering, INCLUDE columns, partial predicate,
//! storage parameters.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Expr, ObjectKind, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexElement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expr: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    pub descending: bool,
    pub nulls_first: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: QualifiedName,
    pub table: QualifiedName,
    pub unique: bool,
    pub nulls_not_distinct: bool,
    pub method: String,
    pub elements: Vec<IndexElement>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Expr>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Index {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Index
    }
}
