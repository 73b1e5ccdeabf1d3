//! Schema snapshots (fraiseql-confiture's `SchemaSnapshot`): tables with their columns,
//! constraints, indexes and foreign keys, plus the names of views, materialized views and
//! functions — a flat view of the schema model, read from the database through the executor.
//!
//! Names follow the project's convention: `name` in `public`, `schema.name` elsewhere.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::db::Executor;
use crate::schema::{Catalog, ConstraintKind, IntrospectOptions, Table, introspect_exec};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    /// PostgreSQL's spelling (`character varying(50)`, `text[]`, a type's qualified name).
    pub data_type: String,
    pub is_nullable: bool,
    #[serde(default)]
    pub column_default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintInfo {
    pub name: String,
    /// `PRIMARY KEY`, `UNIQUE`, `CHECK`, `FOREIGN KEY` or `EXCLUDE`.
    pub constraint_type: String,
    /// Key columns in key order (a foreign key's own columns); empty for a CHECK.
    #[serde(default)]
    pub columns: Vec<String>,
    /// The whole definition (`CHECK ((price > 0))`): what tells a changed constraint apart.
    #[serde(default)]
    pub definition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexInfo {
    pub name: String,
    pub table_name: String,
    pub is_unique: bool,
    /// Each key: a column name, or an expression in parentheses.
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub definition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKeyInfo {
    pub constraint_name: String,
    pub column_name: String,
    pub referenced_table: String,
    pub referenced_column: String,
    #[serde(default)]
    pub referenced_schema: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSchema {
    pub name: String,
    pub schema_name: String,
    /// In declaration order.
    #[serde(default)]
    pub columns: Vec<ColumnInfo>,
    #[serde(default)]
    pub constraints: Vec<ConstraintInfo>,
    /// Every index of the table, the ones that back a PRIMARY KEY, UNIQUE or EXCLUDE constraint
    /// included (they carry the constraint's name, as in PostgreSQL).
    #[serde(default)]
    pub indexes: Vec<IndexInfo>,
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKeyInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default)]
    pub tables: BTreeMap<String, TableSchema>,
    #[serde(default)]
    pub views: BTreeSet<String>,
    #[serde(default)]
    pub materialized_views: BTreeSet<String>,
    #[serde(default)]
    pub functions: BTreeSet<String>,
}

/// Reads the schema of the executor's database (in a savepoint that is rolled back). Objects the
/// model does not cover (aggregates, foreign tables, rules, …) are left out rather than failing.
pub fn capture(exec: &mut dyn Executor) -> Result<Snapshot, crate::Error> {
    let catalog = introspect_exec(exec, IntrospectOptions { include_grants: false, skip_unsupported: true })?;
    Ok(from_catalog(&catalog))
}

/// The snapshot view of a model.
pub fn from_catalog(cat: &Catalog) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for table in cat.tables.values() {
        snapshot.tables.insert(table.name.to_string(), table_schema(cat, table));
    }
    for view in cat.views.values() {
        let set = if view.materialized { &mut snapshot.materialized_views } else { &mut snapshot.views };
        set.insert(view.name.to_string());
    }
    snapshot.functions = cat.functions.keys().map(|(name, _)| name.to_string()).collect();
    snapshot
}

fn table_schema(cat: &Catalog, t: &Table) -> TableSchema {
    let columns = t
        .columns
        .iter()
        .map(|c| ColumnInfo {
            name: c.name.clone(),
            data_type: c.data_type.sql(),
            is_nullable: !c.not_null,
            column_default: c.default.as_ref().map(|d| d.sql.clone()),
        })
        .collect();
    let mut constraints = Vec::new();
    let mut indexes = Vec::new();
    let mut foreign_keys = Vec::new();
    for c in t.constraints.values() {
        let definition = crate::diff::constraint_definition(c);
        let (constraint_type, cols, backing_index) = match &c.kind {
            ConstraintKind::PrimaryKey { columns, .. } => ("PRIMARY KEY", columns.clone(), Some(true)),
            ConstraintKind::Unique { columns, .. } => ("UNIQUE", columns.clone(), Some(true)),
            ConstraintKind::Check { .. } => ("CHECK", Vec::new(), None),
            ConstraintKind::ForeignKey { columns, references, referenced_columns, .. } => {
                for (column, referenced) in columns.iter().zip(referenced_columns) {
                    foreign_keys.push(ForeignKeyInfo {
                        constraint_name: c.name.clone(),
                        column_name: column.clone(),
                        referenced_table: references.name.clone(),
                        referenced_column: referenced.clone(),
                        referenced_schema: Some(references.schema.clone()),
                    });
                }
                ("FOREIGN KEY", columns.clone(), None)
            }
            ConstraintKind::Exclude { elements, .. } => {
                let cols = elements.iter().map(|e| element_name(&e.element)).collect();
                ("EXCLUDE", cols, Some(false))
            }
        };
        if let Some(is_unique) = backing_index {
            indexes.push(IndexInfo {
                name: c.name.clone(),
                table_name: t.name.name.clone(),
                is_unique,
                columns: cols.clone(),
                definition: Some(definition.clone()),
            });
        }
        constraints.push(ConstraintInfo {
            name: c.name.clone(),
            constraint_type: constraint_type.to_string(),
            columns: cols,
            definition: Some(definition),
        });
    }
    for index in cat.indexes.values().filter(|i| i.table == t.name) {
        indexes.push(IndexInfo {
            name: index.name.name.clone(),
            table_name: t.name.name.clone(),
            is_unique: index.unique,
            columns: index.elements.iter().map(element_name).collect(),
            definition: Some(crate::diff::index_definition(index)),
        });
    }
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    TableSchema {
        name: t.name.name.clone(),
        schema_name: t.name.schema.clone(),
        columns,
        constraints,
        indexes,
        foreign_keys,
    }
}

fn element_name(e: &crate::schema::IndexElement) -> String {
    match (&e.column, &e.expr) {
        (Some(c), _) => c.clone(),
        (None, Some(x)) => format!("({})", x.sql),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ParseOptions, parse_sql};

    fn snapshot(sql: &str) -> Snapshot {
        from_catalog(&parse_sql("t.sql", sql, ParseOptions::default()).unwrap().catalog)
    }

    #[test]
    fn tables_columns_constraints_indexes_and_keys() {
        let s = snapshot(
            "CREATE SCHEMA app;
             CREATE TABLE users (id int PRIMARY KEY, email varchar(50) NOT NULL UNIQUE, bio text DEFAULT 'x');
             CREATE TABLE app.posts (id int, user_id int REFERENCES users (id), title text CHECK (title <> ''));
             CREATE INDEX posts_lower_title ON app.posts (lower(title));
             CREATE VIEW v AS SELECT id FROM users;
             CREATE MATERIALIZED VIEW app.m AS SELECT 1 AS one;
             CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
             CREATE FUNCTION f(a text) RETURNS text LANGUAGE sql AS 'SELECT a';",
        );
        assert_eq!(s.tables.keys().collect::<Vec<_>>(), ["app.posts", "users"]);
        let users = &s.tables["users"];
        assert_eq!(users.schema_name, "public");
        let names: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "email", "bio"]);
        assert_eq!(users.columns[1].data_type, "character varying(50)");
        assert!(!users.columns[1].is_nullable);
        assert_eq!(users.columns[2].column_default.as_deref(), Some("'x'"));
        let kinds: Vec<(&str, &str)> =
            users.constraints.iter().map(|c| (c.name.as_str(), c.constraint_type.as_str())).collect();
        assert_eq!(kinds, [("users_email_key", "UNIQUE"), ("users_pkey", "PRIMARY KEY")]);
        let idx: Vec<&str> = users.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(idx, ["users_email_key", "users_pkey"]);

        let posts = &s.tables["app.posts"];
        assert_eq!(posts.foreign_keys.len(), 1);
        let fk = &posts.foreign_keys[0];
        assert_eq!(
            (fk.column_name.as_str(), fk.referenced_table.as_str(), fk.referenced_column.as_str()),
            ("user_id", "users", "id")
        );
        let check = posts.constraints.iter().find(|c| c.constraint_type == "CHECK").unwrap();
        assert!(check.columns.is_empty());
        assert!(check.definition.as_deref().unwrap().starts_with("CHECK ("), "{check:?}");
        assert_eq!(posts.indexes[0].columns, ["(lower(title))"]);
        assert!(!posts.indexes[0].is_unique);

        assert_eq!(s.views.iter().collect::<Vec<_>>(), ["v"]);
        assert_eq!(s.materialized_views.iter().collect::<Vec<_>>(), ["app.m"]);
        assert_eq!(s.functions.iter().collect::<Vec<_>>(), ["f"]);
    }

    #[test]
    fn round_trips_through_json() {
        let s = snapshot("CREATE TABLE t (id int PRIMARY KEY, n numeric(10,2));");
        let back: Snapshot = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}
