//! `confiture lint` and `confiture.core.linting`: lint runs, report renderings, the rule catalogue.

use std::path::PathBuf;
use std::time::Duration;

use confiture_core::config::Environment;
use confiture_core::lint::{self, LintOptions, MigrationScope, Report, Request, SchemaScope};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::{from_py, to_py};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(lint_run, m)?)?;
    m.add_function(wrap_pyfunction!(lint_render, m)?)?;
    m.add_function(wrap_pyfunction!(lint_rules, m)?)?;
    Ok(())
}

/// Runs a lint. `schema`: `"environment"`, `"none"`, or the schema SQL text itself (named
/// `schema_name`); migrations: `migrations_dir` (pending ones) or `migration_files` (exactly these).
#[pyfunction]
#[pyo3(signature = (
    project_dir, environment = None, options = None, schema = "environment", schema_name = "<schema>",
    migrations_dir = None, migration_files = None, database = true, connect_timeout = 5.0
))]
#[allow(clippy::too_many_arguments, reason = "mirrors the keyword arguments of the Python call")]
fn lint_run<'py>(
    py: Python<'py>,
    project_dir: PathBuf,
    environment: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyAny>>,
    schema: &str,
    schema_name: &str,
    migrations_dir: Option<PathBuf>,
    migration_files: Option<Vec<PathBuf>>,
    database: bool,
    connect_timeout: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let env: Option<Environment> = environment.map(|e| from_py(e, "environment")).transpose()?;
    let options: LintOptions = options.map(|o| from_py(o, "lint options")).transpose()?.unwrap_or_default();
    let schema = match schema {
        "environment" => SchemaScope::Environment,
        "none" => SchemaScope::None,
        text => SchemaScope::Text { name: schema_name.to_string(), text: text.to_string() },
    };
    let migrations = match (migrations_dir, migration_files) {
        (_, Some(files)) => MigrationScope::Files(files),
        (Some(dir), None) => MigrationScope::Directory(dir),
        (None, None) => MigrationScope::None,
    };
    if !connect_timeout.is_finite() || connect_timeout <= 0.0 {
        return Err(PyValueError::new_err("connect_timeout must be a positive number of seconds"));
    }
    let timeout = Duration::from_secs_f64(connect_timeout);
    let report = engine(py, || {
        lint::run(&Request {
            env: env.as_ref(),
            project_dir,
            options,
            schema,
            migrations,
            database,
            connect_timeout: timeout,
        })
    })?;
    to_py(py, &report)
}

/// A report (as returned by `lint_run`) rendered as `table`, `json`, `csv` or `sarif`; written
/// atomically to `output` when given.
#[pyfunction]
#[pyo3(signature = (report, format, output = None))]
fn lint_render(py: Python<'_>, report: &Bound<'_, PyAny>, format: &str, output: Option<PathBuf>) -> PyResult<String> {
    let report: Report = from_py(report, "lint report")?;
    let format = lint::format::Format::parse(format).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let text = lint::format::render(&report, format);
    if let Some(path) = output {
        let bytes = text.clone();
        engine(py, move || Ok(confiture_core::build::write_atomic(&path, bytes.as_bytes())?))?;
    }
    Ok(text)
}

/// The rule catalogue as `table` (Markdown), `json` or `csv`.
#[pyfunction]
fn lint_rules(format: &str) -> PyResult<String> {
    let format = lint::format::Format::parse(format).map_err(|e| PyValueError::new_err(e.to_string()))?;
    lint::format::render_rules(format).map_err(|e| PyValueError::new_err(e.to_string()))
}
