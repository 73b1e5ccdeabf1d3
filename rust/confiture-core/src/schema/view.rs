//! Views and materialized views: the query (compared in canonical form), options, comments on the
//! view and its columns.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Expr, Grant, ObjectKind, QualifiedName};

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub name: QualifiedName,
    pub materialized: bool,
    pub query: Expr,
    /// Output column names (derived from the query).
    pub columns: Vec<String>,
    /// `local` or `cascaded` (`WITH … CHECK OPTION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_option: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub column_comments: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
}

impl PartialEq for View {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.materialized == o.materialized
            && self.query == o.query
            && self.check_option == o.check_option
            && self.options == o.options
            && self.comment == o.comment
            && self.column_comments == o.column_comments
            && self.grants == o.grants
    }
}

impl Eq for View {}

impl View {
    pub fn kind(&self) -> ObjectKind {
        if self.materialized { ObjectKind::MaterializedView } else { ObjectKind::View }
    }
}
