//! The only place engine errors become Python exceptions: classes from `confiture.exceptions`
//! (imported once), with structured attributes. No wildcard arm: a new engine error variant must
//! be given a class here.

use confiture_core::Error;
use confiture_core::build::BuildError;
use confiture_core::db::DbError;
use confiture_core::diff::DiffError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

static CLASSES: [PyOnceLock<Py<PyType>>; 7] = [const { PyOnceLock::new() }; 7];
const NAMES: [&str; 7] = [
    "ConfiturError",
    "ConfigurationError",
    "SchemaError",
    "SchemaApplyError",
    "DatabaseError",
    "DatabaseConnectionError",
    "DifferError",
];

#[derive(Clone, Copy)]
enum Class {
    Confitur = 0,
    Configuration = 1,
    Schema = 2,
    SchemaApply = 3,
    Database = 4,
    DatabaseConnection = 5,
    Differ = 6,
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
            | DiffError::NoChanges
            | DiffError::InvalidName { .. }
            | DiffError::Write { .. },
        ) => make(py, Class::Differ, &message, &[]),
        Error::Server(_) => make_server_error(py, &message),
        Error::Forked(_) | Error::Internal(_) => make(py, Class::Confitur, &message, &[]),
    }
}

fn make_server_error(py: Python<'_>, message: &str) -> PyErr {
    static SERVER: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    match SERVER.import(py, "confiture.exceptions", "TemporaryServerError") {
        Ok(cls) => cls.call1((message,)).map_or_else(|e| e, PyErr::from_value),
        Err(e) => e,
    }
}
