//! Migrations: the CLI's commands (on Confiture's own connection, given as a URL) and the
//! `Migrator` API (on the caller's psycopg connection). Python migrations, their preconditions and
//! hooks run through a Python "host" object (`confiture.core._host`), called back from the runner.

use std::path::PathBuf;

use confiture_core::db::SharedExecutor;
use confiture_core::migrate::dryrun::DryRunReport;
use confiture_core::migrate::files::{MigrationFile, MigrationKind, fix_orphans};
use confiture_core::migrate::generate::generate;
use confiture_core::migrate::lock::{self, LockMode};
use confiture_core::migrate::preconditions::Precondition;
use confiture_core::migrate::runner::{OnMismatch, UpOptions};
use confiture_core::migrate::{Direction, Event, ExternalInfo, HookPhase, Host, MigrateError, Runner, checksum, scan};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::Deserialize;

use crate::convert::{from_py, to_py};
use crate::executor::{EngineHandle, executor_for, native_executor, pg_info};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<EngineHandle>()?;
    for f in [
        wrap_pyfunction!(migrate_scan, m)?,
        wrap_pyfunction!(migrate_status, m)?,
        wrap_pyfunction!(migrate_up, m)?,
        wrap_pyfunction!(migrate_up_async, m)?,
        wrap_pyfunction!(roundtrip_check, m)?,
        wrap_pyfunction!(migrate_find, m)?,
        wrap_pyfunction!(migrate_down, m)?,
        wrap_pyfunction!(migrate_baseline, m)?,
        wrap_pyfunction!(migrate_verify, m)?,
        wrap_pyfunction!(migrate_dry_run, m)?,
        wrap_pyfunction!(migrate_generate, m)?,
        wrap_pyfunction!(migrate_fix_naming, m)?,
        wrap_pyfunction!(migrator_initialize, m)?,
        wrap_pyfunction!(migrator_applied, m)?,
        wrap_pyfunction!(migrator_apply, m)?,
        wrap_pyfunction!(migrator_rollback, m)?,
        wrap_pyfunction!(migrator_mark_applied, m)?,
        wrap_pyfunction!(lock_id, m)?,
        wrap_pyfunction!(lock_acquire, m)?,
        wrap_pyfunction!(lock_release, m)?,
        wrap_pyfunction!(lock_holder, m)?,
        wrap_pyfunction!(check_precondition, m)?,
        wrap_pyfunction!(checksum_file, m)?,
        wrap_pyfunction!(analyze_sql, m)?,
        wrap_pyfunction!(checksum_bytes, m)?,
        wrap_pyfunction!(order_hooks, m)?,
        wrap_pyfunction!(migrator_dry_run, m)?,
        wrap_pyfunction!(migrator_update_checksum, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}

/// The Python side of a run. Exceptions it raises are kept, so the original can be re-raised.
struct PyHost {
    host: Option<Py<PyAny>>,
    /// Whether hooks can apply to SQL file migrations (registered ones); see `new`.
    sql_hooks: bool,
    raised: Option<PyErr>,
}

impl PyHost {
    fn new(host: Option<&Bound<'_, PyAny>>) -> Self {
        let host = host.filter(|h| !h.is_none());
        // Without registered hooks, SQL migrations have none: skip six Python calls per migration.
        let sql_hooks = host
            .and_then(|h| h.getattr("has_registered_hooks").ok())
            .and_then(|v| v.extract::<bool>().ok())
            .unwrap_or(true);
        Self { host: host.map(|h| h.clone().unbind()), sql_hooks, raised: None }
    }

    fn call(
        &mut self,
        method: &str,
        build: impl FnOnce(Python<'_>) -> PyResult<Vec<Bound<'_, PyAny>>>,
    ) -> Result<Py<PyAny>, MigrateError> {
        let Some(host) = &self.host else {
            return Err(MigrateError::Usage("Python migrations need the confiture Python package".into()));
        };
        Python::attach(|py| {
            let outcome = build(py).and_then(|args| {
                let args = pyo3::types::PyTuple::new(py, args)?;
                host.bind(py).call_method1(method, args).map(Bound::unbind)
            });
            outcome.map_err(|e| {
                let value = e.value(py);
                let error = MigrateError::Host {
                    message: value.to_string(),
                    statement: value.getattr("sql").ok().filter(|s| !s.is_none()).and_then(|s| s.extract().ok()),
                    error: pg_info(value).map(Box::new),
                };
                self.raised = Some(e);
                error
            })
        })
    }
}

fn migration_dict<'py>(py: Python<'py>, m: &MigrationFile) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, m)
}

impl Host for PyHost {
    fn describe(&mut self, m: &MigrationFile) -> Result<ExternalInfo, MigrateError> {
        let info = self.call("describe", |py| Ok(vec![migration_dict(py, m)?]))?;
        Python::attach(|py| {
            let info = info.bind(py);
            let get = |k: &str| info.get_item(k);
            Ok(ExternalInfo {
                version: get("version")?.extract()?,
                name: get("name")?.extract()?,
                transactional: get("transactional")?.extract()?,
            })
        })
        .map_err(|e: PyErr| MigrateError::Usage(format!("describing {}: {e}", m.path().display())))
    }

    fn run(&mut self, m: &MigrationFile, direction: Direction, exec: &SharedExecutor) -> Result<(), MigrateError> {
        let handle = EngineHandle { exec: exec.clone() };
        self.call("run", |py| {
            Ok(vec![
                migration_dict(py, m)?,
                direction.as_str().into_pyobject(py)?.into_any(),
                Bound::new(py, handle)?.into_any(),
            ])
        })
        .map(drop)
    }

    fn check_preconditions(
        &mut self,
        m: &MigrationFile,
        direction: Direction,
        exec: &SharedExecutor,
    ) -> Result<Vec<(String, String)>, MigrateError> {
        let handle = EngineHandle { exec: exec.clone() };
        let failures = self.call("check_preconditions", |py| {
            Ok(vec![
                migration_dict(py, m)?,
                direction.as_str().into_pyobject(py)?.into_any(),
                Bound::new(py, handle)?.into_any(),
            ])
        })?;
        Python::attach(|py| failures.bind(py).extract::<Vec<(String, String)>>())
            .map_err(|e| MigrateError::Usage(format!("checking preconditions of {}: {e}", m.label())))
    }

    fn hooks(
        &mut self,
        m: &MigrationFile,
        direction: Direction,
        phase: HookPhase,
        exec: &SharedExecutor,
        error: Option<&str>,
    ) -> Result<(), MigrateError> {
        if !self.has_hooks(m) {
            return Ok(());
        }
        let handle = EngineHandle { exec: exec.clone() };
        let phase = serde_json::to_value(phase).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        self.call("hooks", |py| {
            Ok(vec![
                migration_dict(py, m)?,
                direction.as_str().into_pyobject(py)?.into_any(),
                phase.into_pyobject(py)?.into_any(),
                Bound::new(py, handle)?.into_any(),
                error.into_pyobject(py)?.into_any(),
            ])
        })
        .map(drop)
    }

    fn has_hooks(&self, m: &MigrationFile) -> bool {
        self.host.is_some() && (self.sql_hooks || !matches!(m.kind, MigrationKind::Sql { .. }))
    }

    fn event(&mut self, event: Event) {
        if self.host.is_some() {
            // Progress reporting must never break a migration run.
            let _ = self.call("event", |py| Ok(vec![to_py(py, &event)?]));
            self.raised = None;
        }
    }
}

/// Turns a runner error into a Python exception, re-raising what Python code raised:
/// `MigrationError` and `HookError` unchanged (with the failure's details added as attributes, as
/// fraiseql-confiture re-raised them), anything else wrapped in `MigrationError` with it as cause.
fn raise(py: Python<'_>, host: &mut PyHost, error: confiture_core::Error) -> PyErr {
    let raised = host.raised.take();
    match (&error, raised) {
        (confiture_core::Error::Migrate(MigrateError::Host { .. }), Some(original)) => original,
        (confiture_core::Error::Migrate(MigrateError::Failed(_)), Some(original)) => {
            let converted = crate::errors::to_py(py, error);
            if passes_through(py, &original) {
                let value = original.value(py);
                let details = converted.value(py);
                for attr in ["version", "migration_name", "file", "direction", "outcome", "error_message"] {
                    let unset = value.getattr(attr).map_or(true, |existing| existing.is_none());
                    if unset && let Ok(v) = details.getattr(attr) {
                        let _ = value.setattr(attr, v);
                    }
                }
                return original;
            }
            converted.set_cause(py, Some(original));
            converted
        }
        _ => crate::errors::to_py(py, error),
    }
}

fn passes_through(py: Python<'_>, e: &PyErr) -> bool {
    let class = |module: &str, name: &str| py.import(module).and_then(|m| m.getattr(name)).ok();
    [class("confiture.exceptions", "MigrationError"), class("confiture.core.hooks.base", "HookError")]
        .into_iter()
        .flatten()
        .any(|cls| e.value(py).is_instance(&cls).unwrap_or(false))
}

/// Runs `f` with a runner, without the GIL, converting errors (and keeping Python's own).
fn with_runner<T: Send, E: Into<confiture_core::Error>>(
    py: Python<'_>,
    target: &Bound<'_, PyAny>,
    table: &str,
    host: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&mut Runner<'_>) -> Result<T, E> + Send,
) -> PyResult<T> {
    let exec = executor_for(py, target)?;
    let mut py_host = PyHost::new(host);
    let table = table.to_string();
    let result = py.detach(|| -> Result<T, confiture_core::Error> {
        confiture_core::process::enter()?;
        let mut runner = Runner::new(exec, &mut py_host, &table)?;
        f(&mut runner).map_err(Into::into)
    });
    result.map_err(|e| raise(py, &mut py_host, e))
}

fn lock_mode(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<LockMode>> {
    #[derive(Deserialize)]
    struct Spec {
        enabled: Option<bool>,
        timeout_ms: Option<u64>,
        blocking: Option<bool>,
    }
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Some(LockMode::Blocking { timeout_ms: 30_000 }));
    };
    let spec: Spec = from_py(value, "lock settings")?;
    if spec.enabled == Some(false) {
        return Ok(None);
    }
    Ok(Some(if spec.blocking == Some(false) {
        LockMode::NonBlocking
    } else {
        LockMode::Blocking { timeout_ms: spec.timeout_ms.unwrap_or(30_000) }
    }))
}

/// Reads the migrations directory: `{"migrations": [...], "problems": [...]}`.
#[pyfunction]
fn migrate_scan(py: Python<'_>, directory: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let scanned = engine(py, || Ok(scan(&directory)?))?;
    to_py(py, &scanned)
}

/// The migrations of a directory with this version (as versions compare: `3` is `003`), or this
/// full name (`003_add_users`): every match, so the caller can tell none from several.
#[pyfunction]
#[pyo3(signature = (directory, version = None, name = None))]
fn migrate_find<'py>(
    py: Python<'py>,
    directory: PathBuf,
    version: Option<String>,
    name: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let found = engine(py, || {
        let scanned = scan(&directory)?;
        Ok(scanned
            .migrations
            .into_iter()
            .filter(|m| {
                version.as_deref().is_none_or(|v| confiture_core::migrate::version::same(&m.version, v))
                    && name.as_deref().is_none_or(|n| m.label() == n)
            })
            .collect::<Vec<_>>())
    })?;
    to_py(py, &found)
}

/// Applied and pending migrations (reads only; a missing tracking table means nothing applied).
#[pyfunction]
fn migrate_status<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    directory: PathBuf,
    table: String,
) -> PyResult<Bound<'py, PyAny>> {
    let report = with_runner(py, target, &table, None, |r| r.status(&scan(&directory)?))?;
    to_py(py, &report)
}

#[derive(Deserialize)]
struct UpSpec {
    target: Option<String>,
    #[serde(default)]
    force: bool,
    #[serde(default)]
    strict: bool,
    #[serde(default = "yes")]
    verify_checksums: bool,
    on_mismatch: Option<String>,
}

fn yes() -> bool {
    true
}

fn up_options(options: &Bound<'_, PyAny>, lock: Option<&Bound<'_, PyAny>>) -> PyResult<UpOptions> {
    let spec: UpSpec = from_py(options, "up options")?;
    let on_mismatch = match spec.on_mismatch.as_deref().unwrap_or("fail") {
        "fail" => OnMismatch::Fail,
        "warn" => OnMismatch::Warn,
        "ignore" => OnMismatch::Ignore,
        other => return Err(PyValueError::new_err(format!("invalid on_mismatch {other:?}: use fail, warn or ignore"))),
    };
    Ok(UpOptions {
        target: spec.target,
        force: spec.force,
        strict: spec.strict,
        lock: lock_mode(lock)?,
        verify_checksums: spec.verify_checksums,
        on_mismatch,
    })
}

/// Applies pending migrations.
#[pyfunction]
#[pyo3(signature = (target, directory, table, options, lock = None, host = None))]
fn migrate_up<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    directory: PathBuf,
    table: String,
    options: &Bound<'py, PyAny>,
    lock: Option<&Bound<'py, PyAny>>,
    host: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = up_options(options, lock)?;
    let report = with_runner(py, target, &table, host, |r| r.up(&scan(&directory)?, &options))?;
    to_py(py, &report)
}

/// `migrate_up` on a database URL, awaitable: the connection, the runner and every migration run
/// on the engine's blocking pool (Python migrations attach to the interpreter there).
#[pyfunction]
#[pyo3(signature = (url, directory, table, options, lock = None, host = None))]
#[allow(clippy::too_many_arguments, reason = "mirrors migrate_up")]
fn migrate_up_async<'py>(
    py: Python<'py>,
    url: String,
    directory: PathBuf,
    table: String,
    options: &Bound<'py, PyAny>,
    lock: Option<&Bound<'py, PyAny>>,
    host: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = up_options(options, lock)?;
    let py_host = std::sync::Arc::new(std::sync::Mutex::new(PyHost::new(host)));
    let worker_host = std::sync::Arc::clone(&py_host);
    crate::aio::awaitable(
        py,
        move || {
            let exec = native_executor(&url)?;
            let mut guard = worker_host.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut runner = Runner::new(exec, &mut *guard, &table)?;
            Ok(runner.up(&scan(&directory)?, &options)?)
        },
        move |py, result| match result {
            Ok(report) => Ok(to_py(py, &report)?.unbind()),
            Err(e) => {
                let mut guard = py_host.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                Err(raise(py, &mut guard, e))
            }
        },
    )
}

/// The migration round trip (up → down → up, schemas compared) of `version` on a database.
#[pyfunction]
#[pyo3(signature = (target, directory, table, version, host = None))]
fn roundtrip_check<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    directory: PathBuf,
    table: String,
    version: String,
    host: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let report = with_runner(py, target, &table, host, |r| -> Result<_, confiture_core::Error> {
        confiture_core::testkit::roundtrip::check(r, &scan(&directory)?, &version)
    })?;
    to_py(py, &report)
}

/// Rolls back the last `steps` migrations, or every one after `to`.
#[pyfunction]
#[pyo3(signature = (target, directory, table, steps = None, to = None, lock = None, host = None))]
#[allow(clippy::too_many_arguments, reason = "mirrors the CLI's options")]
fn migrate_down<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    directory: PathBuf,
    table: String,
    steps: Option<usize>,
    to: Option<String>,
    lock: Option<&Bound<'py, PyAny>>,
    host: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mode = lock_mode(lock)?;
    let report = with_runner(py, target, &table, host, |r| r.down(&scan(&directory)?, steps, to.as_deref(), mode))?;
    to_py(py, &report)
}

/// Marks migrations through `through` as applied without running them.
#[pyfunction]
#[pyo3(signature = (target, directory, table, through, dry_run = false, lock = None))]
fn migrate_baseline<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    directory: PathBuf,
    table: String,
    through: String,
    dry_run: bool,
    lock: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mode = lock_mode(lock)?;
    let report = with_runner(py, target, &table, None, |r| r.baseline(&scan(&directory)?, &through, dry_run, mode))?;
    to_py(py, &report)
}

/// Compares stored checksums with the files (and with `fix`, updates them).
#[pyfunction]
#[pyo3(signature = (target, directory, table, fix = false))]
fn migrate_verify<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    directory: PathBuf,
    table: String,
    fix: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let report = with_runner(py, target, &table, None, |r| {
        r.verify(&scan(&directory)?, fix, Some(LockMode::Blocking { timeout_ms: 30_000 }))
    })?;
    to_py(py, &report)
}

/// Dry run: `mode` is `analysis` or `execute`; `direction` `up` (pending up to `to`) or `down`
/// (last `steps`, or all after `to`).
#[pyfunction]
#[pyo3(signature = (target, directory, table, mode, direction, steps = None, to = None, migration_id = "dry_run".to_string(), lock = None, host = None))]
#[allow(clippy::too_many_arguments, reason = "mirrors the CLI's options")]
fn migrate_dry_run<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    directory: PathBuf,
    table: String,
    mode: String,
    direction: String,
    steps: Option<usize>,
    to: Option<String>,
    migration_id: String,
    lock: Option<&Bound<'py, PyAny>>,
    host: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let execute = match mode.as_str() {
        "analysis" => false,
        "execute" => true,
        other => return Err(PyValueError::new_err(format!("invalid dry-run mode {other:?}"))),
    };
    let direction = match direction.as_str() {
        "up" => Direction::Up,
        "down" => Direction::Down,
        other => return Err(PyValueError::new_err(format!("invalid direction {other:?}"))),
    };
    let lock_mode = lock_mode(lock)?;
    let report: DryRunReport = with_runner(py, target, &table, host, |r| {
        let scanned = scan(&directory)?;
        let blocking = scanned.blocking_problems();
        if !blocking.is_empty() {
            return Err(MigrateError::Problems { problems: blocking });
        }
        let selection = match direction {
            Direction::Up => r.pending(&scanned, to.as_deref())?,
            Direction::Down => r.rollback_selection(&scanned, steps, to.as_deref())?,
        };
        r.dry_run(&selection, direction, execute, lock_mode, &migration_id)
    })?;
    to_py(py, &report)
}

/// Writes a new migration (`.py`, or `.up.sql` + `.down.sql` with `sql`); returns the paths.
#[pyfunction]
#[pyo3(signature = (directory, name, sql = false))]
fn migrate_generate(py: Python<'_>, directory: PathBuf, name: String, sql: bool) -> PyResult<Vec<PathBuf>> {
    engine(py, || Ok(generate(&directory, &name, sql)?))
}

/// Renames orphaned `X.sql` files to `X.up.sql` (`dry_run`: only says what it would do).
#[pyfunction]
#[pyo3(signature = (directory, dry_run = false))]
fn migrate_fix_naming(py: Python<'_>, directory: PathBuf, dry_run: bool) -> PyResult<Bound<'_, PyAny>> {
    let fixed = engine(py, || Ok(fix_orphans(&scan(&directory)?, dry_run)))?;
    to_py(py, &fixed)
}

/// Creates the tracking table if missing.
#[pyfunction]
#[pyo3(signature = (connection, table = "tb_confiture".to_string()))]
fn migrator_initialize<'py>(py: Python<'py>, connection: &Bound<'py, PyAny>, table: String) -> PyResult<()> {
    with_runner(py, connection, &table, None, |r| r.initialize(None))
}

/// The applied rows, oldest first.
#[pyfunction]
#[pyo3(signature = (connection, table = "tb_confiture".to_string()))]
fn migrator_applied<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    table: String,
) -> PyResult<Bound<'py, PyAny>> {
    let rows = with_runner(py, connection, &table, None, |r| r.applied())?;
    to_py(py, &rows)
}

#[derive(Deserialize)]
struct ExternalSpec {
    version: String,
    name: String,
    id: u64,
    file: Option<PathBuf>,
}

fn external(spec: &Bound<'_, PyAny>) -> PyResult<MigrationFile> {
    let spec: ExternalSpec = from_py(spec, "migration")?;
    Ok(MigrationFile {
        version: spec.version,
        name: spec.name,
        kind: MigrationKind::External { id: spec.id, file: spec.file },
    })
}

/// Applies one migration object (`Migrator.apply`).
#[pyfunction]
#[pyo3(signature = (connection, table, migration, force, host))]
fn migrator_apply<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    table: String,
    migration: &Bound<'py, PyAny>,
    force: bool,
    host: &Bound<'py, PyAny>,
) -> PyResult<i64> {
    let m = external(migration)?;
    with_runner(py, connection, &table, Some(host), |r| r.apply(&m, force))
}

/// Rolls back one migration object (`Migrator.rollback`).
#[pyfunction]
fn migrator_rollback<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    table: String,
    migration: &Bound<'py, PyAny>,
    host: &Bound<'py, PyAny>,
) -> PyResult<i64> {
    let m = external(migration)?;
    with_runner(py, connection, &table, Some(host), |r| r.rollback(&m))
}

/// Records a migration file as applied without running it (`Migrator.mark_applied`); returns its
/// version (None when it was already applied).
#[pyfunction]
fn migrator_mark_applied<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    table: String,
    file: PathBuf,
) -> PyResult<Option<String>> {
    with_runner(py, connection, &table, None, |r| {
        let dir = file.parent().map(PathBuf::from).unwrap_or_default();
        let scanned = scan(&dir)?;
        let m = scanned
            .migrations
            .iter()
            .find(|m| m.path() == file)
            .ok_or_else(|| MigrateError::Usage(format!("{} is not a migration file", file.display())))?;
        let report = r.baseline(&scanned, &m.version, false, None)?;
        Ok::<_, MigrateError>(report.marked.first().map(|_| m.version.clone()))
    })
}

/// The advisory lock id of a database name.
#[pyfunction]
fn lock_id(database: &str) -> i32 {
    lock::lock_id(database)
}

fn on_executor<T: Send>(
    py: Python<'_>,
    connection: &Bound<'_, PyAny>,
    f: impl FnOnce(&mut dyn confiture_core::db::Executor) -> Result<T, MigrateError> + Send,
) -> PyResult<T> {
    let exec = executor_for(py, connection)?;
    engine(py, move || Ok(f(confiture_core::db::lock(&exec).as_mut())?))
}

/// Takes the migration lock on a connection.
#[pyfunction]
#[pyo3(signature = (connection, id, blocking = true, timeout_ms = 30000))]
fn lock_acquire<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    id: i32,
    blocking: bool,
    timeout_ms: u64,
) -> PyResult<()> {
    let mode = if blocking { LockMode::Blocking { timeout_ms } } else { LockMode::NonBlocking };
    on_executor(py, connection, |e| lock::acquire(e, id, mode))
}

#[pyfunction]
fn lock_release<'py>(py: Python<'py>, connection: &Bound<'py, PyAny>, id: i32) -> PyResult<()> {
    on_executor(py, connection, |e| lock::release(e, id))
}

/// Who holds the migration lock: `{pid, user, application, client_addr, started_at, state}` or None.
#[pyfunction]
fn lock_holder<'py>(py: Python<'py>, connection: &Bound<'py, PyAny>, id: i32) -> PyResult<Bound<'py, PyAny>> {
    let holder = on_executor(py, connection, |e| lock::holder(e, id))?;
    to_py(py, &holder)
}

/// Checks one precondition (a dict with `type` and its fields): `(holds, message)`.
#[pyfunction]
fn check_precondition<'py>(
    py: Python<'py>,
    spec: &Bound<'py, PyAny>,
    connection: &Bound<'py, PyAny>,
) -> PyResult<(bool, String)> {
    let precondition: Precondition = from_py(spec, "precondition")?;
    let exec = match connection.cast::<EngineHandle>() {
        Ok(handle) => handle.get().exec.clone(),
        Err(_) => executor_for(py, connection)?,
    };
    engine(py, move || {
        let mut guard = confiture_core::db::lock(&exec);
        Ok(precondition.check(guard.as_mut()).map_err(|e| MigrateError::exec(format!("checking {precondition}"), e))?)
    })
}

/// SHA-256 (hex) of a file's bytes.
#[pyfunction]
fn checksum_file(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    engine(py, || Ok(checksum(&path)?))
}

/// What each statement of `sql` does: locks, rewrites, scans, destruction, notes.
#[pyfunction]
fn analyze_sql(py: Python<'_>, sql: String) -> PyResult<Bound<'_, PyAny>> {
    let effects = py.detach(|| confiture_core::sql::effects::analyze(&sql)).map_err(PyValueError::new_err)?;
    to_py(py, &effects)
}

/// SHA-256 (hex) of bytes.
#[pyfunction]
fn checksum_bytes(data: &[u8]) -> String {
    use sha2::Digest as _;
    hex_digest(&sha2::Sha256::digest(data))
}

fn hex_digest(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The order to run hooks in: dependencies first, then priority, then registration order.
#[pyfunction]
fn order_hooks(hooks: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let specs: Vec<confiture_core::migrate::hooks::HookSpec> = from_py(hooks, "hooks")?;
    confiture_core::migrate::hooks::order(&specs).map_err(PyValueError::new_err)
}

/// Runs one migration object in a transaction that is rolled back, and reports what it did.
#[pyfunction]
fn migrator_dry_run<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    table: String,
    migration: &Bound<'py, PyAny>,
    host: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = external(migration)?;
    let report =
        with_runner(py, connection, &table, Some(host), |r| r.dry_run(&[&m], Direction::Up, true, None, "dry_run"))?;
    to_py(py, &report)
}

/// Stores a new checksum for an applied migration.
#[pyfunction]
fn migrator_update_checksum<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    table: String,
    version: String,
    checksum: String,
) -> PyResult<()> {
    with_runner(py, connection, &table, None, |r| {
        let tracking = r.tracking().clone();
        r.with_executor(|e| tracking.update_checksum(e, &version, &checksum))
    })
}
