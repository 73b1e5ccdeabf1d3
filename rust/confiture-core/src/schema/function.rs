//! Functions and procedures: signature, result, language, body, volatility, strictness, security,
//! parallel safety, cost and rows (when not the default), `SET` configuration. Overloads are
//! distinct objects, identified by name and input argument types.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Expr, Grant, ObjectKind, QualifiedName, TypeRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Argument {
    /// `in`, `out`, `inout`, `variadic` or `table`.
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub data_type: TypeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
}

impl Argument {
    /// Whether the argument is part of the call signature.
    pub fn is_input(&self) -> bool {
        matches!(self.mode.as_str(), "in" | "inout" | "variadic")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Function {
    pub name: QualifiedName,
    pub procedure: bool,
    pub arguments: Vec<Argument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<TypeRef>,
    pub returns_set: bool,
    pub language: String,
    /// `AS '…'` bodies verbatim; SQL-standard bodies (`RETURN …`, `BEGIN ATOMIC … END`) in
    /// canonical form, with `sql` holding the whole `CREATE OR REPLACE` statement.
    pub body: Expr,
    pub sql_body: bool,
    pub volatility: String,
    pub strict: bool,
    pub security_definer: bool,
    pub leakproof: bool,
    pub parallel: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    pub window: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl Function {
    pub fn kind(&self) -> ObjectKind {
        if self.procedure { ObjectKind::Procedure } else { ObjectKind::Function }
    }

    /// The input argument types, rendered: the second half of the function's identity.
    pub fn identity_args(&self) -> String {
        identity_args(&self.arguments)
    }

    /// `"schema"."name"(types)`: how DROP/COMMENT/GRANT name it.
    pub fn signature_sql(&self) -> String {
        format!("{}({})", self.name.sql(), self.identity_args())
    }
}

pub fn identity_args(arguments: &[Argument]) -> String {
    arguments.iter().filter(|a| a.is_input()).map(|a| a.data_type.sql()).collect::<Vec<_>>().join(", ")
}
