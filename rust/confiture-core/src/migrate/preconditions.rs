//! Preconditions: checks on the database a migration needs to hold before it runs (the 16 kinds of
//! fraiseql-confiture, same names and fields). They come from a SQL migration's YAML sidecar
//! (`up_preconditions:` / `down_preconditions:`, items `{type: TableExists, table: users}`) or from
//! a Python migration's class, and are checked through the executor (catalog queries, names quoted).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::MigrateError;
use crate::db::{ExecError, Executor, Query};
use crate::sql::quote_qualified;

fn public() -> String {
    "public".to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Precondition {
    TableExists {
        table: String,
        #[serde(default = "public")]
        schema: String,
    },
    TableNotExists {
        table: String,
        #[serde(default = "public")]
        schema: String,
    },
    ColumnExists {
        table: String,
        column: String,
        #[serde(default = "public")]
        schema: String,
    },
    ColumnNotExists {
        table: String,
        column: String,
        #[serde(default = "public")]
        schema: String,
    },
    ColumnType {
        table: String,
        column: String,
        expected_type: String,
        #[serde(default = "public")]
        schema: String,
    },
    ConstraintExists {
        table: String,
        constraint: String,
        #[serde(default = "public")]
        schema: String,
    },
    ConstraintNotExists {
        table: String,
        constraint: String,
        #[serde(default = "public")]
        schema: String,
    },
    ForeignKeyExists {
        table: String,
        column: String,
        references_table: String,
        references_column: String,
        #[serde(default = "public")]
        schema: String,
        #[serde(default = "public")]
        references_schema: String,
    },
    IndexExists {
        table: String,
        index: String,
        #[serde(default = "public")]
        schema: String,
    },
    IndexNotExists {
        table: String,
        index: String,
        #[serde(default = "public")]
        schema: String,
    },
    SchemaExists {
        schema: String,
    },
    SchemaNotExists {
        schema: String,
    },
    RowCountEquals {
        table: String,
        expected_count: i64,
        #[serde(default = "public")]
        schema: String,
    },
    RowCountGreaterThan {
        table: String,
        min_count: i64,
        #[serde(default = "public")]
        schema: String,
    },
    TableIsEmpty {
        table: String,
        #[serde(default = "public")]
        schema: String,
    },
    #[serde(rename = "CustomSQL")]
    CustomSql {
        sql: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        params: Vec<Option<String>>,
    },
}

pub const KINDS: &[&str] = &[
    "TableExists",
    "TableNotExists",
    "ColumnExists",
    "ColumnNotExists",
    "ColumnType",
    "ConstraintExists",
    "ConstraintNotExists",
    "ForeignKeyExists",
    "IndexExists",
    "IndexNotExists",
    "SchemaExists",
    "SchemaNotExists",
    "RowCountEquals",
    "RowCountGreaterThan",
    "TableIsEmpty",
    "CustomSQL",
];

impl std::fmt::Display for Precondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TableExists { table, schema } => write!(f, "TableExists({schema}.{table})"),
            Self::TableNotExists { table, schema } => write!(f, "TableNotExists({schema}.{table})"),
            Self::ColumnExists { table, column, schema } => write!(f, "ColumnExists({schema}.{table}.{column})"),
            Self::ColumnNotExists { table, column, schema } => write!(f, "ColumnNotExists({schema}.{table}.{column})"),
            Self::ColumnType { table, column, expected_type, schema } => {
                write!(f, "ColumnType({schema}.{table}.{column} is {expected_type})")
            }
            Self::ConstraintExists { table, constraint, schema } => {
                write!(f, "ConstraintExists({constraint} on {schema}.{table})")
            }
            Self::ConstraintNotExists { table, constraint, schema } => {
                write!(f, "ConstraintNotExists({constraint} on {schema}.{table})")
            }
            Self::ForeignKeyExists {
                table,
                column,
                references_table,
                references_column,
                schema,
                references_schema,
            } => {
                write!(
                    f,
                    "ForeignKeyExists({schema}.{table}.{column} → {references_schema}.{references_table}.{references_column})"
                )
            }
            Self::IndexExists { table, index, schema } => write!(f, "IndexExists({index} on {schema}.{table})"),
            Self::IndexNotExists { table, index, schema } => write!(f, "IndexNotExists({index} on {schema}.{table})"),
            Self::SchemaExists { schema } => write!(f, "SchemaExists({schema})"),
            Self::SchemaNotExists { schema } => write!(f, "SchemaNotExists({schema})"),
            Self::RowCountEquals { table, expected_count, schema } => {
                write!(f, "RowCountEquals({schema}.{table} = {expected_count})")
            }
            Self::RowCountGreaterThan { table, min_count, schema } => {
                write!(f, "RowCountGreaterThan({schema}.{table} > {min_count})")
            }
            Self::TableIsEmpty { table, schema } => write!(f, "TableIsEmpty({schema}.{table})"),
            Self::CustomSql { description, sql, .. } => {
                write!(f, "CustomSQL({})", if description.is_empty() { sql } else { description })
            }
        }
    }
}

fn text(p: &str) -> Option<String> {
    Some(p.to_string())
}

fn ask(exec: &mut dyn Executor, query: &Query) -> Result<Option<String>, ExecError> {
    Ok(exec.query(query)?.into_iter().next().and_then(|r| r.into_iter().next().flatten()))
}

fn exists(exec: &mut dyn Executor, query: Query) -> Result<bool, ExecError> {
    Ok(ask(exec, &Query::new("SELECT EXISTS (").append(query).sql(")::text"))?.as_deref() == Some("true"))
}

fn relation(schema: &str, table: &str) -> Query {
    Query::new("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ")
        .param(text(schema))
        .sql(" AND c.relname = ")
        .param(text(table))
        .sql(" AND c.relkind IN ('r', 'p', 'v', 'm', 'f')")
}

fn column(schema: &str, table: &str, column: &str) -> Query {
    Query::new(
        "SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ",
    )
    .param(text(schema))
    .sql(" AND c.relname = ")
    .param(text(table))
    .sql(" AND a.attname = ")
    .param(text(column))
    .sql(" AND a.attnum > 0 AND NOT a.attisdropped")
}

fn constraint(schema: &str, table: &str, name: &str) -> Query {
    Query::new(
        "SELECT 1 FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ",
    )
    .param(text(schema))
    .sql(" AND c.relname = ")
    .param(text(table))
    .sql(" AND k.conname = ")
    .param(text(name))
}

fn index(schema: &str, table: &str, name: &str) -> Query {
    Query::new(
        "SELECT 1 FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid \
         JOIN pg_catalog.pg_class c ON c.oid = x.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = ",
    )
    .param(text(schema))
    .sql(" AND c.relname = ")
    .param(text(table))
    .sql(" AND i.relname = ")
    .param(text(name))
}

fn schema(name: &str) -> Query {
    Query::new("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ").param(text(name))
}

fn row_count(exec: &mut dyn Executor, schema: &str, table: &str) -> Result<Option<i64>, ExecError> {
    if !exists(exec, relation(schema, table))? {
        return Ok(None);
    }
    let sql = format!("SELECT count(*)::text FROM {}", quote_qualified(Some(schema), table));
    Ok(ask(exec, &Query::new(&sql))?.and_then(|c| c.parse().ok()))
}

impl Precondition {
    /// Checks it: `(holds, message)`.
    pub fn check(&self, exec: &mut dyn Executor) -> Result<(bool, String), ExecError> {
        let yes_no = |ok: bool, yes: String, no: String| if ok { (true, yes) } else { (false, no) };
        Ok(match self {
            Self::TableExists { table, schema: s } => {
                let ok = exists(exec, relation(s, table))?;
                yes_no(ok, format!("Table {s}.{table} exists"), format!("Table {s}.{table} does not exist"))
            }
            Self::TableNotExists { table, schema: s } => {
                let ok = !exists(exec, relation(s, table))?;
                yes_no(ok, format!("Table {s}.{table} does not exist"), format!("Table {s}.{table} already exists"))
            }
            Self::ColumnExists { table, column: c, schema: s } => {
                let ok = exists(exec, column(s, table, c))?;
                yes_no(ok, format!("Column {s}.{table}.{c} exists"), format!("Column {s}.{table}.{c} does not exist"))
            }
            Self::ColumnNotExists { table, column: c, schema: s } => {
                let ok = !exists(exec, column(s, table, c))?;
                yes_no(
                    ok,
                    format!("Column {s}.{table}.{c} does not exist"),
                    format!("Column {s}.{table}.{c} already exists"),
                )
            }
            Self::ColumnType { table, column: c, expected_type, schema: s } => {
                let q = Query::new(
                    "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) || '|' || \
                     (a.atttypid = to_regtype(",
                )
                .param(text(expected_type))
                .sql(
                    "))::text FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
                      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ",
                )
                .param(text(s))
                .sql(" AND c.relname = ")
                .param(text(table))
                .sql(" AND a.attname = ")
                .param(text(c))
                .sql(" AND a.attnum > 0 AND NOT a.attisdropped");
                match ask(exec, &q)? {
                    None => (false, format!("Column {s}.{table}.{c} does not exist")),
                    Some(found) => {
                        let (actual, same_type) = found.rsplit_once('|').unwrap_or((found.as_str(), "false"));
                        let ok = same_type == "true" || actual.eq_ignore_ascii_case(expected_type.trim());
                        yes_no(
                            ok,
                            format!("Column {s}.{table}.{c} is {actual}"),
                            format!("Column {s}.{table}.{c} is {actual}, expected {expected_type}"),
                        )
                    }
                }
            }
            Self::ConstraintExists { table, constraint: k, schema: s } => {
                let ok = exists(exec, constraint(s, table, k))?;
                yes_no(
                    ok,
                    format!("Constraint {k} exists on {s}.{table}"),
                    format!("Constraint {k} does not exist on {s}.{table}"),
                )
            }
            Self::ConstraintNotExists { table, constraint: k, schema: s } => {
                let ok = !exists(exec, constraint(s, table, k))?;
                yes_no(
                    ok,
                    format!("Constraint {k} does not exist on {s}.{table}"),
                    format!("Constraint {k} already exists on {s}.{table}"),
                )
            }
            Self::ForeignKeyExists {
                table,
                column: c,
                references_table,
                references_column,
                schema: s,
                references_schema,
            } => {
                let q = Query::new(
                    "SELECT 1 FROM pg_catalog.pg_constraint k \
                     JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                     JOIN pg_catalog.pg_class r ON r.oid = k.confrelid JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace \
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) \
                     JOIN pg_catalog.pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = ANY (k.confkey) \
                     WHERE k.contype = 'f' AND n.nspname = ",
                )
                .param(text(s))
                .sql(" AND c.relname = ")
                .param(text(table))
                .sql(" AND a.attname = ")
                .param(text(c))
                .sql(" AND rn.nspname = ")
                .param(text(references_schema))
                .sql(" AND r.relname = ")
                .param(text(references_table))
                .sql(" AND ra.attname = ")
                .param(text(references_column));
                let ok = exists(exec, q)?;
                let what = format!("{s}.{table}.{c} → {references_schema}.{references_table}.{references_column}");
                yes_no(ok, format!("Foreign key {what} exists"), format!("No foreign key {what}"))
            }
            Self::IndexExists { table, index: i, schema: s } => {
                let ok = exists(exec, index(s, table, i))?;
                yes_no(
                    ok,
                    format!("Index {i} exists on {s}.{table}"),
                    format!("Index {i} does not exist on {s}.{table}"),
                )
            }
            Self::IndexNotExists { table, index: i, schema: s } => {
                let ok = !exists(exec, index(s, table, i))?;
                yes_no(
                    ok,
                    format!("Index {i} does not exist on {s}.{table}"),
                    format!("Index {i} already exists on {s}.{table}"),
                )
            }
            Self::SchemaExists { schema: s } => {
                let ok = exists(exec, schema(s))?;
                yes_no(ok, format!("Schema {s} exists"), format!("Schema {s} does not exist"))
            }
            Self::SchemaNotExists { schema: s } => {
                let ok = !exists(exec, schema(s))?;
                yes_no(ok, format!("Schema {s} does not exist"), format!("Schema {s} already exists"))
            }
            Self::RowCountEquals { table, expected_count, schema: s } => match row_count(exec, s, table)? {
                None => (false, format!("Table {s}.{table} does not exist")),
                Some(n) => yes_no(
                    n == *expected_count,
                    format!("Table {s}.{table} has {n} rows"),
                    format!("Table {s}.{table} has {n} rows, expected {expected_count}"),
                ),
            },
            Self::RowCountGreaterThan { table, min_count, schema: s } => match row_count(exec, s, table)? {
                None => (false, format!("Table {s}.{table} does not exist")),
                Some(n) => yes_no(
                    n > *min_count,
                    format!("Table {s}.{table} has {n} rows"),
                    format!("Table {s}.{table} has {n} rows, expected more than {min_count}"),
                ),
            },
            Self::TableIsEmpty { table, schema: s } => match row_count(exec, s, table)? {
                None => (false, format!("Table {s}.{table} does not exist")),
                Some(n) => {
                    yes_no(n == 0, format!("Table {s}.{table} is empty"), format!("Table {s}.{table} has {n} rows"))
                }
            },
            Self::CustomSql { sql, description, params } => {
                let mut q = Query::new(&format!("SELECT (({}))::boolean::text", strip_semicolon(sql)));
                // Custom SQL takes $1… placeholders for its params.
                if !params.is_empty() {
                    q = Query { pieces: split_numbered(&q.pieces[0], params.len()), params: params.clone() };
                }
                let ok = ask(exec, &q)?.as_deref() == Some("true");
                let label = if description.is_empty() { sql.as_str() } else { description.as_str() };
                yes_no(ok, format!("{label}: true"), format!("{label}: false"))
            }
        })
    }
}

fn strip_semicolon(sql: &str) -> &str {
    sql.trim().trim_end_matches(';').trim_end()
}

/// Splits SQL at `$1 … $n` so the executor can render its own placeholders.
fn split_numbered(sql: &str, n: usize) -> Vec<String> {
    let mut pieces = vec![sql.to_string()];
    for i in 1..=n {
        let marker = format!("${i}");
        let Some(last) = pieces.pop() else { break };
        match last.split_once(&marker) {
            Some((before, after)) => {
                pieces.push(before.to_string());
                pieces.push(after.to_string());
            }
            None => pieces.push(last),
        }
    }
    while pieces.len() < n + 1 {
        pieces.push(String::new());
    }
    pieces
}

/// A SQL migration's sidecar: `up_preconditions` and `down_preconditions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sidecar {
    pub up_preconditions: Vec<Precondition>,
    pub down_preconditions: Vec<Precondition>,
}

/// Reads a sidecar; an unknown `type` or field is an error listing the valid ones.
pub fn read_sidecar(path: &Path) -> Result<Sidecar, MigrateError> {
    let text = std::fs::read_to_string(path).map_err(|source| MigrateError::Io { path: path.to_path_buf(), source })?;
    if text.trim().is_empty() {
        return Ok(Sidecar::default());
    }
    serde_yaml::from_str(&text).map_err(|e| {
        let location = e.location().map(|l| format!("line {}: ", l.line())).unwrap_or_default();
        MigrateError::Sidecar {
            file: path.to_path_buf(),
            message: format!("{location}{e}; precondition types: {}", KINDS.join(", ")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecars_parse_with_defaults() {
        let s: Sidecar = serde_yaml::from_str(
            "up_preconditions:\n  - type: TableExists\n    table: users\n  - type: CustomSQL\n    sql: SELECT true\n    description: always\n",
        )
        .unwrap();
        assert_eq!(s.up_preconditions[0], Precondition::TableExists { table: "users".into(), schema: "public".into() });
        assert_eq!(s.up_preconditions[1].to_string(), "CustomSQL(always)");
        assert!(serde_yaml::from_str::<Sidecar>("up_preconditions:\n  - type: TableExist\n    table: x\n").is_err());
        assert!(serde_yaml::from_str::<Sidecar>("up_preconditions:\n  - type: TableExists\n    tabel: x\n").is_err());
    }

    #[test]
    fn numbered_placeholders_split() {
        assert_eq!(split_numbered("a $1 b $2 c", 2), vec!["a ", " b ", " c"]);
    }
}
