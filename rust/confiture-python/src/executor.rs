//! The executor over a psycopg connection (`Migrator(connection=conn)`), and the handle Python
//! migrations get when the CLI runs them on Confiture's own connection. This is the only code that
//! re-attaches to the interpreter from engine threads.

use std::sync::{Arc, Mutex};

use confiture_core::db::{
    ClientResult, ExecError, Executor, NativeExecutor, PgErrorInfo, Query, Row, SharedExecutor, block_on, connect_url,
};
use confiture_core::sql::placeholders::{Params, render};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::convert::{from_json, to_json};
use crate::run::engine;

/// How a transaction was opened on the psycopg connection, so it is closed the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// The connection was in autocommit: we sent BEGIN.
    Begin,
    /// The connection was idle: psycopg opened a transaction we commit or roll back.
    Implicit,
    /// The caller had a transaction open: a savepoint inside it.
    Savepoint,
}

const SAVEPOINT: &str = "confiture_migration";

pub struct PsycopgExecutor {
    conn: Py<PyAny>,
    opened: Vec<Opened>,
    saved_autocommit: Option<bool>,
}

impl PsycopgExecutor {
    pub fn new(conn: Py<PyAny>) -> Self {
        Self { conn, opened: Vec::new(), saved_autocommit: None }
    }

    fn with<T>(&self, f: impl FnOnce(&Bound<'_, PyAny>) -> PyResult<T>) -> Result<T, ExecError> {
        Python::attach(|py| f(self.conn.bind(py)).map_err(|e| exec_error(py, &e)))
    }
}

/// A Python exception as an engine error, keeping psycopg's diagnostics.
pub fn exec_error(py: Python<'_>, e: &PyErr) -> ExecError {
    let value = e.value(py);
    ExecError { info: pg_info(value).map(Box::new), message: value.to_string() }
}

/// PostgreSQL's fields of a psycopg error (or of the psycopg error a Confiture error wraps).
pub fn pg_info(value: &Bound<'_, PyAny>) -> Option<PgErrorInfo> {
    let text = |obj: &Bound<'_, PyAny>, name: &str| -> Option<String> {
        obj.getattr(name).ok().filter(|v| !v.is_none()).and_then(|v| v.extract::<String>().ok())
    };
    if let Ok(original) = value.getattr("original_error")
        && !original.is_none()
    {
        return pg_info(&original);
    }
    let diag = value.getattr("diag").ok().filter(|d| !d.is_none())?;
    let code = text(value, "sqlstate")?;
    Some(PgErrorInfo {
        code,
        severity: text(&diag, "severity").unwrap_or_default(),
        message: text(&diag, "message_primary").unwrap_or_default(),
        detail: text(&diag, "message_detail"),
        hint: text(&diag, "message_hint"),
        position: text(&diag, "statement_position").and_then(|p| p.parse().ok()),
        context: text(&diag, "context"),
        schema: text(&diag, "schema_name"),
        table: text(&diag, "table_name"),
        column: text(&diag, "column_name"),
        constraint: text(&diag, "constraint_name"),
    })
}

fn transaction_status(conn: &Bound<'_, PyAny>) -> PyResult<i64> {
    conn.getattr("info")?.getattr("transaction_status")?.extract()
}

impl Executor for PsycopgExecutor {
    fn execute(&mut self, sql: &str) -> Result<(), ExecError> {
        self.with(|c| c.call_method1("execute", (sql,)).map(drop))
    }

    fn query(&mut self, query: &Query) -> Result<Vec<Row>, ExecError> {
        self.with(|c| {
            let py = c.py();
            let params = PyTuple::new(py, query.params.iter().map(|p| p.as_deref()))?;
            let cursor = c.call_method1("execute", (query.percent(), params))?;
            let rows = cursor.call_method0("fetchall")?;
            rows.try_iter()?
                .map(|row| {
                    let row = row?;
                    row.try_iter()?.map(|v| v?.extract::<Option<String>>()).collect::<PyResult<Row>>()
                })
                .collect()
        })
    }

    fn copy_in(&mut self, statement: &str, data: &[u8]) -> Result<u64, ExecError> {
        self.with(|c| {
            let py = c.py();
            let cursor = c.call_method0("cursor")?;
            let copy = cursor.call_method1("copy", (statement,))?;
            let entered = copy.call_method0("__enter__")?;
            let written = entered.call_method1("write", (PyBytes::new(py, data),));
            let none = py.None();
            copy.call_method1("__exit__", (&none, &none, &none))?;
            written?;
            cursor.getattr("rowcount")?.extract::<i64>().map(|n| u64::try_from(n).unwrap_or(0))
        })
    }

    fn begin(&mut self) -> Result<(), ExecError> {
        let opened = self.with(|c| {
            if c.getattr("autocommit")?.extract::<bool>()? {
                c.call_method1("execute", ("BEGIN",))?;
                Ok(Opened::Begin)
            } else if transaction_status(c)? == 0 {
                Ok(Opened::Implicit)
            } else {
                c.call_method1("execute", (format!("SAVEPOINT {SAVEPOINT}"),))?;
                Ok(Opened::Savepoint)
            }
        })?;
        self.opened.push(opened);
        Ok(())
    }

    fn commit(&mut self) -> Result<(), ExecError> {
        let opened = self.opened.pop();
        self.with(|c| match opened {
            Some(Opened::Begin) => c.call_method1("execute", ("COMMIT",)).map(drop),
            Some(Opened::Savepoint) => c.call_method1("execute", (format!("RELEASE SAVEPOINT {SAVEPOINT}"),)).map(drop),
            Some(Opened::Implicit) | None => c.call_method0("commit").map(drop),
        })
    }

    fn rollback(&mut self) -> Result<(), ExecError> {
        let opened = self.opened.pop();
        self.with(|c| match opened {
            Some(Opened::Begin) => c.call_method1("execute", ("ROLLBACK",)).map(drop),
            Some(Opened::Savepoint) => {
                c.call_method1("execute", (format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}"),))?;
                c.call_method1("execute", (format!("RELEASE SAVEPOINT {SAVEPOINT}"),)).map(drop)
            }
            Some(Opened::Implicit) | None => c.call_method0("rollback").map(drop),
        })
    }

    fn autocommit(&mut self, on: bool) -> Result<(), ExecError> {
        if on {
            let previous = self.with(|c| {
                let previous: bool = c.getattr("autocommit")?.extract()?;
                if !previous {
                    // psycopg only switches modes outside a transaction (fraiseql-confiture commits too).
                    if transaction_status(c)? != 0 {
                        c.call_method0("commit")?;
                    }
                    c.setattr("autocommit", true)?;
                }
                Ok(previous)
            })?;
            self.saved_autocommit = Some(previous);
            Ok(())
        } else {
            match self.saved_autocommit.take() {
                Some(previous) => self.with(|c| c.setattr("autocommit", previous)),
                None => Ok(()),
            }
        }
    }
}

/// Confiture's own connection to `url`, as an executor (call without the GIL).
pub fn native_executor(url: &str) -> Result<SharedExecutor, confiture_core::Error> {
    let mut exec = NativeExecutor::new(block_on(connect_url(url))??);
    exec.watch_for_vanished_client()
        .map_err(|e| confiture_core::migrate::MigrateError::exec("configuring the connection", e))?;
    Ok(Arc::new(Mutex::new(Box::new(exec) as Box<dyn Executor>)))
}

/// The executor for a connection target: a URL (Confiture's own connection) or a psycopg connection.
pub fn executor_for(py: Python<'_>, target: &Bound<'_, PyAny>) -> PyResult<SharedExecutor> {
    if let Ok(url) = target.cast::<PyString>() {
        let url = url.to_str()?.to_owned();
        return engine(py, || native_executor(&url));
    }
    Ok(Arc::new(Mutex::new(Box::new(PsycopgExecutor::new(target.clone().unbind())) as Box<dyn Executor>)))
}

/// What a Python migration's connection runs SQL through under the CLI: the migration's own
/// transaction on Confiture's connection. `confiture.core.engine_connection` wraps it in a
/// psycopg-like connection.
#[pyclass(name = "EngineHandle", module = "confiture._core", frozen)]
pub struct EngineHandle {
    pub exec: SharedExecutor,
}

#[pymethods]
impl EngineHandle {
    /// Runs SQL (psycopg-style `%s`/`%(name)s` parameters are rendered as literals):
    /// `{"columns": [...], "rows": [[...]], "rowcount": n}`.
    #[pyo3(signature = (sql, params = None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        sql: String,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let sql = match params.filter(|p| !p.is_none()) {
            Some(p) => {
                let params: Params = serde_json::from_value(to_json(p)?)
                    .map_err(|e| PyValueError::new_err(format!("unsupported parameters: {e}")))?;
                render(&sql, &params).map_err(PyValueError::new_err)?
            }
            None => sql,
        };
        let exec = self.exec.clone();
        let result: Result<ClientResult, ExecError> = py.detach(move || confiture_core::db::lock(&exec).run(&sql));
        match result {
            Ok(r) => from_json(py, &serde_json::to_value(&r).map_err(|e| PyValueError::new_err(e.to_string()))?),
            Err(e) => Err(crate::errors::exec_to_py(py, &e)),
        }
    }
}
