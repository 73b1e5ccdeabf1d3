//! Tables and their columns; partitioning, inheritance, row-level security. A table owns its
//! constraints, triggers and policies (indexes are objects of their own: they have their own names
//! in the schema).
//!
//! Partitions and inheritance children hold only what is their own: columns, constraints and
//! indexes they inherit are the parent's.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Constraint, Expr, Grant, ObjectKind, Policy, QualifiedName, SequenceOptions, Trigger, TypeRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// `GENERATED ALWAYS` (else `BY DEFAULT`).
    pub always: bool,
    pub options: SequenceOptions,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    pub data_type: TypeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    pub not_null: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// From a `-- confiture: renamed-from old` annotation (not part of equality).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

impl PartialEq for Column {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.data_type == o.data_type
            && self.collation == o.collation
            && self.not_null == o.not_null
            && self.default == o.default
            && self.identity == o.identity
            && self.generated == o.generated
            && self.comment == o.comment
    }
}

impl Eq for Column {}

impl Column {
    pub fn new(name: &str, data_type: TypeRef) -> Self {
        Self {
            name: name.to_string(),
            data_type,
            collation: None,
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            comment: None,
            renamed_from: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionElement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expr: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
}

/// `PARTITION BY strategy (elements)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionKey {
    /// `range`, `list` or `hash`.
    pub strategy: String,
    pub elements: Vec<PartitionElement>,
}

/// `PARTITION OF parent FOR VALUES …` (the bound, rendered, as an [`Expr`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    pub bound: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub name: QualifiedName,
    /// In declaration order; equality does not depend on the order (see docs/guides/diff.md).
    pub columns: Vec<Column>,
    pub constraints: BTreeMap<String, Constraint>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Trigger>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, Policy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<PartitionKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualifiedName>,
    pub unlogged: bool,
    pub row_security: bool,
    pub force_row_security: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
    /// From a `-- confiture: renamed-from old` annotation (not part of equality).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

impl PartialEq for Table {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && same_columns(&self.columns, &o.columns)
            && self.constraints == o.constraints
            && self.triggers == o.triggers
            && self.policies == o.policies
            && self.partition_key == o.partition_key
            && self.partition_of == o.partition_of
            && self.inherits == o.inherits
            && self.unlogged == o.unlogged
            && self.row_security == o.row_security
            && self.force_row_security == o.force_row_security
            && self.options == o.options
            && self.comment == o.comment
            && self.grants == o.grants
    }
}

impl Eq for Table {}

/// Columns compared by name, whatever their order (most tables list them in the same order on
/// both sides: compared in place, without building maps).
fn same_columns(a: &[Column], b: &[Column]) -> bool {
    fn by_name(cols: &[Column]) -> BTreeMap<&str, &Column> {
        cols.iter().map(|c| (c.name.as_str(), c)).collect()
    }
    a.len() == b.len() && (a == b || by_name(a) == by_name(b))
}

impl Table {
    pub fn new(name: QualifiedName) -> Self {
        Self {
            name,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            triggers: BTreeMap::new(),
            policies: BTreeMap::new(),
            partition_key: None,
            partition_of: None,
            inherits: Vec::new(),
            unlogged: false,
            row_security: false,
            force_row_security: false,
            options: BTreeMap::new(),
            comment: None,
            grants: BTreeSet::new(),
            renamed_from: None,
        }
    }

    pub fn kind(&self) -> ObjectKind {
        ObjectKind::Table
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// The primary key's columns, if any.
    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints.values().find(|c| matches!(c.kind, super::ConstraintKind::PrimaryKey { .. }))
    }
}
