//! Dry runs.
//!
//! - **analysis** (`--dry-run`): nothing runs. Each statement of each pending SQL migration is parsed
//!   (pg_query) and reported with the lock it takes, whether it rewrites or scans a table, whether
//!   it destroys data, and the table's current size read from `pg_class`; a risk level follows.
//!   Python migrations can only be analysed by running them.
//! - **execute** (`--dry-run-execute`): the migrations run inside one transaction that is always
//!   rolled back (a savepoint per migration), recording the time each takes, the locks it actually
//!   took (`pg_locks`), the statements it ran, and the error that stopped it.

use serde::Serialize;

use super::MigrateError;
use super::body::SqlBody;
use super::files::{MigrationFile, MigrationKind};
use super::host::Direction;
use crate::db::{ExecError, Executor, Query, Row, ScriptError};
use crate::sql::effects::{LockMode, StatementEffects, analyze};
use crate::sql::quote_qualified;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

/// A relation a statement locks, with its size now.
#[derive(Debug, Clone, Serialize)]
pub struct LockedTable {
    pub relation: String,
    pub lock: String,
    pub created: bool,
    /// Estimated rows (`pg_class.reltuples`); None when unknown or the table does not exist.
    pub rows: Option<i64>,
    /// Total size in bytes (table, indexes, TOAST).
    pub bytes: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementAnalysis {
    pub line: usize,
    pub sql: String,
    pub operation: String,
    pub locks: Vec<LockedTable>,
    pub blocks_reads: bool,
    pub blocks_writes: bool,
    pub rewrites: bool,
    pub scans: bool,
    pub destructive: bool,
    pub modifies_rows: bool,
    pub transactional: bool,
    pub risk: Risk,
    /// Rough: table size at 100 MB/s for rewrites and index builds, 200 MB/s for scans.
    pub estimated_ms: i64,
    pub notes: Vec<String>,
}

/// What running a migration in the rolled-back transaction showed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Execution {
    pub execution_time_ms: i64,
    /// (relation, lock mode) taken by this migration.
    pub locks_taken: Vec<(String, String)>,
    pub statements_executed: usize,
    pub error: Option<String>,
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationAnalysis {
    pub version: String,
    pub name: String,
    pub file: String,
    pub kind: String,
    pub transactional: bool,
    pub statements: Vec<StatementAnalysis>,
    pub risk: Risk,
    pub estimated_ms: i64,
    pub notes: Vec<String>,
    pub execution: Option<Execution>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub unsafe_count: usize,
    pub total_estimated_time_ms: i64,
    pub total_estimated_disk_mb: f64,
    pub has_unsafe_statements: bool,
    pub highest_risk: Risk,
}

#[derive(Debug, Clone, Serialize)]
pub struct DryRunReport {
    pub migration_id: String,
    /// `analysis` or `execute_and_analyze`.
    pub mode: String,
    pub direction: Direction,
    pub statements_analyzed: usize,
    pub migrations: Vec<MigrationAnalysis>,
    pub summary: Summary,
    pub warnings: Vec<String>,
}

const MB: f64 = 1024.0 * 1024.0;

/// Analyses statements (SQL text) against the current database.
pub fn analyze_statements(
    exec: &mut dyn Executor,
    statements: &[(usize, String)],
) -> Result<Vec<StatementAnalysis>, MigrateError> {
    let mut out = Vec::new();
    for (line, sql) in statements {
        let effects = match analyze(sql) {
            Ok(mut e) if !e.is_empty() => e.remove(0),
            Ok(_) => continue,
            Err(message) => {
                out.push(StatementAnalysis {
                    line: *line,
                    sql: preview(sql),
                    operation: "unparsable statement".into(),
                    locks: Vec::new(),
                    blocks_reads: false,
                    blocks_writes: false,
                    rewrites: false,
                    scans: false,
                    destructive: false,
                    modifies_rows: false,
                    transactional: true,
                    risk: Risk::High,
                    estimated_ms: 0,
                    notes: vec![format!("PostgreSQL will reject it: {message}")],
                });
                continue;
            }
        };
        out.push(statement_analysis(exec, *line, sql, &effects)?);
    }
    Ok(out)
}

fn statement_analysis(
    exec: &mut dyn Executor,
    line: usize,
    sql: &str,
    e: &StatementEffects,
) -> Result<StatementAnalysis, MigrateError> {
    let mut locks = Vec::new();
    for l in &e.locks {
        let (rows, bytes) =
            if l.created { (None, None) } else { table_size(exec, l.relation.schema.as_deref(), &l.relation.name)? };
        locks.push(LockedTable {
            relation: l.relation.display(),
            lock: l.lock.name().into(),
            created: l.created,
            rows,
            bytes,
        });
    }
    let existing: Vec<&LockedTable> = locks.iter().filter(|l| !l.created).collect();
    let bytes: i64 = existing.iter().filter_map(|l| l.bytes).max().unwrap_or(0);
    let rows: i64 = existing.iter().filter_map(|l| l.rows).max().unwrap_or(0);
    let lock = e.strongest_lock();
    let size = if bytes > 1 << 30 || rows > 10_000_000 {
        3
    } else if bytes > 100 << 20 || rows > 1_000_000 {
        2
    } else if bytes > 8 << 20 || rows > 10_000 {
        1
    } else {
        0
    };
    let heavy = (e.rewrites || e.scans) && lock.is_some_and(LockMode::blocks_writes);
    let risk = if e.destructive && !existing.is_empty() {
        if size >= 2 { Risk::Critical } else { Risk::High }
    } else if e.destructive {
        Risk::Medium
    } else if heavy {
        [Risk::Medium, Risk::High, Risk::Critical, Risk::Critical][size]
    } else if e.modifies_rows {
        [Risk::Low, Risk::Medium, Risk::High, Risk::High][size]
    } else if lock == Some(LockMode::AccessExclusive) {
        if size >= 2 { Risk::Medium } else { Risk::Low }
    } else {
        Risk::Low
    };
    let throughput = if e.rewrites || (e.scans && e.operation.contains("INDEX")) { 100.0 } else { 200.0 };
    let estimated_ms =
        if e.rewrites || e.scans { ((bytes as f64 / MB) / throughput * 1000.0).round() as i64 } else { 0 };
    Ok(StatementAnalysis {
        line,
        sql: preview(sql),
        operation: e.operation.clone(),
        blocks_reads: lock.is_some_and(LockMode::blocks_reads),
        blocks_writes: lock.is_some_and(LockMode::blocks_writes),
        locks,
        rewrites: e.rewrites,
        scans: e.scans,
        destructive: e.destructive,
        modifies_rows: e.modifies_rows,
        transactional: e.transactional,
        risk,
        estimated_ms,
        notes: e.notes.clone(),
    })
}

fn table_size(
    exec: &mut dyn Executor,
    schema: Option<&str>,
    name: &str,
) -> Result<(Option<i64>, Option<i64>), MigrateError> {
    let rows: Vec<Row> = exec
        .query(
            &Query::new("SELECT c.reltuples::bigint::text, pg_catalog.pg_total_relation_size(c.oid)::text FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(")
                .param(Some(quote_qualified(schema, name)))
                .sql(")"),
        )
        .map_err(|e| MigrateError::exec("reading table sizes", e))?;
    Ok(match rows.into_iter().next() {
        Some(mut r) => {
            r.resize(2, None);
            let tuples = r[0].take().and_then(|v| v.parse::<i64>().ok()).filter(|n| *n >= 0);
            (tuples, r[1].take().and_then(|v| v.parse().ok()))
        }
        None => (None, None),
    })
}

fn preview(sql: &str) -> String {
    let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 160 { one_line.chars().take(157).collect::<String>() + "…" } else { one_line }
}

/// The static analysis of one migration in one direction.
pub fn analyze_migration(
    exec: &mut dyn Executor,
    m: &MigrationFile,
    direction: Direction,
) -> Result<MigrationAnalysis, MigrateError> {
    let (file, kind, transactional, statements, notes) = match &m.kind {
        MigrationKind::Sql { up, down, .. } => {
            let path = match direction {
                Direction::Up => Some(up.clone()),
                Direction::Down => down.clone(),
            };
            match path {
                Some(p) => {
                    let body = SqlBody::load(&p)?;
                    let stmts: Vec<(usize, String)> =
                        body.statements.iter().map(|s| (s.line, s.text(&body.text).to_string())).collect();
                    let mut notes = Vec::new();
                    if !body.transactional {
                        notes.push("runs outside a transaction (-- confiture: no-transaction): a failure half-way is not undone".into());
                    }
                    (file_name(&p), "sql", body.transactional, analyze_statements(exec, &stmts)?, notes)
                }
                None => {
                    (file_name(up), "sql", true, Vec::new(), vec!["no .down.sql file: cannot be rolled back".into()])
                }
            }
        }
        MigrationKind::Python { file } => (
            file_name(file),
            "python",
            true,
            Vec::new(),
            vec!["Python migration: its statements are known only when it runs (use --dry-run-execute)".into()],
        ),
        MigrationKind::External { .. } => (String::new(), "python", true, Vec::new(), Vec::new()),
    };
    let risk = statements.iter().map(|s| s.risk).max().unwrap_or(Risk::Low);
    let estimated_ms = statements.iter().map(|s| s.estimated_ms).sum();
    Ok(MigrationAnalysis {
        version: m.version.clone(),
        name: m.name.clone(),
        file,
        kind: kind.into(),
        transactional,
        statements,
        risk,
        estimated_ms,
        notes,
        execution: None,
    })
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Puts a report together.
pub fn report(
    migration_id: &str,
    mode: &str,
    direction: Direction,
    migrations: Vec<MigrationAnalysis>,
    warnings: Vec<String>,
) -> DryRunReport {
    let statements: Vec<&StatementAnalysis> = migrations.iter().flat_map(|m| m.statements.iter()).collect();
    let unsafe_count = statements.iter().filter(|s| s.risk >= Risk::High).count()
        + migrations.iter().filter(|m| m.execution.as_ref().is_some_and(|e| e.error.is_some())).count();
    // fold from +0.0: an empty f64 sum is -0.0.
    let disk: f64 = statements
        .iter()
        .filter(|s| s.rewrites || (s.scans && s.operation.contains("INDEX")))
        .map(|s| s.locks.iter().filter_map(|l| l.bytes).max().unwrap_or(0) as f64 / MB)
        .fold(0.0, |a, b| a + b);
    let total_ms = migrations
        .iter()
        .map(|m| m.execution.as_ref().filter(|e| e.skipped.is_none()).map_or(m.estimated_ms, |e| e.execution_time_ms))
        .sum();
    DryRunReport {
        migration_id: migration_id.to_string(),
        mode: mode.to_string(),
        direction,
        statements_analyzed: statements.len(),
        summary: Summary {
            unsafe_count,
            total_estimated_time_ms: total_ms,
            total_estimated_disk_mb: (disk * 10.0).round() / 10.0,
            has_unsafe_statements: unsafe_count > 0,
            highest_risk: migrations.iter().map(|m| m.risk).max().unwrap_or(Risk::Low),
        },
        migrations,
        warnings,
    }
}

/// Relation locks this session holds: (relation, mode).
pub fn held_locks(exec: &mut dyn Executor) -> Result<Vec<(String, String)>, MigrateError> {
    let rows = exec
        .query(&Query::new(
            "SELECT coalesce(n.nspname || '.' || c.relname, l.relation::text)::text, l.mode::text \
             FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation \
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation' \
             AND coalesce(n.nspname, '') NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
             ORDER BY 1, 2",
        ))
        .map_err(|e| MigrateError::exec("reading pg_locks", e))?;
    Ok(rows
        .into_iter()
        .filter_map(|mut r| {
            r.resize(2, None);
            Some((r[0].take()?, lock_mode_name(&r[1].take()?)))
        })
        .collect())
}

/// `AccessExclusiveLock` (pg_locks) → `ACCESS EXCLUSIVE` (the SQL name, as the analysis reports).
fn lock_mode_name(mode: &str) -> String {
    let mut out = String::new();
    for (i, c) in mode.strip_suffix("Lock").unwrap_or(mode).char_indices() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// An executor that remembers the SQL run through it (to analyse what a Python migration did).
pub struct Recording {
    pub inner: Box<dyn Executor>,
    pub statements: Vec<String>,
}

impl Executor for Recording {
    fn execute(&mut self, sql: &str) -> Result<(), ExecError> {
        self.statements.push(sql.to_string());
        self.inner.execute(sql)
    }

    fn query(&mut self, query: &Query) -> Result<Vec<Row>, ExecError> {
        self.statements.push(query.numbered());
        self.inner.query(query)
    }

    fn execute_script(&mut self, statements: &[&str]) -> Result<(), ScriptError> {
        self.statements.extend(statements.iter().map(|s| s.to_string()));
        self.inner.execute_script(statements)
    }

    fn copy_in(&mut self, statement: &str, data: &[u8]) -> Result<u64, ExecError> {
        self.statements.push(statement.to_string());
        self.inner.copy_in(statement, data)
    }

    fn run(&mut self, sql: &str) -> Result<crate::db::ClientResult, ExecError> {
        self.statements.push(sql.to_string());
        self.inner.run(sql)
    }

    fn autocommit(&mut self, on: bool) -> Result<(), ExecError> {
        self.inner.autocommit(on)
    }

    fn begin(&mut self) -> Result<(), ExecError> {
        self.inner.begin()
    }

    fn commit(&mut self) -> Result<(), ExecError> {
        self.inner.commit()
    }

    fn rollback(&mut self) -> Result<(), ExecError> {
        self.inner.rollback()
    }
}

/// Stands in for an executor while it is borrowed elsewhere; every call fails.
pub struct Unavailable;

impl Executor for Unavailable {
    fn execute(&mut self, _: &str) -> Result<(), ExecError> {
        Err(ExecError::client("the connection is in use by a dry run"))
    }

    fn query(&mut self, _: &Query) -> Result<Vec<Row>, ExecError> {
        Err(ExecError::client("the connection is in use by a dry run"))
    }

    fn copy_in(&mut self, _: &str, _: &[u8]) -> Result<u64, ExecError> {
        Err(ExecError::client("the connection is in use by a dry run"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pg_lock_modes_read_as_sql() {
        assert_eq!(super::lock_mode_name("AccessExclusiveLock"), "ACCESS EXCLUSIVE");
        assert_eq!(super::lock_mode_name("ShareRowExclusiveLock"), "SHARE ROW EXCLUSIVE");
        assert_eq!(super::lock_mode_name("ShareLock"), "SHARE");
    }
}
