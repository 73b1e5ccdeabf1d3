//! The only place engine errors become Python exceptions: classes from `confiture.exceptions`
//! (imported once), with structured attributes. No wildcard arm: a new engine error variant must
//! be given a class here.

use confiture_core::Error;
use confiture_core::anonymize::AnonymizeError;
use confiture_core::build::BuildError;
use confiture_core::coordinate::CoordinateError;
use confiture_core::db::{DbError, ExecError};
use confiture_core::diff::DiffError;
use confiture_core::fdw::FdwError;
use confiture_core::git::GitError;
use confiture_core::lint::LintError;
use confiture_core::migrate::MigrateError;
use confiture_core::sync::SyncError;
use confiture_core::testkit::TestkitError;
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

static CLASSES: [PyOnceLock<Py<PyType>>; 13] = [const { PyOnceLock::new() }; 13];
const NAMES: [&str; 13] = [
    "ConfiturError",
    "ConfigurationError",
    "SchemaError",
    "SchemaApplyError",
    "DatabaseError",
    "DatabaseConnectionError",
    "SyncError",
    "AnonymizationError",
    "AnonymizationProfileError",
    "ProfileNotFoundError",
    "DifferError",
    "CoordinationError",
    "ValidationError",
];

#[derive(Clone, Copy)]
enum Class {
    Confitur = 0,
    Configuration = 1,
    Schema = 2,
    SchemaApply = 3,
    Database = 4,
    DatabaseConnection = 5,
    Sync = 6,
    Anonymization = 7,
    AnonymizationProfile = 8,
    ProfileNotFound = 9,
    Differ = 10,
    Coordination = 11,
    Validation = 12,
}

fn class(py: Python<'_>, c: Class) -> PyResult<&Bound<'_, PyType>> {
    CLASSES[c as usize].import(py, "confiture.exceptions", NAMES[c as usize])
}

fn make(py: Python<'_>, c: Class, message: &str, attrs: &[(&str, Py<PyAny>)]) -> PyErr {
    let built = class(py, c).and_then(|cls| {
        let exc = cls.call1((message,))?;
        for (name, value) in attrs {
            exc.setattr(*name, value)?;
        }
        Ok(PyErr::from_value(exc))
    });
    built.unwrap_or_else(|e| e)
}

fn opt(py: Python<'_>, v: Option<&str>) -> Py<PyAny> {
    v.map_or_else(|| py.None(), |s| s.into_pyobject(py).map_or_else(|_| py.None(), |o| o.into_any().unbind()))
}

fn list(py: Python<'_>, items: &[String]) -> Py<PyAny> {
    items.into_pyobject(py).map_or_else(|_| py.None(), |o| o.into_any().unbind())
}

fn int(py: Python<'_>, v: Option<usize>) -> Py<PyAny> {
    v.map_or_else(|| py.None(), |n| n.into_pyobject(py).map_or_else(|_| py.None(), |o| o.into_any().unbind()))
}

/// Converts an engine error into the matching `confiture.exceptions` class.
pub fn to_py(py: Python<'_>, error: Error) -> PyErr {
    let message = error.to_string();
    match &error {
        Error::Config(_) => make(py, Class::Configuration, &message, &[]),
        Error::Project(_) | Error::Sql(_) => make(py, Class::Schema, &message, &[]),
        Error::Build(BuildError::Statement(f)) => make(
            py,
            Class::SchemaApply,
            &message,
            &[
                ("file", opt(py, Some(&f.file))),
                ("line", int(py, Some(f.line))),
                ("column", int(py, f.column)),
                ("statement", opt(py, Some(&f.statement))),
                ("sqlstate", opt(py, Some(&f.error.code))),
                ("detail", opt(py, f.error.detail.as_deref())),
                ("hint", opt(py, f.error.hint.as_deref())),
                ("context", opt(py, f.error.context.as_deref())),
            ],
        ),
        Error::Build(
            BuildError::Script { .. }
            | BuildError::TargetNotEmpty { .. }
            | BuildError::SystemDatabase { .. }
            | BuildError::InUse { .. },
        ) => make(py, Class::Schema, &message, &[]),
        Error::Db(DbError::Connect { code, .. }) => {
            make(py, Class::DatabaseConnection, &message, &[("sqlstate", opt(py, code.as_deref()))])
        }
        Error::Db(DbError::Server { info, .. }) => make(
            py,
            Class::Database,
            &message,
            &[
                ("sqlstate", opt(py, Some(&info.code))),
                ("detail", opt(py, info.detail.as_deref())),
                ("hint", opt(py, info.hint.as_deref())),
            ],
        ),
        Error::Db(DbError::Client { .. } | DbError::Tls { .. } | DbError::Runtime { .. }) => {
            make(py, Class::Database, &message, &[("sqlstate", py.None())])
        }
        Error::Schema(e) => {
            let (file, line) = e.location().map_or((None, None), |(f, l)| (Some(f), Some(l)));
            make(py, Class::Schema, &message, &[("file", opt(py, file)), ("line", int(py, line))])
        }
        Error::Diff(
            DiffError::Unsupported { .. }
            | DiffError::Destructive { .. }
            | DiffError::Side { .. }
            | DiffError::NoChanges,
        ) => make(py, Class::Differ, &message, &[]),
        Error::Server(_) => make_server_error(py, &message),
        Error::Migrate(e) => migrate_error(py, e, &message),
        Error::Coordinate(CoordinateError::Exec { source, .. }) => {
            make(py, Class::Database, &message, &[("sqlstate", any(py, source.code()))])
        }
        Error::Coordinate(e) => {
            let (kind, intent_id) = match e {
                CoordinateError::NotFound(id) => ("not_found", Some(id.as_str())),
                CoordinateError::Ambiguous { prefix, .. } => ("ambiguous", Some(prefix.as_str())),
                CoordinateError::Transition { id, .. } => ("transition", Some(id.as_str())),
                CoordinateError::Unresolved { id, .. } => ("unresolved", Some(id.as_str())),
                CoordinateError::ConflictNotFound(_) => ("conflict_not_found", None),
                CoordinateError::Ddl { .. } => ("ddl", None),
                CoordinateError::Invalid(_) | CoordinateError::Exec { .. } => ("invalid", None),
            };
            make(py, Class::Coordination, &message, &[("kind", any(py, kind)), ("intent_id", any(py, intent_id))])
        }
        Error::Lint(LintError::Config { .. } | LintError::UnknownRule { .. } | LintError::Format(_)) => {
            make(py, Class::Configuration, &message, &[])
        }
        Error::Lint(LintError::Read { .. } | LintError::NotSql { .. }) => make(py, Class::Confitur, &message, &[]),
        Error::Anonymize(e) => anonymize_error(py, e, &message),
        Error::Sync(e) => sync_error(py, e, &message),
        Error::Testkit(e) => testkit_error(py, e, &message),
        Error::Forked(_) | Error::Internal(_) => make(py, Class::Confitur, &message, &[]),
        Error::Fdw(e) => fdw_error(py, e, &message),
        Error::Git(e) => git_error(py, e, &message),
    }
}

fn anonymize_error(py: Python<'_>, e: &AnonymizeError, message: &str) -> PyErr {
    match e {
        AnonymizeError::ProfileNotFound { path } => {
            make(py, Class::ProfileNotFound, message, &[("filename", opt(py, Some(&path.to_string_lossy())))])
        }
        AnonymizeError::InvalidProfile { problems, .. } => {
            make(py, Class::AnonymizationProfile, message, &[("problems", list(py, problems))])
        }
        AnonymizeError::NoKey { .. }
        | AnonymizeError::WeakKey { .. }
        | AnonymizeError::UnknownStrategy { .. }
        | AnonymizeError::InvalidConfig { .. }
        | AnonymizeError::Value { .. }
        | AnonymizeError::UniqueExhausted { .. } => make(py, Class::Anonymization, message, &[]),
    }
}

fn sync_error(py: Python<'_>, e: &SyncError, message: &str) -> PyErr {
    match e {
        SyncError::Plan { problems } => make(py, Class::Sync, message, &[("problems", list(py, problems))]),
        SyncError::TargetNotEmpty { tables, .. } => make(py, Class::Sync, message, &[("tables", list(py, tables))]),
        SyncError::Leak { table, column, .. } | SyncError::Anonymize { table, column, .. } => {
            make(py, Class::Sync, message, &[("table", opt(py, Some(table))), ("column", opt(py, Some(column)))])
        }
        SyncError::RowCountMismatch { table, .. } | SyncError::ForeignKeyViolated { table, .. } => {
            make(py, Class::Sync, message, &[("table", opt(py, Some(table)))])
        }
        SyncError::Copy { table, source } => {
            make(py, Class::Sync, message, &[("table", opt(py, Some(table))), ("sqlstate", opt(py, source.code()))])
        }
        SyncError::ProtectedTarget { .. }
        | SyncError::NeedsConfirmation { .. }
        | SyncError::SameDatabase { .. }
        | SyncError::Cycle { .. }
        | SyncError::Checkpoint { .. }
        | SyncError::Cancelled => make(py, Class::Sync, message, &[]),
    }
}

fn testkit_error(py: Python<'_>, e: &TestkitError, message: &str) -> PyErr {
    match e {
        TestkitError::Query { source, .. } => {
            let err = make(py, Class::Database, message, &[]);
            set_exec_attrs(py, &err, source);
            err
        }
        TestkitError::NoSuchTable { .. } | TestkitError::NoForeignKey { .. } => {
            make(py, Class::Validation, message, &[])
        }
        TestkitError::AlreadyPast { version } => {
            let err = construct(
                py,
                "confiture.exceptions",
                "MigrationError",
                vec![any(py, message)],
                &[("version", any(py, version.as_str()))],
            );
            // Lets the round trip tell "needs a fresh database" from a failed migration.
            let _ = err.value(py).setattr("already_applied", true);
            err
        }
        TestkitError::Pool(_) => make(py, Class::Database, message, &[("sqlstate", py.None())]),
        TestkitError::Usage(_) => make(py, Class::Confitur, message, &[]),
    }
}

fn make_server_error(py: Python<'_>, message: &str) -> PyErr {
    static SERVER: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    match SERVER.import(py, "confiture.exceptions", "TemporaryServerError") {
        Ok(cls) => cls.call1((message,)).map_or_else(|e| e, PyErr::from_value),
        Err(e) => e,
    }
}

fn construct(
    py: Python<'_>,
    module: &str,
    class_name: &str,
    args: Vec<Py<PyAny>>,
    kwargs: &[(&str, Py<PyAny>)],
) -> PyErr {
    let built = py.import(module).and_then(|m| m.getattr(class_name)).and_then(|cls| {
        let kw = PyDict::new(py);
        for (k, v) in kwargs {
            kw.set_item(*k, v)?;
        }
        cls.call(PyTuple::new(py, args)?, Some(&kw))
    });
    match built {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

fn any<'py, T: IntoPyObject<'py>>(py: Python<'py>, value: T) -> Py<PyAny> {
    value.into_py_any(py).unwrap_or_else(|_| py.None())
}

fn migrate_error(py: Python<'_>, error: &MigrateError, message: &str) -> PyErr {
    match error {
        MigrateError::LockTimeout { holder, .. } | MigrateError::LockBusy { holder } => {
            let timeout = matches!(error, MigrateError::LockTimeout { .. });
            let holder = holder
                .as_deref()
                .map_or_else(|| py.None(), |h| crate::convert::to_py(py, h).map_or_else(|_| py.None(), Bound::unbind));
            construct(
                py,
                "confiture.core.locking",
                "LockAcquisitionError",
                vec![any(py, message)],
                &[("timeout", any(py, timeout)), ("holder", holder)],
            )
        }
        MigrateError::Checksum { mismatches } => {
            let list = crate::convert::to_py(py, mismatches).map_or_else(|_| py.None(), Bound::unbind);
            construct(py, "confiture.core.checksum", "ChecksumVerificationError", vec![list], &[])
        }
        MigrateError::Preconditions { version, name, failures } => construct(
            py,
            "confiture.core.preconditions",
            "PreconditionValidationError",
            vec![any(py, failures.clone())],
            &[("migration_version", any(py, version.as_str())), ("migration_name", any(py, name.as_str()))],
        ),
        MigrateError::Failed(f) => {
            let err = construct(
                py,
                "confiture.exceptions",
                "MigrationError",
                vec![any(py, message)],
                &[("version", any(py, f.version.as_str())), ("migration_name", any(py, f.name.as_str()))],
            );
            let value = err.value(py);
            let info = f.error.as_ref();
            let attrs: [(&str, Py<PyAny>); 10] = [
                ("error_message", any(py, f.message.as_str())),
                ("file", any(py, f.file.as_ref().map(|p| p.display().to_string()))),
                ("line", any(py, f.line)),
                ("column", any(py, f.column)),
                ("statement", any(py, f.statement.clone())),
                ("direction", any(py, f.direction.as_str())),
                ("sqlstate", any(py, info.map(|i| i.code.clone()))),
                ("detail", any(py, info.and_then(|i| i.detail.clone()))),
                ("hint", any(py, info.and_then(|i| i.hint.clone()))),
                ("outcome", any(py, f.outcome.as_str())),
            ];
            for (k, v) in attrs {
                if value.setattr(k, v).is_err() {
                    break;
                }
            }
            err
        }
        MigrateError::Exec { error, .. } => {
            let err = make(py, Class::Database, message, &[]);
            set_exec_attrs(py, &err, error);
            err
        }
        MigrateError::DirNotFound { .. }
        | MigrateError::Io { .. }
        | MigrateError::Write { .. }
        | MigrateError::Problems { .. }
        | MigrateError::VersionNotFound { .. }
        | MigrateError::AlreadyApplied { .. }
        | MigrateError::NotApplied { .. }
        | MigrateError::FileMissing { .. }
        | MigrateError::Usage(_)
        | MigrateError::Sidecar { .. }
        | MigrateError::Host { .. }
        | MigrateError::Strict(_) => {
            construct(py, "confiture.exceptions", "MigrationError", vec![any(py, message)], &[])
        }
    }
}

fn set_exec_attrs(py: Python<'_>, err: &PyErr, error: &ExecError) {
    let value = err.value(py);
    let info = error.info.as_deref();
    let _ = value.setattr("sqlstate", any(py, info.map(|i| i.code.clone())));
    let _ = value.setattr("detail", any(py, info.and_then(|i| i.detail.clone())));
    let _ = value.setattr("hint", any(py, info.and_then(|i| i.hint.clone())));
    let _ = value.setattr("position", any(py, info.and_then(|i| i.position)));
}

/// A failed client statement (the connection Python migrations get) as `DatabaseError`.
pub fn exec_to_py(py: Python<'_>, error: &ExecError) -> PyErr {
    let err = make(py, Class::Database, &error.to_string(), &[]);
    set_exec_attrs(py, &err, error);
    err
}

/// Schema-to-schema failures are `MigrationError`s (as in fraiseql-confiture), with the table,
/// the problems or the SQLSTATE when there is one.
fn fdw_error(py: Python<'_>, e: &FdwError, message: &str) -> PyErr {
    let err = construct(py, "confiture.exceptions", "MigrationError", vec![any(py, message)], &[]);
    let value = err.value(py);
    let _ = match e {
        FdwError::Plan { problems } => value.setattr("problems", list(py, problems)),
        FdwError::Table { table, .. } => value.setattr("table", opt(py, Some(table))),
        FdwError::Copy { table, source } => {
            let _ = value.setattr("sqlstate", opt(py, source.code()));
            value.setattr("table", opt(py, Some(table)))
        }
        FdwError::Db { source, .. } => value.setattr("sqlstate", opt(py, source.code())),
        FdwError::Mapping { .. }
        | FdwError::Connect { .. }
        | FdwError::ForeignSchemaInUse { .. }
        | FdwError::NotSetUp { .. }
        | FdwError::TargetNotEmpty { .. }
        | FdwError::LockTimeout { .. }
        | FdwError::State { .. }
        | FdwError::Cancelled => Ok(()),
    };
    err
}

/// Git-aware validation could not run: `kind` says why (the CLI exits 2).
fn git_error(py: Python<'_>, e: &GitError, message: &str) -> PyErr {
    let kind = match e {
        GitError::NotARepository { .. } => "not_a_repository",
        GitError::Bare { .. } => "bare_repository",
        GitError::UnknownRef { .. } => "unknown_ref",
        GitError::NoMergeBase { .. } => "no_merge_base",
        GitError::OutsideRepository { .. } => "outside_repository",
        GitError::Unmerged { .. } => "unmerged",
        GitError::Read { .. } => "read",
        GitError::Git { .. } => "git",
    };
    make(py, Class::Validation, message, &[("kind", any(py, kind))])
}
