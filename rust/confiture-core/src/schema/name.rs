//! Names and identities of schema objects.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ObjectKind;
use crate::sql::quote_ident;

/// `schema.name` of an object that lives in a schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self { schema: schema.into(), name: name.into() }
    }

    /// `"schema"."name"`, always quoted.
    pub fn sql(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

/// For people: `name` in `public`, `schema.name` elsewhere.
impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema == "public" || self.schema.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

/// The identity of one object of the model: what dependencies point at and what plan steps act on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectId {
    Schema(String),
    Extension(String),
    Type(QualifiedName),
    Sequence(QualifiedName),
    Table(QualifiedName),
    Column(QualifiedName, String),
    Constraint(QualifiedName, String),
    Index(QualifiedName),
    View(QualifiedName),
    /// A function or procedure: its name and its input argument types.
    Function(QualifiedName, String),
    Trigger(QualifiedName, String),
    Policy(QualifiedName, String),
}

/// Only for values read back from JSON (plan steps keep their ids internal).
impl Default for ObjectId {
    fn default() -> Self {
        Self::Schema(String::new())
    }
}

impl ObjectId {
    /// The schema the object lives in (`None` for schemas and extensions).
    pub fn schema(&self) -> Option<&str> {
        match self {
            Self::Schema(_) | Self::Extension(_) => None,
            Self::Type(n) | Self::Sequence(n) | Self::Table(n) | Self::Index(n) | Self::View(n) => Some(&n.schema),
            Self::Column(t, _) | Self::Constraint(t, _) | Self::Trigger(t, _) | Self::Policy(t, _) => Some(&t.schema),
            Self::Function(n, _) => Some(&n.schema),
        }
    }

    /// The table an object belongs to (columns, constraints, triggers, policies).
    pub fn table(&self) -> Option<&QualifiedName> {
        match self {
            Self::Column(t, _) | Self::Constraint(t, _) | Self::Trigger(t, _) | Self::Policy(t, _) => Some(t),
            Self::Table(t) => Some(t),
            _ => None,
        }
    }

    /// A coarse kind, for messages (views and functions do not know whether they are materialized
    /// views or procedures; the model does).
    pub fn coarse_kind(&self) -> ObjectKind {
        match self {
            Self::Schema(_) => ObjectKind::Schema,
            Self::Extension(_) => ObjectKind::Extension,
            Self::Type(_) => ObjectKind::EnumType,
            Self::Sequence(_) => ObjectKind::Sequence,
            Self::Table(_) => ObjectKind::Table,
            Self::Column(..) => ObjectKind::Column,
            Self::Constraint(..) => ObjectKind::Constraint,
            Self::Index(_) => ObjectKind::Index,
            Self::View(_) => ObjectKind::View,
            Self::Function(..) => ObjectKind::Function,
            Self::Trigger(..) => ObjectKind::Trigger,
            Self::Policy(..) => ObjectKind::Policy,
        }
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Schema(n) => write!(f, "schema {n}"),
            Self::Extension(n) => write!(f, "extension {n}"),
            Self::Type(n) => write!(f, "type {n}"),
            Self::Sequence(n) => write!(f, "sequence {n}"),
            Self::Table(n) => write!(f, "table {n}"),
            Self::Column(t, c) => write!(f, "column {t}.{c}"),
            Self::Constraint(t, c) => write!(f, "constraint {c} on {t}"),
            Self::Index(n) => write!(f, "index {n}"),
            Self::View(n) => write!(f, "view {n}"),
            Self::Function(n, args) => write!(f, "function {n}({args})"),
            Self::Trigger(t, n) => write!(f, "trigger {n} on {t}"),
            Self::Policy(t, n) => write!(f, "policy {n} on {t}"),
        }
    }
}
