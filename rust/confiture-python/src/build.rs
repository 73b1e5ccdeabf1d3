//! `confiture build`: the schema file, its hash, databases built from it, template databases.

use std::path::PathBuf;

use confiture_core::build;
use confiture_core::config::{ConnectionParams, Environment};
use confiture_core::db::{admin, block_on};
use confiture_core::project::DiscoverOptions;
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::{from_py, to_py};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(build_schema, m)?)?;
    m.add_function(wrap_pyfunction!(compute_hash, m)?)?;
    m.add_function(wrap_pyfunction!(apply_schema, m)?)?;
    m.add_function(wrap_pyfunction!(list_templates, m)?)?;
    m.add_function(wrap_pyfunction!(create_database, m)?)?;
    m.add_function(wrap_pyfunction!(drop_database, m)?)?;
    Ok(())
}

#[derive(Serialize)]
struct BuildSummary {
    hash: String,
    files: Vec<String>,
    base_dir: PathBuf,
    size_bytes: usize,
    output: Option<PathBuf>,
    text: Option<String>,
}

/// Assembles the schema file; writes it atomically to `output` when given.
#[pyfunction]
#[pyo3(signature = (environment, schema_only = false, output = None, return_text = true))]
fn build_schema<'py>(
    py: Python<'py>,
    environment: &Bound<'py, PyAny>,
    schema_only: bool,
    output: Option<PathBuf>,
    return_text: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let env: Environment = from_py(environment, "environment")?;
    let summary = engine(py, || {
        let built = build::load(&env, DiscoverOptions { schema_only })?;
        let text = built.render(&build::generated_timestamp());
        if let Some(path) = &output {
            build::write_atomic(path, text.as_bytes())?;
        }
        Ok(BuildSummary {
            hash: built.hash.clone(),
            files: built.files().iter().map(|f| f.path.to_string_lossy().into_owned()).collect(),
            base_dir: built.discovery.base_dir.clone(),
            size_bytes: text.len(),
            output,
            text: return_text.then_some(text),
        })
    })?;
    to_py(py, &summary)
}

/// The schema hash of the environment's files.
#[pyfunction]
#[pyo3(signature = (environment, schema_only = false))]
fn compute_hash(py: Python<'_>, environment: &Bound<'_, PyAny>, schema_only: bool) -> PyResult<String> {
    let env: Environment = from_py(environment, "environment")?;
    engine(py, || Ok(build::load(&env, DiscoverOptions { schema_only })?.hash))
}

/// Builds a database from the environment's files (its own database unless `database_url`).
#[pyfunction]
#[pyo3(signature = (environment, database_url = None, schema_only = false, recreate = false, use_cache = true))]
fn apply_schema<'py>(
    py: Python<'py>,
    environment: &Bound<'py, PyAny>,
    database_url: Option<String>,
    schema_only: bool,
    recreate: bool,
    use_cache: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let env: Environment = from_py(environment, "environment")?;
    let report =
        engine(py, || build::apply_environment(&env, database_url.as_deref(), schema_only, recreate, use_cache))?;
    to_py(py, &report)
}

/// The template databases on the server of `url`.
#[pyfunction]
fn list_templates(py: Python<'_>, url: String) -> PyResult<Bound<'_, PyAny>> {
    let templates = engine(py, || {
        let params = ConnectionParams::parse(&url)?;
        block_on(async {
            let client = admin::maintenance_client(&params).await?;
            let templates = build::list_templates(&client).await?;
            client.close().await;
            Ok(templates)
        })?
    })?;
    to_py(py, &templates)
}

/// `CREATE DATABASE name [TEMPLATE template]` on the server of `url`.
#[pyfunction]
#[pyo3(signature = (url, name, template = None))]
fn create_database(py: Python<'_>, url: String, name: String, template: Option<String>) -> PyResult<()> {
    engine(py, || {
        let params = ConnectionParams::parse(&url)?;
        block_on(async {
            let client = admin::maintenance_client(&params).await?;
            admin::create_database(&client, &name, template.as_deref()).await?;
            client.close().await;
            Ok(())
        })?
    })
}

/// `DROP DATABASE IF EXISTS name` on the server of `url`, closing other sessions first when `force`.
#[pyfunction]
#[pyo3(signature = (url, name, force = false))]
fn drop_database(py: Python<'_>, url: String, name: String, force: bool) -> PyResult<()> {
    engine(py, || {
        let params = ConnectionParams::parse(&url)?;
        block_on(async {
            let client = admin::maintenance_client(&params).await?;
            if force {
                admin::terminate_sessions(&client, &name).await?;
            }
            admin::drop_database(&client, &name).await?;
            client.close().await;
            Ok(())
        })?
    })
}
