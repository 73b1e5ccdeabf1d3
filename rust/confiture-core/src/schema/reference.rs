//! fraiseql-confiture's view of a schema (`confiture.models.schema`): tables and their columns
//! with a coarse type, nullability, default, primary-key and unique flags.

use serde::Serialize;

use super::{Catalog, ConstraintKind};

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceColumn {
    pub name: String,
    /// `INTEGER`, `VARCHAR`, … or `UNKNOWN` (fraiseql-confiture's `ColumnType`).
    #[serde(rename = "type")]
    pub column_type: String,
    /// The exact type in SQL (`character varying(20)`).
    pub sql_type: String,
    pub nullable: bool,
    pub default: Option<String>,
    pub primary_key: bool,
    pub unique: bool,
    pub length: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceTable {
    /// `name` in `public`, `schema.name` elsewhere.
    pub name: String,
    pub columns: Vec<ReferenceColumn>,
    pub indexes: Vec<String>,
    pub constraints: Vec<String>,
}

/// The tables of a model, in name order, columns in declaration order.
pub fn reference_tables(cat: &Catalog) -> Vec<ReferenceTable> {
    cat.tables
        .values()
        .map(|t| {
            let pk: Vec<&String> = t.primary_key().and_then(|c| c.key_columns()).into_iter().flatten().collect();
            let unique = |col: &str| {
                t.constraints.values().any(|c| matches!(&c.kind, ConstraintKind::Unique { columns, .. } if columns.len() == 1 && columns[0] == col))
            };
            ReferenceTable {
                name: t.name.to_string(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| {
                        let (column_type, length) = c.data_type.reference_type();
                        ReferenceColumn {
                            name: c.name.clone(),
                            column_type: column_type.to_string(),
                            sql_type: c.data_type.sql(),
                            nullable: !c.not_null,
                            default: c.default.as_ref().map(|d| d.sql.clone()),
                            primary_key: pk.iter().any(|p| **p == c.name),
                            unique: unique(&c.name),
                            length,
                        }
                    })
                    .collect(),
                indexes: cat.indexes.values().filter(|i| i.table == t.name).map(|i| i.name.name.clone()).collect(),
                constraints: t.constraints.keys().cloned().collect(),
            }
        })
        .collect()
}
