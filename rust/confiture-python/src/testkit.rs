//! `confiture.testing`: schema snapshots, data checks and per-test database pools. Checks run on
//! a connection target (a URL, or the caller's psycopg connection inside its transaction).

use confiture_core::db::lock;
use confiture_core::testkit::data::{self, Baseline};
use confiture_core::testkit::pool::{ClonePool, PoolOptions};
use confiture_core::testkit::{self, Snapshot};
use pyo3::prelude::*;

use crate::convert::{from_py, to_py};
use crate::executor::executor_for;
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClonePool>()?;
    for f in [
        wrap_pyfunction!(snapshot_capture, m)?,
        wrap_pyfunction!(snapshot_compare, m)?,
        wrap_pyfunction!(data_baseline, m)?,
        wrap_pyfunction!(data_violations, m)?,
        wrap_pyfunction!(data_foreign_key_violations, m)?,
        wrap_pyfunction!(data_count_changes, m)?,
        wrap_pyfunction!(data_invalid_indexes, m)?,
        wrap_pyfunction!(data_row_count, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}

/// Runs `f` on the target's executor without the GIL.
fn on<T: Send>(
    py: Python<'_>,
    target: &Bound<'_, PyAny>,
    f: impl FnOnce(&mut dyn confiture_core::db::Executor) -> Result<T, confiture_core::Error> + Send,
) -> PyResult<T> {
    let exec = executor_for(py, target)?;
    engine(py, move || f(lock(&exec).as_mut()))
}

/// The schema snapshot of a database (`{"tables": {...}, "views": [...], ...}`).
#[pyfunction]
fn snapshot_capture<'py>(py: Python<'py>, connection: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let snapshot = on(py, connection, testkit::capture)?;
    to_py(py, &snapshot)
}

/// What changed between two snapshots.
#[pyfunction]
fn snapshot_compare<'py>(
    py: Python<'py>,
    before: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let before: Snapshot = from_py(before, "snapshot")?;
    let after: Snapshot = from_py(after, "snapshot")?;
    let comparison = py.detach(|| testkit::compare(&before, &after));
    to_py(py, &comparison)
}

/// Exact row counts and constraint violations.
#[pyfunction]
fn data_baseline<'py>(py: Python<'py>, connection: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let baseline = on(py, connection, data::baseline)?;
    to_py(py, &baseline)
}

/// Rows that break a foreign key or a `NOT VALID` CHECK, per constraint.
#[pyfunction]
fn data_violations<'py>(py: Python<'py>, connection: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let found = on(py, connection, data::violations)?;
    to_py(py, &found)
}

/// Rows that break the foreign keys of `table` that include `column`.
#[pyfunction]
fn data_foreign_key_violations<'py>(
    py: Python<'py>,
    connection: &Bound<'py, PyAny>,
    table: String,
    column: String,
) -> PyResult<Bound<'py, PyAny>> {
    let found = on(py, connection, |e| data::foreign_key_violations(e, &table, &column))?;
    to_py(py, &found)
}

/// Tables whose row count dropped (or changed, without `allow_additions`) between two baselines.
#[pyfunction]
#[pyo3(signature = (before, after, allow_additions = true))]
fn data_count_changes<'py>(
    py: Python<'py>,
    before: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    allow_additions: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let before: Baseline = from_py(before, "baseline")?;
    let after: Baseline = from_py(after, "baseline")?;
    to_py(py, &data::count_changes(&before, &after, allow_additions))
}

/// Indexes that are not valid or not ready, as `schema.table.index`.
#[pyfunction]
fn data_invalid_indexes(py: Python<'_>, connection: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    on(py, connection, data::invalid_indexes)
}

/// The exact row count of a table (`schema` + `table`, or a `schema.table` / search-path name).
#[pyfunction]
#[pyo3(signature = (connection, table, schema = None))]
fn data_row_count(
    py: Python<'_>,
    connection: &Bound<'_, PyAny>,
    table: String,
    schema: Option<String>,
) -> PyResult<i64> {
    on(py, connection, |e| data::row_count(e, schema.as_deref(), &table))
}

/// Clones of a template database, made ahead of time (see `confiture_core::testkit::pool`).
#[pyclass(name = "ClonePool", module = "confiture._core", frozen)]
pub struct PyClonePool {
    pool: ClonePool,
}

#[pymethods]
impl PyClonePool {
    #[new]
    #[pyo3(signature = (server_url, template, ahead = 2, prefix = "confiture_test_".to_string()))]
    fn new(py: Python<'_>, server_url: String, template: String, ahead: usize, prefix: String) -> PyResult<Self> {
        let pool = engine(py, || {
            let server = confiture_core::config::ConnectionParams::parse(&server_url)?;
            ClonePool::new(server, &template, PoolOptions { ahead, prefix })
        })?;
        Ok(Self { pool })
    }

    /// The name of a fresh clone (waits for one when none is ready).
    fn take(&self, py: Python<'_>) -> PyResult<String> {
        let pool = self.pool.clone();
        engine(py, move || confiture_core::db::block_on(pool.take())?)
    }

    /// Drops a clone in the background.
    fn give_back(&self, py: Python<'_>, name: String) -> PyResult<()> {
        let pool = self.pool.clone();
        engine(py, move || pool.give_back(name))
    }

    /// Drops unused clones and waits for every drop.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let pool = self.pool.clone();
        engine(py, move || confiture_core::db::block_on(pool.close())?)
    }

    /// Clones ready right now.
    #[getter]
    fn ready(&self) -> usize {
        self.pool.ready()
    }
}
