//! Range types (`CREATE TYPE … AS RANGE`).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Grant, ObjectKind, QualifiedName, TypeRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RangeType {
    pub name: QualifiedName,
    pub subtype: TypeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype_opclass: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Option<QualifiedName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype_diff: Option<QualifiedName>,
    /// The multirange type's name, when it is not the default one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multirange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl RangeType {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::RangeType
    }

    /// PostgreSQL's default multirange name: `range` → `multirange` in the name, else `_multirange`.
    pub fn default_multirange(name: &str) -> String {
        match name.find("range") {
            Some(i) => format!("{}multirange{}", &name[..i], &name[i + 5..]),
            None => format!("{name}_multirange"),
        }
    }
}
