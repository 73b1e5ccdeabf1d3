//! Applying and rolling back migrations.
//!
//! Each migration runs in its own transaction together with its tracking row (unless it opts out:
//! `-- confiture: no-transaction`, or `transactional = False`); the first failure stops the batch
//! and earlier migrations stay applied. The advisory lock is taken before anything is read or
//! written and released on every exit path. Checksums of applied files are verified before `up`.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::MigrateError;
use super::body::SqlBody;
use super::error::{ChecksumMismatch, MigrationFailure, Problem};
use super::files::{MigrationFile, MigrationKind, Scan, checksum};
use super::host::{Direction, Event, HookPhase, Host};
use super::lock::{self, LockMode};
use super::preconditions::read_sidecar;
use super::tracking::{AppliedRow, Tracking};
use super::version::{canonical, compare, same};
use crate::db::{Executor, SharedExecutor};

/// What to do when an applied file's checksum changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnMismatch {
    Fail,
    Warn,
    Ignore,
}

#[derive(Debug, Clone)]
pub struct UpOptions {
    pub target: Option<String>,
    /// Re-run migrations even if applied; skip checksum verification.
    pub force: bool,
    /// Refuse to run with orphaned files or other warnings.
    pub strict: bool,
    /// `None` runs without the lock (`--no-lock`).
    pub lock: Option<LockMode>,
    pub verify_checksums: bool,
    pub on_mismatch: OnMismatch,
}

impl Default for UpOptions {
    fn default() -> Self {
        Self {
            target: None,
            force: false,
            strict: false,
            lock: Some(LockMode::Blocking { timeout_ms: 30_000 }),
            verify_checksums: true,
            on_mismatch: OnMismatch::Fail,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub version: String,
    pub name: String,
    pub execution_time_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UpReport {
    pub applied: Vec<Done>,
    pub warnings: Vec<String>,
    /// File names of `.sql` files that are not `.up.sql`/`.down.sql` and so were not applied.
    pub orphaned_migrations: Vec<String>,
    pub checksum_mismatches: Vec<ChecksumMismatch>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DownReport {
    pub rolled_back: Vec<Done>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BaselineReport {
    pub marked: Vec<String>,
    pub skipped: Vec<String>,
    pub dry_run: bool,
}

/// One migration's state.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationStatus {
    pub version: String,
    pub name: String,
    /// `applied` or `pending`.
    pub status: String,
    pub file: String,
    pub applied_at: Option<String>,
    pub execution_time_ms: Option<i64>,
    /// `ok`, `changed`, `not_recorded` (applied without a checksum), or null when pending.
    pub checksum: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
    pub current: Option<String>,
    pub total: usize,
    pub migrations: Vec<MigrationStatus>,
    pub orphaned_migrations: Vec<String>,
    /// Applied according to the database, but no file has that version.
    pub applied_without_file: Vec<AppliedRow>,
    pub problems: Vec<Problem>,
    pub tracking_table: String,
    pub tracking_table_exists: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub verified: usize,
    pub mismatches: Vec<ChecksumMismatch>,
    /// Applied migrations without a stored checksum (recorded by `--fix`).
    pub not_recorded: Vec<String>,
    pub missing_files: Vec<String>,
    pub fixed: usize,
}

/// Drives migrations over an executor.
pub struct Runner<'h> {
    exec: SharedExecutor,
    host: &'h mut dyn Host,
    tracking: Tracking,
}

impl<'h> Runner<'h> {
    pub fn new(exec: SharedExecutor, host: &'h mut dyn Host, table: &str) -> Result<Self, MigrateError> {
        Ok(Self { exec, host, tracking: Tracking::parse(table)? })
    }

    pub fn tracking(&self) -> &Tracking {
        &self.tracking
    }

    /// Runs `f` on the runner's executor.
    pub fn with_executor<T>(
        &self,
        f: impl FnOnce(&mut dyn Executor) -> Result<T, MigrateError>,
    ) -> Result<T, MigrateError> {
        self.with_exec(f)
    }

    fn with_exec<T>(&self, f: impl FnOnce(&mut dyn Executor) -> Result<T, MigrateError>) -> Result<T, MigrateError> {
        let mut guard = crate::db::lock(&self.exec);
        f(guard.as_mut())
    }

    /// Runs `f` holding the migration lock (when `mode` is set), releasing it on every path.
    fn locked<T>(
        &mut self,
        mode: Option<LockMode>,
        f: impl FnOnce(&mut Self) -> Result<T, MigrateError>,
    ) -> Result<T, MigrateError> {
        let Some(mode) = mode else { return f(self) };
        let id = self.with_exec(|e| {
            let db = e.database_name().map_err(|err| MigrateError::exec("reading the database name", err))?;
            Ok(lock::lock_id(&db))
        })?;
        self.with_exec(|e| lock::acquire(e, id, mode))?;
        self.host.event(Event::LockAcquired);
        let result = f(self);
        let released = self.with_exec(|e| lock::release(e, id));
        match (result, released) {
            (Ok(v), Ok(())) => Ok(v),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    }

    /// The applied rows (none when the tracking table does not exist yet).
    pub fn applied(&self) -> Result<Vec<AppliedRow>, MigrateError> {
        self.with_exec(|e| self.tracking.applied(e))
    }

    /// Creates the tracking table if needed (under the lock).
    pub fn initialize(&mut self, lock_mode: Option<LockMode>) -> Result<(), MigrateError> {
        self.locked(lock_mode, |r| r.with_exec(|e| r.tracking.ensure(e)))
    }

    pub fn status(&self, scan: &Scan) -> Result<StatusReport, MigrateError> {
        let exists = self.with_exec(|e| self.tracking.exists(e))?;
        let rows = if exists { self.applied()? } else { Vec::new() };
        let mut report = StatusReport {
            applied: Vec::new(),
            pending: Vec::new(),
            current: None,
            total: scan.migrations.len(),
            migrations: Vec::new(),
            orphaned_migrations: scan
                .orphans()
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect(),
            applied_without_file: rows.iter().filter(|r| scan.find(&r.version).is_none()).cloned().collect(),
            problems: scan.problems.clone(),
            tracking_table: self.tracking.qualified(),
            tracking_table_exists: exists,
        };
        let by_version: HashMap<&str, &AppliedRow> = rows.iter().map(|r| (canonical(&r.version), r)).collect();
        let matched: Vec<Option<&AppliedRow>> =
            scan.migrations.iter().map(|m| by_version.get(canonical(&m.version)).copied()).collect();
        // Checksums of applied files, read and hashed in parallel.
        let states: Vec<Option<String>> = scan
            .migrations
            .par_iter()
            .zip(matched.par_iter())
            .map(|(m, row)| {
                row.map(|r| match &r.checksum {
                    None => "not_recorded".to_string(),
                    Some(stored) => {
                        if checksum(m.path()).ok().as_deref() == Some(stored.as_str()) { "ok" } else { "changed" }
                            .to_string()
                    }
                })
            })
            .collect();
        for ((m, row), checksum_state) in scan.migrations.iter().zip(matched).zip(states) {
            if row.is_some() {
                report.applied.push(m.version.clone());
                report.current = Some(m.version.clone());
            } else {
                report.pending.push(m.version.clone());
            }
            report.migrations.push(MigrationStatus {
                version: m.version.clone(),
                name: m.name.clone(),
                status: if row.is_some() { "applied" } else { "pending" }.into(),
                file: m.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                applied_at: row.map(|r| r.applied_at.clone()),
                execution_time_ms: row.and_then(|r| r.execution_time_ms),
                checksum: checksum_state,
            });
        }
        Ok(report)
    }

    /// Compares stored checksums with the files.
    pub fn verify(
        &mut self,
        scan: &Scan,
        fix: bool,
        lock_mode: Option<LockMode>,
    ) -> Result<VerifyReport, MigrateError> {
        let work = |r: &mut Self| -> Result<VerifyReport, MigrateError> {
            let rows = r.applied()?;
            let mut report = VerifyReport::default();
            // Files are read and hashed in parallel, compared in the rows' order.
            let actuals: Vec<Option<String>> = rows
                .par_iter()
                .map(|row| scan.find(&row.version).map(|file| checksum(file.path())).transpose())
                .collect::<Result<_, MigrateError>>()?;
            for (row, actual) in rows.iter().zip(actuals) {
                let (Some(file), Some(actual)) = (scan.find(&row.version), actual) else {
                    report.missing_files.push(format!("{}_{}", row.version, row.name));
                    continue;
                };
                match &row.checksum {
                    None => report.not_recorded.push(file.label()),
                    Some(expected) if *expected != actual => report.mismatches.push(ChecksumMismatch {
                        version: row.version.clone(),
                        name: row.name.clone(),
                        file_path: file.path().to_path_buf(),
                        expected: expected.clone(),
                        actual: actual.clone(),
                    }),
                    Some(_) => report.verified += 1,
                }
                if fix && row.checksum.as_deref() != Some(actual.as_str()) {
                    r.with_exec(|e| r.tracking.update_checksum(e, &row.version, &actual))?;
                    report.fixed += 1;
                }
            }
            Ok(report)
        };
        if fix { self.locked(lock_mode, work) } else { work(self) }
    }

    /// Applies pending migrations (up to `target`).
    pub fn up(&mut self, scan: &Scan, options: &UpOptions) -> Result<UpReport, MigrateError> {
        let mut report = UpReport::default();
        let blocking = scan.blocking_problems();
        if !blocking.is_empty() {
            return Err(MigrateError::Problems { problems: blocking });
        }
        for orphan in scan.orphans() {
            report.warnings.push(format!("orphaned migration file {} will not be applied", orphan.display()));
            report
                .orphaned_migrations
                .push(orphan.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        }
        if options.strict && !report.warnings.is_empty() {
            return Err(MigrateError::Strict(report.warnings.join("; ")));
        }
        if let Some(t) = &options.target {
            check_target(scan, t)?;
        }
        self.locked(options.lock, |r| {
            r.with_exec(|e| r.tracking.ensure(e))?;
            let rows = r.applied()?;
            if !options.force && options.verify_checksums {
                let mismatches = mismatches(scan, &rows)?;
                if !mismatches.is_empty() {
                    match options.on_mismatch {
                        OnMismatch::Fail => return Err(MigrateError::Checksum { mismatches }),
                        OnMismatch::Warn => {
                            for m in &mismatches {
                                let message = format!(
                                    "checksum of {} changed since it was applied (expected {}, actual {})",
                                    m.file_path.display(),
                                    m.expected,
                                    m.actual
                                );
                                r.host.event(Event::Warning { message: message.clone() });
                                report.warnings.push(message);
                            }
                            report.checksum_mismatches = mismatches;
                        }
                        OnMismatch::Ignore => {}
                    }
                } else {
                    r.host.event(Event::ChecksumsVerified);
                }
            }
            let applied: BTreeSet<&str> = rows.iter().map(|row| canonical(&row.version)).collect();
            for m in &scan.migrations {
                if let Some(t) = &options.target
                    && compare(&m.version, t) == std::cmp::Ordering::Greater
                {
                    r.host.event(Event::SkippedAfterTarget { version: m.version.clone() });
                    continue;
                }
                let is_applied = applied.contains(canonical(&m.version));
                if is_applied && !options.force {
                    continue;
                }
                r.host.event(Event::Applying { version: m.version.clone(), name: m.name.clone() });
                let ms = r.apply_one(m, is_applied)?;
                r.host.event(Event::Applied {
                    version: m.version.clone(),
                    name: m.name.clone(),
                    execution_time_ms: ms,
                });
                report.applied.push(Done { version: m.version.clone(), name: m.name.clone(), execution_time_ms: ms });
            }
            Ok(report)
        })
    }

    /// Applies one migration (the Python API's `Migrator.apply`), refusing an applied one unless `force`.
    pub fn apply(&mut self, m: &MigrationFile, force: bool) -> Result<i64, MigrateError> {
        self.with_exec(|e| self.tracking.ensure(e))?;
        let applied = self.applied()?.iter().any(|r| same(&r.version, &m.version));
        if applied && !force {
            return Err(MigrateError::AlreadyApplied { version: m.version.clone(), name: m.name.clone() });
        }
        self.apply_one(m, applied)
    }

    /// Rolls back one applied migration (the Python API's `Migrator.rollback`).
    pub fn rollback(&mut self, m: &MigrationFile) -> Result<i64, MigrateError> {
        let applied = self.applied()?.iter().any(|r| same(&r.version, &m.version));
        if !applied {
            return Err(MigrateError::NotApplied { version: m.version.clone(), name: m.name.clone() });
        }
        self.rollback_one(m)
    }

    /// Rolls back the last `steps` applied migrations, or every one after `target`.
    pub fn down(
        &mut self,
        scan: &Scan,
        steps: Option<usize>,
        target: Option<&str>,
        lock_mode: Option<LockMode>,
    ) -> Result<DownReport, MigrateError> {
        if steps == Some(0) {
            return Err(MigrateError::Usage("--steps must be at least 1".into()));
        }
        if let Some(t) = target {
            check_target(scan, t)?;
        }
        self.locked(lock_mode, |r| {
            let rows = r.applied()?;
            let chosen: Vec<&AppliedRow> = match target {
                Some(t) => {
                    rows.iter().rev().filter(|row| compare(&row.version, t) == std::cmp::Ordering::Greater).collect()
                }
                None => rows.iter().rev().take(steps.unwrap_or(1)).collect(),
            };
            // Every file must be there before anything is rolled back.
            let mut files = Vec::new();
            for row in &chosen {
                let file = scan.find(&row.version).ok_or_else(|| MigrateError::FileMissing {
                    version: row.version.clone(),
                    name: row.name.clone(),
                })?;
                if let MigrationKind::Sql { down: None, up, .. } = &file.kind {
                    return Err(MigrateError::Problems {
                        problems: vec![Problem::MissingDown {
                            up: up.clone(),
                            expected: up.with_extension("").with_extension("down.sql"),
                        }],
                    });
                }
                files.push(file);
            }
            let mut report = DownReport::default();
            for m in files {
                r.host.event(Event::RollingBack { version: m.version.clone(), name: m.name.clone() });
                let ms = r.rollback_one(m)?;
                r.host.event(Event::RolledBack {
                    version: m.version.clone(),
                    name: m.name.clone(),
                    execution_time_ms: ms,
                });
                report.rolled_back.push(Done {
                    version: m.version.clone(),
                    name: m.name.clone(),
                    execution_time_ms: ms,
                });
            }
            Ok(report)
        })
    }

    /// Marks migrations up to `through` as applied without running them.
    pub fn baseline(
        &mut self,
        scan: &Scan,
        through: &str,
        dry_run: bool,
        lock_mode: Option<LockMode>,
    ) -> Result<BaselineReport, MigrateError> {
        check_target(scan, through)?;
        let work = |r: &mut Self| -> Result<BaselineReport, MigrateError> {
            if !dry_run {
                r.with_exec(|e| r.tracking.ensure(e))?;
            }
            let applied: BTreeSet<String> =
                r.applied()?.iter().map(|row| canonical(&row.version).to_string()).collect();
            let mut report = BaselineReport { dry_run, ..BaselineReport::default() };
            for m in scan.migrations.iter().filter(|m| compare(&m.version, through) != std::cmp::Ordering::Greater) {
                if applied.contains(canonical(&m.version)) {
                    report.skipped.push(m.label());
                    continue;
                }
                if !dry_run {
                    let sum = checksum(m.path())?;
                    r.with_exec(|e| r.tracking.insert(e, &m.version, &m.name, 0, Some(&sum), Some("baseline")))?;
                }
                report.marked.push(m.label());
            }
            Ok(report)
        };
        if dry_run { work(self) } else { self.locked(lock_mode, work) }
    }

    /// The migrations `up` would apply (pending, up to `target`).
    pub fn pending<'s>(&self, scan: &'s Scan, target: Option<&str>) -> Result<Vec<&'s MigrationFile>, MigrateError> {
        if let Some(t) = target {
            check_target(scan, t)?;
        }
        let applied: BTreeSet<String> = self.applied()?.iter().map(|row| canonical(&row.version).to_string()).collect();
        Ok(scan
            .migrations
            .iter()
            .filter(|m| !applied.contains(canonical(&m.version)))
            .filter(|m| target.is_none_or(|t| compare(&m.version, t) != std::cmp::Ordering::Greater))
            .collect())
    }

    /// The migrations `down` would roll back, newest first.
    pub fn rollback_selection<'s>(
        &self,
        scan: &'s Scan,
        steps: Option<usize>,
        target: Option<&str>,
    ) -> Result<Vec<&'s MigrationFile>, MigrateError> {
        if steps == Some(0) {
            return Err(MigrateError::Usage("--steps must be at least 1".into()));
        }
        let rows = self.applied()?;
        let chosen: Vec<&AppliedRow> = match target {
            Some(t) => {
                check_target(scan, t)?;
                rows.iter().rev().filter(|row| compare(&row.version, t) == std::cmp::Ordering::Greater).collect()
            }
            None => rows.iter().rev().take(steps.unwrap_or(1)).collect(),
        };
        chosen
            .into_iter()
            .map(|row| {
                scan.find(&row.version)
                    .ok_or_else(|| MigrateError::FileMissing { version: row.version.clone(), name: row.name.clone() })
            })
            .collect()
    }

    /// Dry run of `selection`: static analysis, and with `execute` a run inside a transaction that
    /// is always rolled back (under the migration lock, so it never interleaves with a real run).
    pub fn dry_run(
        &mut self,
        selection: &[&MigrationFile],
        direction: Direction,
        execute: bool,
        lock_mode: Option<LockMode>,
        migration_id: &str,
    ) -> Result<super::dryrun::DryRunReport, MigrateError> {
        let mut analyses = Vec::new();
        for m in selection {
            analyses.push(self.with_exec(|e| super::dryrun::analyze_migration(e, m, direction))?);
        }
        if !execute {
            return Ok(super::dryrun::report(migration_id, "analysis", direction, analyses, Vec::new()));
        }
        self.locked(lock_mode, |r| {
            r.with_exec(|e| e.begin().map_err(|err| MigrateError::exec("starting the dry-run transaction", err)))?;
            let result = r.dry_run_execute(selection, direction, &mut analyses);
            let rolled_back =
                r.with_exec(|e| e.rollback().map_err(|err| MigrateError::exec("rolling the dry run back", err)));
            result?;
            rolled_back?;
            Ok(super::dryrun::report(migration_id, "execute_and_analyze", direction, analyses, Vec::new()))
        })
    }

    fn dry_run_execute(
        &mut self,
        selection: &[&MigrationFile],
        direction: Direction,
        analyses: &mut [super::dryrun::MigrationAnalysis],
    ) -> Result<(), MigrateError> {
        use super::dryrun::{Execution, Recording, Risk, Unavailable, analyze_statements, held_locks};
        self.with_exec(|e| self.tracking.ensure(e))?;
        for (m, analysis) in selection.iter().zip(analyses.iter_mut()) {
            let (transactional, body) = self.transactional(m, direction)?;
            if !transactional {
                analysis.execution = Some(Execution {
                    skipped: Some(
                        "runs outside a transaction, so it cannot run inside the dry run's rolled-back transaction"
                            .into(),
                    ),
                    ..Execution::default()
                });
                continue;
            }
            let before = self.with_exec(held_locks)?;
            self.with_exec(|e| {
                e.execute("SAVEPOINT confiture_dry_run").map_err(|err| MigrateError::exec("dry run", err))
            })?;
            let started = Instant::now();
            let (outcome, executed) = match &body {
                Some(body) => {
                    let outcome = self.with_exec(|e| Ok(body.run(e)))?.map_err(|f| {
                        let (line, _, _) = body.locate(f.index, f.offset);
                        format!("line {line}: {}", f.error)
                    });
                    (outcome, body.statements.len())
                }
                None => {
                    // Record what the Python migration runs, to analyse it afterwards.
                    let inner = std::mem::replace(&mut *crate::db::lock(&self.exec), Box::new(Unavailable));
                    *crate::db::lock(&self.exec) = Box::new(Recording { inner, statements: Vec::new() });
                    let outcome = self.host.run(m, direction, &self.exec).map_err(|e| e.to_string());
                    let recording = std::mem::replace(&mut *crate::db::lock(&self.exec), Box::new(Unavailable));
                    let statements = recording_statements(recording, &self.exec);
                    let count = statements.len();
                    let numbered: Vec<(usize, String)> = statements.into_iter().map(|s| (0, s)).collect();
                    analysis.statements = self.with_exec(|e| analyze_statements(e, &numbered))?;
                    analysis.notes = vec!["statements recorded while it ran in the rolled-back transaction".into()];
                    analysis.risk = analysis.statements.iter().map(|s| s.risk).max().unwrap_or(Risk::Low);
                    (outcome, count)
                }
            };
            let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
            let error = outcome.err();
            // After a failure the transaction is aborted and pg_locks cannot be read; rolling back
            // to the savepoint releases what the migration took anyway.
            let locks_taken = if error.is_some() {
                self.with_exec(|e| {
                    e.execute("ROLLBACK TO SAVEPOINT confiture_dry_run")
                        .map_err(|err| MigrateError::exec("dry run", err))
                })?;
                Vec::new()
            } else {
                self.with_exec(held_locks)?.into_iter().filter(|l| !before.contains(l)).collect()
            };
            analysis.execution = Some(Execution {
                execution_time_ms: ms,
                locks_taken,
                statements_executed: executed,
                error: error.clone(),
                skipped: None,
            });
            if error.is_some() {
                // Later migrations may depend on this one: stop like a real run would.
                break;
            }
        }
        Ok(())
    }

    fn transactional(
        &mut self,
        m: &MigrationFile,
        direction: Direction,
    ) -> Result<(bool, Option<SqlBody>), MigrateError> {
        match &m.kind {
            MigrationKind::Sql { up, down, .. } => {
                let path = match direction {
                    Direction::Up => up.clone(),
                    Direction::Down => down.clone().ok_or_else(|| MigrateError::Problems {
                        problems: vec![Problem::MissingDown {
                            up: up.clone(),
                            expected: up.with_extension("").with_extension("down.sql"),
                        }],
                    })?,
                };
                let body = SqlBody::load(&path)?;
                Ok((body.transactional, Some(body)))
            }
            MigrationKind::Python { .. } | MigrationKind::External { .. } => {
                let info = self.host.describe(m)?;
                if !same(&info.version, &m.version) {
                    return Err(MigrateError::Usage(format!(
                        "{} declares version {} but its file name says {}; make them agree",
                        m.path().display(),
                        info.version,
                        m.version
                    )));
                }
                Ok((info.transactional, None))
            }
        }
    }

    fn apply_one(&mut self, m: &MigrationFile, already_applied: bool) -> Result<i64, MigrateError> {
        self.run_one(m, Direction::Up, if already_applied { Record::Checksum } else { Record::Insert })
    }

    fn rollback_one(&mut self, m: &MigrationFile) -> Result<i64, MigrateError> {
        self.run_one(m, Direction::Down, Record::Delete)
    }

    /// The tracking write that goes with a migration, in its transaction.
    fn record(
        &self,
        e: &mut dyn Executor,
        m: &MigrationFile,
        record: Record,
        sum: Option<&str>,
        ms: i64,
    ) -> Result<(), MigrateError> {
        match (record, sum) {
            (Record::Insert, sum) => self.tracking.insert(e, &m.version, &m.name, ms, sum, None),
            (Record::Checksum, Some(sum)) => self.tracking.update_checksum(e, &m.version, sum),
            (Record::Checksum, None) => Ok(()),
            (Record::Delete, _) => self.tracking.delete(e, &m.version),
        }
    }

    /// The same write as SQL text, for `run_in_one_message`.
    fn record_sql(&self, m: &MigrationFile, record: Record, sum: &str) -> String {
        match record {
            Record::Insert => self.tracking.insert_sql(&m.version, &m.name, Some(sum)),
            Record::Checksum => self.tracking.update_checksum_sql(&m.version, sum),
            Record::Delete => self.tracking.delete_sql(&m.version),
        }
    }

    /// Whether a migration can travel as one message — `BEGIN`, its statements, the tracking
    /// write, `COMMIT` — saving four round trips per migration. Only when nothing has to happen
    /// between those steps: no hooks, no sidecar preconditions, no COPY data, and a connection the
    /// runner owns.
    fn fits_one_message(&self, m: &MigrationFile, body: &SqlBody) -> bool {
        body.transactional
            && matches!(&m.kind, MigrationKind::Sql { sidecar: None, .. })
            && body.statements.iter().all(|s| matches!(s.kind, crate::sql::StatementKind::Sql))
            && !self.host.has_hooks(m)
            && crate::db::lock(&self.exec).inline_transactions()
    }

    fn run_in_one_message(
        &mut self,
        m: &MigrationFile,
        direction: Direction,
        body: &SqlBody,
        record: Record,
    ) -> Result<i64, MigrateError> {
        let tracking = self.record_sql(m, record, &body.checksum());
        let mut script = Vec::with_capacity(body.statements.len() + 3);
        script.push("BEGIN");
        script.extend(body.statement_texts());
        script.push(&tracking);
        script.push("COMMIT");
        let started = Instant::now();
        let result = self.with_exec(|e| Ok(e.execute_script(&script)))?;
        let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let Err(failure) = result else { return Ok(ms) };
        // The transaction is aborted (or, for a failed COMMIT, already over): end it.
        let _ = self.with_exec(|e| e.execute("ROLLBACK").map_err(|err| MigrateError::exec("rolling back", err)));
        let count = body.statements.len();
        let error = match failure.index {
            i if (1..=count).contains(&i) => {
                let (line, column, statement) = body.locate(i - 1, failure.offset);
                MigrateError::Failed(Box::new(MigrationFailure {
                    version: m.version.clone(),
                    name: m.name.clone(),
                    file: Some(body.path.clone()),
                    direction: direction.as_str().into(),
                    statement: Some(statement),
                    line: Some(line),
                    column,
                    message: failure.error.to_string(),
                    error: failure.error.info.as_deref().cloned(),
                    outcome: String::new(),
                }))
            }
            i if i == count + 1 => MigrateError::exec(format!("recording migration {}", m.version), failure.error),
            i if i == count + 2 => MigrateError::exec("committing the migration (deferred constraints)", failure.error),
            _ => MigrateError::exec("starting the migration's transaction", failure.error),
        };
        let outcome = format!(
            "the migration's transaction was rolled back: nothing of {} was {}",
            m.label(),
            if direction == Direction::Up { "applied" } else { "rolled back" }
        );
        Err(with_outcome(error, m, direction, outcome))
    }

    /// One migration, one direction: hooks, preconditions, body, bookkeeping, in its transaction.
    fn run_one(&mut self, m: &MigrationFile, direction: Direction, record: Record) -> Result<i64, MigrateError> {
        let (transactional, body) = self.transactional(m, direction)?;
        if let Some(body) = body.as_ref().filter(|b| self.fits_one_message(m, b)) {
            return self.run_in_one_message(m, direction, body, record);
        }
        if transactional {
            self.with_exec(|e| {
                e.begin().map_err(|err| MigrateError::exec("starting the migration's transaction", err))
            })?;
        } else {
            self.with_exec(|e| e.autocommit(true).map_err(|err| MigrateError::exec("switching to autocommit", err)))?;
        }
        let mut completed = 0usize;
        let outcome = (|| -> Result<i64, MigrateError> {
            self.host.hooks(m, direction, HookPhase::BeforeValidation, &self.exec, None)?;
            self.check_preconditions(m, direction)?;
            self.host.hooks(m, direction, HookPhase::BeforeDdl, &self.exec, None)?;
            let started = Instant::now();
            match &body {
                Some(body) => {
                    let result = self.with_exec(|e| Ok(body.run(e)));
                    if let Err(failure) = result? {
                        completed = failure.completed;
                        let (line, column, statement) = body.locate(failure.index, failure.offset);
                        return Err(MigrateError::Failed(Box::new(MigrationFailure {
                            version: m.version.clone(),
                            name: m.name.clone(),
                            file: Some(body.path.clone()),
                            direction: direction.as_str().into(),
                            statement: Some(statement),
                            line: Some(line),
                            column,
                            message: failure.error.to_string(),
                            error: failure.error.info.as_deref().cloned(),
                            outcome: String::new(),
                        })));
                    }
                }
                None => self.host.run(m, direction, &self.exec)?,
            }
            let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
            self.host.hooks(m, direction, HookPhase::AfterDdl, &self.exec, None)?;
            self.host.hooks(m, direction, HookPhase::AfterValidation, &self.exec, None)?;
            // The checksum of the bytes that ran (SQL), or of the file (Python).
            let sum = match (&body, &m.kind) {
                (Some(body), _) => Some(body.checksum()),
                (None, MigrationKind::External { file: None, .. }) => None,
                (None, _) => Some(checksum(m.path())?),
            };
            self.with_exec(|e| self.record(e, m, record, sum.as_deref(), ms))?;
            Ok(ms)
        })();
        if !transactional {
            self.with_exec(|e| e.autocommit(false).map_err(|err| MigrateError::exec("leaving autocommit", err)))?;
        }
        match outcome {
            Ok(ms) => {
                if transactional {
                    self.with_exec(|e| e.commit().map_err(|err| MigrateError::exec("committing the migration", err)))?;
                }
                self.host.hooks(m, direction, HookPhase::Cleanup, &self.exec, None)?;
                Ok(ms)
            }
            Err(error) => {
                if transactional {
                    let _ = self.with_exec(|e| e.rollback().map_err(|err| MigrateError::exec("rolling back", err)));
                }
                let message = error.to_string();
                // Error and cleanup hooks are best effort: the migration's error is what matters.
                let _ = self.host.hooks(m, direction, HookPhase::Error, &self.exec, Some(&message));
                let _ = self.host.hooks(m, direction, HookPhase::Cleanup, &self.exec, Some(&message));
                let outcome = if transactional {
                    format!(
                        "the migration's transaction was rolled back: nothing of {} was {}",
                        m.label(),
                        if direction == Direction::Up { "applied" } else { "rolled back" }
                    )
                } else {
                    format!(
                        "{} runs outside a transaction: {completed} statement(s) completed and were NOT undone; \
                         manual cleanup may be required",
                        m.label()
                    )
                };
                Err(with_outcome(error, m, direction, outcome))
            }
        }
    }

    fn check_preconditions(&mut self, m: &MigrationFile, direction: Direction) -> Result<(), MigrateError> {
        let failures = match &m.kind {
            MigrationKind::Sql { sidecar: Some(path), .. } => {
                let sidecar = read_sidecar(path)?;
                let list = match direction {
                    Direction::Up => sidecar.up_preconditions,
                    Direction::Down => sidecar.down_preconditions,
                };
                let mut failures = Vec::new();
                for p in list {
                    let result =
                        self.with_exec(|e| p.check(e).map_err(|err| MigrateError::exec(format!("checking {p}"), err)));
                    match result {
                        Ok((true, _)) => {}
                        Ok((false, message)) => failures.push((p.to_string(), message)),
                        Err(e) => failures.push((p.to_string(), format!("Check failed with error: {e}"))),
                    }
                }
                failures
            }
            MigrationKind::Sql { sidecar: None, .. } => Vec::new(),
            MigrationKind::Python { .. } | MigrationKind::External { .. } => {
                self.host.check_preconditions(m, direction, &self.exec)?
            }
        };
        if failures.is_empty() {
            Ok(())
        } else {
            Err(MigrateError::Preconditions { version: m.version.clone(), name: m.name.clone(), failures })
        }
    }
}

/// Puts the outcome on a failure (and wraps other errors as failures of this migration).
fn with_outcome(error: MigrateError, m: &MigrationFile, direction: Direction, outcome: String) -> MigrateError {
    match error {
        MigrateError::Failed(mut f) => {
            f.outcome = outcome;
            MigrateError::Failed(f)
        }
        MigrateError::Host { message, statement, error } => MigrateError::Failed(Box::new(MigrationFailure {
            version: m.version.clone(),
            name: m.name.clone(),
            file: (!m.path().as_os_str().is_empty()).then(|| m.path().to_path_buf()),
            direction: direction.as_str().into(),
            statement,
            line: None,
            column: None,
            message,
            error: error.map(|e| *e),
            outcome,
        })),
        MigrateError::Exec { context, error } => MigrateError::Failed(Box::new(MigrationFailure {
            version: m.version.clone(),
            name: m.name.clone(),
            file: (!m.path().as_os_str().is_empty()).then(|| m.path().to_path_buf()),
            direction: direction.as_str().into(),
            statement: None,
            line: None,
            column: None,
            message: format!("{context}: {error}"),
            error: error.info.as_deref().cloned(),
            outcome,
        })),
        other => other,
    }
}

fn check_target(scan: &Scan, target: &str) -> Result<(), MigrateError> {
    if scan.find(target).is_some() {
        Ok(())
    } else {
        Err(MigrateError::VersionNotFound {
            version: target.to_string(),
            available: scan.migrations.iter().map(|m| m.version.clone()).collect(),
        })
    }
}

fn mismatches(scan: &Scan, rows: &[AppliedRow]) -> Result<Vec<ChecksumMismatch>, MigrateError> {
    // Files are read and hashed in parallel; the result keeps the rows' order.
    let found: Vec<Option<ChecksumMismatch>> = rows
        .par_iter()
        .map(|row| {
            let (Some(expected), Some(file)) = (&row.checksum, scan.find(&row.version)) else { return Ok(None) };
            let actual = checksum(file.path())?;
            Ok((*expected != actual).then(|| ChecksumMismatch {
                version: row.version.clone(),
                name: row.name.clone(),
                file_path: file.path().to_path_buf(),
                expected: expected.clone(),
                actual,
            }))
        })
        .collect::<Result<_, MigrateError>>()?;
    Ok(found.into_iter().flatten().collect())
}

/// What a migration run writes to the tracking table.
#[derive(Debug, Clone, Copy)]
enum Record {
    /// A new row (up).
    Insert,
    /// Re-applied with `--force`: the row stays, with the file's current checksum.
    Checksum,
    /// Rolled back: the row goes.
    Delete,
}

/// Puts the recording's inner executor back and returns what it recorded.
fn recording_statements(recording: Box<dyn Executor>, shared: &SharedExecutor) -> Vec<String> {
    let any: Box<dyn std::any::Any + Send> = recording;
    match any.downcast::<super::dryrun::Recording>() {
        Ok(r) => {
            let r = *r;
            *crate::db::lock(shared) = r.inner;
            r.statements
        }
        // Unreachable: the runner put the `Recording` there itself. The connection stays
        // `Unavailable`, so any later use fails loudly rather than silently.
        Err(_) => Vec::new(),
    }
}
