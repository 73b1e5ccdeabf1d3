//! Project files: discovery and `confiture init`.

use std::path::PathBuf;

use confiture_core::config::Environment;
use confiture_core::project::{DiscoverOptions, common_parent as parent, discover, scaffold};
use pyo3::prelude::*;

use crate::convert::{from_py, to_py};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(find_sql_files, m)?)?;
    m.add_function(wrap_pyfunction!(init_plan, m)?)?;
    m.add_function(wrap_pyfunction!(init_write, m)?)?;
    m.add_function(wrap_pyfunction!(common_parent, m)?)?;
    Ok(())
}

/// The environment's files in build order: `{"files": [...], "base_dir": ..., "include_dirs": [...]}`.
#[pyfunction]
#[pyo3(signature = (environment, schema_only = false))]
fn find_sql_files<'py>(
    py: Python<'py>,
    environment: &Bound<'py, PyAny>,
    schema_only: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let env: Environment = from_py(environment, "environment")?;
    let discovery = engine(py, || Ok(discover(&env, DiscoverOptions { schema_only })?))?;
    to_py(py, &discovery)
}

/// What `confiture init` would write, and which files exist already.
#[pyfunction]
fn init_plan(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let plan = engine(py, || Ok(scaffold::plan(&path)))?;
    to_py(py, &plan)
}

/// Writes the project layout (existing files only when `overwrite`).
#[pyfunction]
fn init_write(py: Python<'_>, path: PathBuf, overwrite: bool) -> PyResult<Bound<'_, PyAny>> {
    let report = engine(py, || Ok(scaffold::write(&path, overwrite)?))?;
    to_py(py, &report)
}

/// The deepest directory containing every given (absolute) directory; one directory is its own.
#[pyfunction]
fn common_parent(paths: Vec<PathBuf>) -> PathBuf {
    parent(&paths)
}
