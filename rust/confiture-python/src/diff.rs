//! `confiture migrate diff` and `confiture.core.differ`: schema models, diffs between SQL texts,
//! files, environments and databases, their renderings, and generated migration files.

use std::path::PathBuf;

use confiture_core::diff::format::{json, sql};
use confiture_core::diff::generate;
use confiture_core::diff::source::{self, DiffOptions, DiffReport, Side};
use confiture_core::schema::{self, ParseOptions, Source};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::{from_py, to_py};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(schema_model, m)?)?;
    m.add_function(wrap_pyfunction!(diff_sql, m)?)?;
    m.add_function(wrap_pyfunction!(diff_sides, m)?)?;
    m.add_function(wrap_pyfunction!(diff_drift, m)?)?;
    m.add_function(wrap_pyfunction!(render_diff, m)?)?;
    m.add_function(wrap_pyfunction!(write_migration, m)?)?;
    m.add_function(wrap_pyfunction!(next_migration_version, m)?)?;
    Ok(())
}

#[derive(Serialize)]
struct Model {
    tables: Vec<schema::ReferenceTable>,
    model: schema::Catalog,
    notes: Vec<String>,
}

/// The model of a SQL text: fraiseql-confiture's tables view and the full model.
#[pyfunction]
#[pyo3(signature = (sql, name = "<sql>", include_grants = false))]
fn schema_model<'py>(py: Python<'py>, sql: String, name: &str, include_grants: bool) -> PyResult<Bound<'py, PyAny>> {
    let name = name.to_string();
    let parsed = engine(py, || Ok(schema::parse_sql(&name, &sql, ParseOptions { include_grants })?))?;
    to_py(py, &Model { tables: schema::reference_tables(&parsed.catalog), model: parsed.catalog, notes: parsed.notes })
}

/// The diff between two SQL texts (offline).
#[pyfunction]
#[pyo3(signature = (old_sql, new_sql, include_grants = false))]
fn diff_sql(py: Python<'_>, old_sql: String, new_sql: String, include_grants: bool) -> PyResult<Bound<'_, PyAny>> {
    let report = engine(py, || {
        let options = ParseOptions { include_grants };
        let load = |name: &str, text: &str| -> Result<source::Loaded, confiture_core::Error> {
            let parsed = schema::parse_sources(&[Source { name: name.into(), text: text.into() }], options)?;
            let summary = source::SideSummary {
                kind: "sql".into(),
                source: name.into(),
                read: "parsed".into(),
                objects: parsed.catalog.counts().into_iter().map(|(k, n)| (k.kind_name().to_string(), n)).collect(),
            };
            Ok(source::Loaded { catalog: parsed.catalog, summary, notes: parsed.notes })
        };
        source::report(load("old_sql", &old_sql)?, load("new_sql", &new_sql)?, "offline")
    })?;
    to_py(py, &report)
}

/// The diff between two sides (file, directory, `env:NAME`, database URL).
#[pyfunction]
#[pyo3(signature = (old, new, project_dir, online = false, include_grants = false))]
fn diff_sides(
    py: Python<'_>,
    old: String,
    new: String,
    project_dir: PathBuf,
    online: bool,
    include_grants: bool,
) -> PyResult<Bound<'_, PyAny>> {
    let report = engine(py, || {
        let options = DiffOptions { online, include_grants, project_dir };
        source::run(&Side::parse(&old)?, &Side::parse(&new)?, &options)
    })?;
    to_py(py, &report)
}

/// The environment's live database against its DDL.
#[pyfunction]
#[pyo3(signature = (env, project_dir, online = false, include_grants = false))]
fn diff_drift(
    py: Python<'_>,
    env: String,
    project_dir: PathBuf,
    online: bool,
    include_grants: bool,
) -> PyResult<Bound<'_, PyAny>> {
    let report = engine(py, || source::drift(&env, &DiffOptions { online, include_grants, project_dir }))?;
    to_py(py, &report)
}

/// A report as `json` (one document) or `sql` (the up plan, hazards as comments).
#[pyfunction]
fn render_diff(report: &Bound<'_, PyAny>, format: &str) -> PyResult<String> {
    let report: DiffReport = from_py(report, "diff report")?;
    match format {
        "json" => Ok(json::render(&report)),
        "sql" => Ok(sql::script(&report.up)),
        other => Err(PyValueError::new_err(format!("unknown format {other:?}: use json or sql"))),
    }
}

/// Writes `NNN_<name>.up.sql` and `.down.sql` for a report.
#[pyfunction]
#[pyo3(signature = (report, migrations_dir, name, allow_destructive = false))]
fn write_migration<'py>(
    py: Python<'py>,
    report: &Bound<'py, PyAny>,
    migrations_dir: PathBuf,
    name: String,
    allow_destructive: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let report: DiffReport = from_py(report, "diff report")?;
    let generated = engine(py, || generate::write(&report, &migrations_dir, &name, allow_destructive))?;
    to_py(py, &generated)
}

/// The version the next migration in `migrations_dir` gets (as `migrate generate` numbers them).
#[pyfunction]
fn next_migration_version(py: Python<'_>, migrations_dir: PathBuf) -> PyResult<String> {
    engine(py, || Ok(confiture_core::migrate::generate::next_version_in(&migrations_dir)?))
}
