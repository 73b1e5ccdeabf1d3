//! What the database knows before the migrations run (read when it is reachable): the server
//! version, every table with its estimated rows and size, column types, validated CHECKs, and the
//! migrations already applied. A handful of catalog queries; nothing is changed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Serialize;

use crate::db::{Client, DbError, block_on, connect_url};
use crate::migrate::tracking::Tracking;
use crate::migrate::version::canonical;
use crate::schema::{QualifiedName, TypeRef};

/// A table's size when the lint ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableSize {
    /// `pg_class.reltuples` (None before the first ANALYZE/VACUUM).
    pub rows: Option<i64>,
    /// Table, indexes and TOAST.
    pub bytes: i64,
}

impl TableSize {
    /// `~1,200,000 rows, 180 MB` for messages.
    pub fn describe(&self) -> String {
        let size = human_bytes(self.bytes);
        match self.rows {
            Some(r) => format!("~{} rows, {size}", thousands(r)),
            None => format!("{size}, never analyzed"),
        }
    }
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn human_bytes(b: i64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{b} B") } else { format!("{v:.0} {}", UNITS[unit]) }
}

#[derive(Debug, Clone, Default)]
pub struct DatabaseFacts {
    /// `host:port/dbname`.
    pub target: String,
    pub server_version_num: i64,
    /// Tables, partitioned tables and materialized views.
    pub tables: BTreeMap<QualifiedName, TableSize>,
    /// `format_type` of each column (parsed when a rule asks).
    pub columns: BTreeMap<(QualifiedName, String), String>,
    /// Validated CHECK constraints (`pg_get_constraintdef`) per table.
    pub checks: BTreeMap<QualifiedName, Vec<String>>,
    /// Canonical versions of applied migrations (None: no tracking table).
    pub applied: Option<BTreeSet<String>>,
}

impl DatabaseFacts {
    pub fn column_type(&self, table: &QualifiedName, column: &str) -> Option<TypeRef> {
        let text = self.columns.get(&(table.clone(), column.to_string()))?;
        let sql = format!("SELECT NULL::{text}");
        let parsed = pg_query::parse(&sql, pg_query::ParserOptions::DEFAULT).ok()?;
        let stmt = parsed.protobuf.stmts.first()?.stmt.as_ref()?.node.as_ref()?;
        let pg_query::NodeEnum::SelectStmt(s) = stmt else { return None };
        let target = s.target_list.first()?.node.as_ref()?;
        let pg_query::NodeEnum::ResTarget(rt) = target else { return None };
        let pg_query::NodeEnum::TypeCast(tc) = rt.val.as_ref()?.node.as_ref()? else { return None };
        super::facts::column_type(tc.type_name.as_ref(), &["public".to_string()])
    }

    pub fn has_not_null_check(&self, table: &QualifiedName, column: &str) -> bool {
        self.checks.get(table).is_some_and(|defs| {
            defs.iter().any(|d| {
                let sql = format!("ALTER TABLE t ADD {d}");
                let Ok(parsed) = pg_query::parse(&sql, pg_query::ParserOptions::DEFAULT) else { return false };
                parsed.protobuf.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|n| n.node.as_ref()).is_some_and(
                    |n| match n {
                        pg_query::NodeEnum::AlterTableStmt(a) => a.cmds.iter().any(|c| match c.node.as_ref() {
                            Some(pg_query::NodeEnum::AlterTableCmd(cmd)) => {
                                match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                                    Some(pg_query::NodeEnum::Constraint(con)) => {
                                        super::facts::not_null_column(con.raw_expr.as_deref()).as_deref()
                                            == Some(column)
                                    }
                                    _ => false,
                                }
                            }
                            _ => false,
                        }),
                        _ => false,
                    },
                )
            })
        })
    }

    /// Whether a migration version is recorded as applied.
    pub fn is_applied(&self, version: &str) -> bool {
        self.applied.as_ref().is_some_and(|a| a.contains(canonical(version)))
    }
}

const USER_TABLES: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// Connects to `url` (giving up after `timeout`) and reads what the lint needs.
pub fn read(url: &str, tracking_table: &str, timeout: Duration) -> Result<DatabaseFacts, crate::Error> {
    block_on(async {
        let client = match tokio::time::timeout(timeout, connect_url(url)).await {
            Ok(c) => c?,
            Err(_) => {
                return Err(DbError::Connect {
                    target: crate::config::redact_url(url),
                    message: format!("no answer within {} s", timeout.as_secs()),
                    code: None,
                }
                .into());
            }
        };
        let result = read_all(&client, tracking_table).await;
        client.close().await;
        result
    })?
}

async fn read_all(client: &Client, tracking_table: &str) -> Result<DatabaseFacts, crate::Error> {
    let mut facts = DatabaseFacts { target: client.target().to_string(), ..DatabaseFacts::default() };
    client.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the lint snapshot").await?;
    let version =
        client.rows("SELECT current_setting('server_version_num')::int8", &[], "reading the server version").await?;
    facts.server_version_num = version.first().and_then(|r| r.try_get::<_, i64>(0).ok()).unwrap_or(0);
    let tables = client
        .rows(
            &format!(
                "SELECT n.nspname::text, c.relname::text, c.reltuples::float8, pg_catalog.pg_total_relation_size(c.oid)::int8 \
                 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p', 'm') AND {USER_TABLES}"
            ),
            &[],
            "reading table sizes",
        )
        .await?;
    for r in tables {
        let (schema, name): (String, String) = (r.try_get(0).unwrap_or_default(), r.try_get(1).unwrap_or_default());
        let tuples: f64 = r.try_get(2).unwrap_or(-1.0);
        let rows = (tuples >= 0.0).then_some(tuples as i64);
        facts.tables.insert(QualifiedName::new(schema, name), TableSize { rows, bytes: r.try_get(3).unwrap_or(0) });
    }
    let columns = client
        .rows(
            &format!(
                "SELECT n.nspname::text, c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) \
                 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {USER_TABLES}"
            ),
            &[],
            "reading columns",
        )
        .await?;
    for r in columns {
        let key = (
            QualifiedName::new(
                r.try_get::<_, String>(0).unwrap_or_default(),
                r.try_get::<_, String>(1).unwrap_or_default(),
            ),
            r.try_get::<_, String>(2).unwrap_or_default(),
        );
        facts.columns.insert(key, r.try_get(3).unwrap_or_default());
    }
    let checks = client
        .rows(
            &format!(
                "SELECT n.nspname::text, c.relname::text, pg_catalog.pg_get_constraintdef(co.oid) \
                 FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE co.contype = 'c' AND co.convalidated AND {USER_TABLES} ORDER BY 1, 2, 3"
            ),
            &[],
            "reading CHECK constraints",
        )
        .await?;
    for r in checks {
        let table = QualifiedName::new(
            r.try_get::<_, String>(0).unwrap_or_default(),
            r.try_get::<_, String>(1).unwrap_or_default(),
        );
        facts.checks.entry(table).or_default().push(r.try_get(2).unwrap_or_default());
    }
    if let Ok(tracking) = Tracking::parse(tracking_table) {
        let exists = client
            .rows("SELECT to_regclass($1) IS NOT NULL", &[&tracking.qualified()], "looking for the tracking table")
            .await?;
        if exists.first().and_then(|r| r.try_get::<_, bool>(0).ok()) == Some(true) {
            let rows = client
                .rows(&format!("SELECT version::text FROM {}", tracking.qualified()), &[], "reading applied migrations")
                .await?;
            facts.applied = Some(
                rows.iter().filter_map(|r| r.try_get::<_, String>(0).ok()).map(|v| canonical(&v).to_string()).collect(),
            );
        }
    }
    client.batch("ROLLBACK", "ending the lint snapshot").await?;
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(TableSize { rows: Some(1_234_567), bytes: 180 << 20 }.describe(), "~1,234,567 rows, 180 MB");
        assert_eq!(TableSize { rows: None, bytes: 8192 }.describe(), "8 kB, never analyzed");
        assert_eq!(TableSize { rows: Some(12), bytes: 100 }.describe(), "~12 rows, 100 B");
    }

    #[test]
    fn column_types_and_checks_from_catalog_text() {
        let t = QualifiedName::new("public", "users");
        let mut f = DatabaseFacts::default();
        f.columns.insert((t.clone(), "email".into()), "character varying(200)".into());
        f.checks.insert(t.clone(), vec!["CHECK ((email IS NOT NULL))".into(), "CHECK ((age > 0))".into()]);
        let ty = f.column_type(&t, "email").unwrap();
        assert_eq!((ty.name.as_str(), ty.modifiers.as_slice()), ("varchar", &["200".to_string()][..]));
        assert!(f.has_not_null_check(&t, "email"));
        assert!(!f.has_not_null_check(&t, "age"));
    }
}
