//! Domains (`CREATE DOMAIN`): a base type with a default, NOT NULL and named CHECK constraints.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Expr, Grant, ObjectKind, QualifiedName, TypeRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainCheck {
    pub name: String,
    pub expr: Expr,
    pub validated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub name: QualifiedName,
    pub base: TypeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    pub not_null: bool,
    pub checks: BTreeMap<String, DomainCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl Domain {
    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Domain
    }
}
