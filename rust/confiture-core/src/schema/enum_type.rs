//! Enum types (`CREATE TYPE … AS ENUM`): their labels, in order.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Grant, ObjectKind, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    pub name: QualifiedName,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl EnumType {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::EnumType
    }
}
