//! Schemas (`CREATE SCHEMA`). `public`, which every database has, is not part of the model.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Grant, ObjectKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl Namespace {
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), comment: None, grants: BTreeSet::new() }
    }

    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Schema
    }
}
