//! Composite types (`CREATE TYPE … AS (…)`).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Grant, ObjectKind, QualifiedName, TypeRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub name: String,
    pub data_type: TypeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositeType {
    pub name: QualifiedName,
    pub attributes: Vec<Attribute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl CompositeType {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::CompositeType
    }
}
