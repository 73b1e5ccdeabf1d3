//! The closed list of object kinds the model knows. Adding one makes the compiler point at every
//! `match` that must handle it (parse, introspect, diff, render).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Schema,
    Extension,
    EnumType,
    CompositeType,
    Domain,
    RangeType,
    Sequence,
    Table,
    Column,
    Constraint,
    Index,
    View,
    MaterializedView,
    Function,
    Procedure,
    Trigger,
    Policy,
    Comment,
    Grant,
    DefaultPrivilege,
}

impl ObjectKind {
    /// The kind as people say it, used in messages and JSON.
    pub fn kind_name(self) -> &'static str {
        match self {
            Self::Schema => "schema",
            Self::Extension => "extension",
            Self::EnumType => "enum type",
            Self::CompositeType => "composite type",
            Self::Domain => "domain",
            Self::RangeType => "range type",
            Self::Sequence => "sequence",
            Self::Table => "table",
            Self::Column => "column",
            Self::Constraint => "constraint",
            Self::Index => "index",
            Self::View => "view",
            Self::MaterializedView => "materialized view",
            Self::Function => "function",
            Self::Procedure => "procedure",
            Self::Trigger => "trigger",
            Self::Policy => "policy",
            Self::Comment => "comment",
            Self::Grant => "grant",
            Self::DefaultPrivilege => "default privilege",
        }
    }

    /// Every kind, in the order the coverage table lists them.
    pub const ALL: [ObjectKind; 20] = [
        Self::Schema,
        Self::Extension,
        Self::EnumType,
        Self::CompositeType,
        Self::Domain,
        Self::RangeType,
        Self::Sequence,
        Self::Table,
        Self::Column,
        Self::Constraint,
        Self::Index,
        Self::View,
        Self::MaterializedView,
        Self::Function,
        Self::Procedure,
        Self::Trigger,
        Self::Policy,
        Self::Comment,
        Self::Grant,
        Self::DefaultPrivilege,
    ];
}
