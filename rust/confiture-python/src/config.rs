//! Environments and connection URLs.

use std::path::PathBuf;

use confiture_core::config::{
    ConnectionParams, Environment, database_url_of, env_var, read_yaml_document, redact_url as redact,
};
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::{from_py, to_json, to_py};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load_environment, m)?)?;
    m.add_function(wrap_pyfunction!(parse_database_url, m)?)?;
    m.add_function(wrap_pyfunction!(render_database_url, m)?)?;
    m.add_function(wrap_pyfunction!(redact_url, m)?)?;
    m.add_function(wrap_pyfunction!(load_yaml, m)?)?;
    m.add_function(wrap_pyfunction!(database_url_from_config, m)?)?;
    m.add_function(wrap_pyfunction!(url_with_database, m)?)?;
    m.add_function(wrap_pyfunction!(list_environments, m)?)?;
    m.add_function(wrap_pyfunction!(load_environment_file, m)?)?;
    Ok(())
}

/// Loads `<project_dir>/db/environments/<env>.yaml`: `{"environment": {...}, "warnings": [...]}`.
#[pyfunction]
fn load_environment(py: Python<'_>, env: String, project_dir: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let loaded = engine(py, || Ok(Environment::load(&env, &project_dir, &env_var)?))?;
    to_py(py, &loaded)
}

#[derive(Serialize)]
struct ParsedUrl {
    /// What the URL says.
    given: ConnectionParams,
    /// What libpq would use.
    resolved: confiture_core::config::ResolvedParams,
}

/// Parses a libpq URL or DSN: `{"given": {...}, "resolved": {...}}`.
#[pyfunction]
fn parse_database_url(py: Python<'_>, url: String) -> PyResult<Bound<'_, PyAny>> {
    let parsed = engine(py, || {
        let given = ConnectionParams::parse(&url)?;
        let resolved = given.resolve(&env_var);
        Ok(ParsedUrl { given, resolved })
    })?;
    to_py(py, &parsed)
}

/// A `postgresql://` URL from connection parameters (as returned in `given`).
#[pyfunction]
fn render_database_url(params: &Bound<'_, PyAny>) -> PyResult<String> {
    let params: ConnectionParams = from_py(params, "connection parameters")?;
    Ok(params.to_url())
}

/// The URL with its password masked.
#[pyfunction]
fn redact_url(url: &str) -> String {
    redact(url)
}

/// Reads a YAML file with `${VAR}` interpolation (non-string keys become strings).
#[pyfunction]
fn load_yaml(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let value = engine(py, || Ok(read_yaml_document(&path, &env_var)?))?;
    to_py(py, &value)
}

/// The connection URL of a configuration dict: `database_url`, else the `database:` mapping.
#[pyfunction]
fn database_url_from_config(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<String> {
    let document = to_json(config)?;
    engine(py, || Ok(database_url_of(&document)?))
}

/// The same connection URL pointing at database `dbname`.
#[pyfunction]
fn url_with_database(py: Python<'_>, url: String, dbname: String) -> PyResult<String> {
    engine(py, || Ok(ConnectionParams::parse(&url)?.with_dbname(&dbname).to_url()))
}

/// The environments defined in `<project_dir>/db/environments`, sorted.
#[pyfunction]
fn list_environments(project_dir: PathBuf) -> Vec<String> {
    confiture_core::config::list_environments(&project_dir)
}

/// Loads an environment file by path (`--config FILE`); include directories need not exist.
#[pyfunction]
fn load_environment_file(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let loaded = engine(py, || Ok(Environment::load_file(&path, &env_var)?))?;
    to_py(py, &loaded)
}
