//! Data checks for migration tests (fraiseql-confiture's `DataValidator`), exact rather than
//! estimated: row counts with `count(*)` (statistics do not see the uncommitted rows a sandbox
//! test works with), rows that break a foreign key (checked for every foreign key: triggers can
//! be disabled and `session_replication_role` skips them) or a `NOT VALID` CHECK, and indexes a
//! failed `CREATE INDEX CONCURRENTLY` left invalid.
//!
//! Tables and constraints come from the schema model; each batch of checks is one query.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::TestkitError;
use crate::db::{Executor, Query, Row};
use crate::schema::{Catalog, ConstraintKind, IntrospectOptions, QualifiedName, Table, introspect_exec};
use crate::sql::{quote_ident, quote_literal, quote_qualified};

/// Rows that break one constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// `foreign_key` or `check`.
    pub kind: String,
    /// `schema.table`.
    pub table: String,
    pub constraint: String,
    pub definition: String,
    pub rows: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Exact row counts by `schema.table`.
    pub table_row_counts: BTreeMap<String, i64>,
    /// Rows that break a foreign key.
    pub foreign_key_violations: i64,
    /// PostgreSQL never stores NULL in a NOT NULL column: always 0 (kept for compatibility).
    pub null_violations: i64,
    /// Rows that break a `NOT VALID` CHECK constraint.
    pub constraint_violations: i64,
    #[serde(default)]
    pub violations: Vec<Violation>,
}

/// A table whose row count went the wrong way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountChange {
    pub table: String,
    pub before: i64,
    /// `None` when the table no longer exists.
    pub after: Option<i64>,
}

fn rows(exec: &mut dyn Executor, sql: &str, context: &str) -> Result<Vec<Row>, TestkitError> {
    exec.query(&Query::new(sql)).map_err(TestkitError::query(context))
}

/// Runs `f` in a savepoint (or transaction) that is rolled back: checks only read, and a failing
/// query must not abort the caller's transaction.
fn read_only<T>(
    exec: &mut dyn Executor,
    f: impl FnOnce(&mut dyn Executor) -> Result<T, crate::Error>,
) -> Result<T, crate::Error> {
    exec.begin().map_err(TestkitError::query("starting the checks"))?;
    let result = f(&mut *exec);
    let ended = exec.rollback().map_err(TestkitError::query("ending the checks"));
    let value = result?;
    ended?;
    Ok(value)
}

fn model(exec: &mut dyn Executor) -> Result<Catalog, crate::Error> {
    introspect_exec(exec, IntrospectOptions { include_grants: false, skip_unsupported: true })
}

fn full_name(q: &QualifiedName) -> String {
    format!("{}.{}", q.schema, q.name)
}

/// `ONLY` unless the table is partitioned: inheritance children are tables of their own, while a
/// partitioned table's rows live in its partitions.
fn from(cat: &Catalog, name: &QualifiedName) -> String {
    let partitioned = cat.tables.get(name).is_some_and(|t| t.partition_key.is_some());
    format!("{}{}", if partitioned { "" } else { "ONLY " }, name.sql())
}

/// The baseline: every table's exact row count and every constraint violation.
pub fn baseline(exec: &mut dyn Executor) -> Result<Baseline, crate::Error> {
    let cat = model(exec)?;
    read_only(exec, |e| {
        let mut b = Baseline::default();
        let counts: Vec<String> = cat
            .tables
            .keys()
            .map(|n| format!("SELECT {}, count(*)::text FROM {}", quote_literal(&full_name(n)), from(&cat, n)))
            .collect();
        if !counts.is_empty() {
            for row in rows(e, &counts.join(" UNION ALL "), "counting rows")? {
                if let (Some(Some(table)), Some(Some(n))) = (row.first(), row.get(1)) {
                    b.table_row_counts.insert(table.clone(), n.parse().unwrap_or(0));
                }
            }
        }
        b.violations = find_violations(e, &cat, |_, _| true)?;
        b.foreign_key_violations = b.violations.iter().filter(|v| v.kind == "foreign_key").map(|v| v.rows).sum();
        b.constraint_violations = b.violations.iter().filter(|v| v.kind == "check").map(|v| v.rows).sum();
        Ok(b)
    })
}

/// Every foreign key and `NOT VALID` CHECK that rows break (with how many rows).
pub fn violations(exec: &mut dyn Executor) -> Result<Vec<Violation>, crate::Error> {
    let cat = model(exec)?;
    read_only(exec, |e| find_violations(e, &cat, |_, _| true))
}

/// The foreign keys of `table` that include `column`, and the rows that break them.
pub fn foreign_key_violations(
    exec: &mut dyn Executor,
    table: &str,
    column: &str,
) -> Result<Vec<Violation>, crate::Error> {
    let cat = model(exec)?;
    let name = parse_table_name(table);
    let t = cat.tables.get(&name).ok_or_else(|| TestkitError::NoSuchTable { table: full_name(&name) })?;
    let has_fk = t
        .constraints
        .values()
        .any(|c| matches!(&c.kind, ConstraintKind::ForeignKey { columns, .. } if columns.iter().any(|x| x == column)));
    if !has_fk {
        return Err(TestkitError::NoForeignKey { table: full_name(&name), column: column.to_string() }.into());
    }
    read_only(exec, |e| {
        find_violations(e, &cat, |t, kind| {
            t.name == name
                && matches!(kind, ConstraintKind::ForeignKey { columns, .. } if columns.iter().any(|x| x == column))
        })
    })
}

/// `schema.table` or `table` (in `public`).
fn parse_table_name(name: &str) -> QualifiedName {
    match name.split_once('.') {
        Some((schema, table)) => QualifiedName::new(schema, table),
        None => QualifiedName::new("public", name),
    }
}

fn find_violations(
    exec: &mut dyn Executor,
    cat: &Catalog,
    wanted: impl Fn(&Table, &ConstraintKind) -> bool,
) -> Result<Vec<Violation>, crate::Error> {
    let mut checks: Vec<(Violation, String)> = Vec::new();
    for t in cat.tables.values() {
        for c in t.constraints.values().filter(|c| wanted(t, &c.kind)) {
            let condition = match &c.kind {
                ConstraintKind::ForeignKey { columns, references, referenced_columns, match_full, .. } => {
                    Some(("foreign_key", fk_breaks(cat, columns, references, referenced_columns, *match_full)))
                }
                ConstraintKind::Check { expr, .. } if !c.validated => Some(("check", format!("NOT ({})", expr.sql))),
                _ => None,
            };
            if let Some((kind, condition)) = condition {
                let v = Violation {
                    kind: kind.into(),
                    table: full_name(&t.name),
                    constraint: c.name.clone(),
                    definition: crate::diff::constraint_definition(c),
                    rows: 0,
                };
                let sql = format!("SELECT count(*)::text FROM {} AS c WHERE {condition}", from(cat, &t.name));
                checks.push((v, sql));
            }
        }
    }
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    let union: Vec<String> = checks.iter().enumerate().map(|(i, (_, sql))| format!("SELECT {i}, ({sql})")).collect();
    let found = rows(
        exec,
        &format!("SELECT i::text, n FROM ({}) AS v(i, n)", union.join(" UNION ALL ")),
        "checking constraints",
    )?;
    let mut out = Vec::new();
    for row in found {
        let i: usize = row.first().cloned().flatten().and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
        let n: i64 = row.get(1).cloned().flatten().and_then(|s| s.parse().ok()).unwrap_or(0);
        if n > 0
            && let Some((v, _)) = checks.get(i)
        {
            out.push(Violation { rows: n, ..v.clone() });
        }
    }
    out.sort_by(|a, b| (&a.table, &a.constraint).cmp(&(&b.table, &b.constraint)));
    Ok(out)
}

/// The rows (aliased `c`) whose key has no referenced row, as PostgreSQL's MATCH rule defines it.
fn fk_breaks(
    cat: &Catalog,
    columns: &[String],
    references: &QualifiedName,
    referenced: &[String],
    match_full: bool,
) -> String {
    let mine: Vec<String> = columns.iter().map(|c| format!("c.{}", quote_ident(c))).collect();
    let join: Vec<String> = mine.iter().zip(referenced).map(|(c, r)| format!("p.{} = {c}", quote_ident(r))).collect();
    let missing = format!("NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})", from(cat, references), join.join(" AND "));
    let nulls = format!("num_nulls({})", mine.join(", "));
    if match_full {
        // MATCH FULL: all-null passes, some-null fails, none-null needs a match.
        format!("(({nulls} = 0 AND {missing}) OR {nulls} NOT IN (0, {}))", mine.len())
    } else {
        // MATCH SIMPLE: any null passes.
        format!("({nulls} = 0 AND {missing})")
    }
}

/// Tables whose row count dropped (or, without `allow_additions`, changed) since `before`.
pub fn count_changes(before: &Baseline, after: &Baseline, allow_additions: bool) -> Vec<CountChange> {
    before
        .table_row_counts
        .iter()
        .filter_map(|(table, &b)| {
            let a = after.table_row_counts.get(table).copied();
            let wrong = match a {
                None => b > 0,
                Some(a) => a < b || (!allow_additions && a > b),
            };
            wrong.then(|| CountChange { table: table.clone(), before: b, after: a })
        })
        .collect()
}

/// Indexes that are not valid or not ready (`schema.table.index`).
pub fn invalid_indexes(exec: &mut dyn Executor) -> Result<Vec<String>, crate::Error> {
    read_only(exec, |e| {
        let sql = "SELECT n.nspname || '.' || t.relname || '.' || i.relname FROM pg_catalog.pg_index x \
             JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid JOIN pg_catalog.pg_class t ON t.oid = x.indrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace \
             WHERE NOT (x.indisvalid AND x.indisready) AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             ORDER BY 1";
        Ok(rows(e, sql, "looking for invalid indexes")?
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect())
    })
}

/// The exact row count of a table: `schema` and `table`, or a `schema.table` / search-path name.
pub fn row_count(exec: &mut dyn Executor, schema: Option<&str>, table: &str) -> Result<i64, crate::Error> {
    let name = match schema {
        Some(s) => quote_qualified(Some(s), table),
        None => match table.split_once('.') {
            Some((s, t)) => quote_qualified(Some(s), t),
            None => quote_ident(table),
        },
    };
    read_only(exec, |e| {
        let found = e
            .query(&Query::new("SELECT pg_catalog.to_regclass(").param(Some(name.clone())).sql(")::text"))
            .map_err(TestkitError::query("looking up the table"))?;
        let Some(regclass) = found.into_iter().next().and_then(|r| r.into_iter().next().flatten()) else {
            let shown = schema.map_or_else(|| table.to_string(), |s| format!("{s}.{table}"));
            return Err(TestkitError::NoSuchTable { table: shown }.into());
        };
        // `to_regclass(…)::text` is PostgreSQL's own quoted rendering of the name.
        let counted = rows(e, &format!("SELECT count(*)::text FROM {regclass}"), "counting rows")?;
        Ok(counted
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next().flatten())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_and_additions() {
        let b = |pairs: &[(&str, i64)]| Baseline {
            table_row_counts: pairs.iter().map(|(k, v)| ((*k).to_string(), *v)).collect(),
            ..Baseline::default()
        };
        let before = b(&[("public.a", 3), ("public.b", 2), ("public.gone", 1), ("public.empty_gone", 0)]);
        let after = b(&[("public.a", 3), ("public.b", 5), ("public.new", 7)]);
        let lost = count_changes(&before, &after, true);
        assert_eq!(lost, vec![CountChange { table: "public.gone".into(), before: 1, after: None }]);
        let changed: Vec<String> = count_changes(&before, &after, false).into_iter().map(|c| c.table).collect();
        assert_eq!(changed, ["public.b", "public.gone"]);
    }

    #[test]
    fn table_names() {
        assert_eq!(parse_table_name("app.users"), QualifiedName::new("app", "users"));
        assert_eq!(parse_table_name("users"), QualifiedName::new("public", "users"));
    }
}
