//! `confiture lint` and `confiture.core.linting`: lint runs, report renderings, the rule catalogue.

use std::path::PathBuf;
use std::time::Duration;

use confiture_core::config::Environment;
use confiture_core::lint::{self, LintOptions, MigrationScope, Report, Request, SchemaScope, Severity};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::{from_py, to_py};
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(lint_run, m)?)?;
    m.add_function(wrap_pyfunction!(lint_command, m)?)?;
    m.add_function(wrap_pyfunction!(lint_render, m)?)?;
    m.add_function(wrap_pyfunction!(lint_rules, m)?)?;
    Ok(())
}

struct Scope {
    env: Option<Environment>,
    options: LintOptions,
    schema: SchemaScope,
    migrations: MigrationScope,
    timeout: Duration,
}

#[allow(clippy::too_many_arguments, reason = "mirrors the keyword arguments of the Python call")]
fn scope(
    environment: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyAny>>,
    schema: bool,
    schema_text: Option<String>,
    schema_name: &str,
    migrations_dir: Option<PathBuf>,
    migration_files: Option<Vec<PathBuf>>,
    connect_timeout: f64,
) -> PyResult<Scope> {
    let env: Option<Environment> = environment.map(|e| from_py(e, "environment")).transpose()?;
    let options: LintOptions = options.map(|o| from_py(o, "lint options")).transpose()?.unwrap_or_default();
    let schema = match (schema, schema_text) {
        (false, _) => SchemaScope::None,
        (true, Some(text)) => SchemaScope::Text { name: schema_name.to_string(), text },
        (true, None) => SchemaScope::Environment,
    };
    let migrations = match (migrations_dir, migration_files) {
        (_, Some(files)) => MigrationScope::Files(files),
        (Some(dir), None) => MigrationScope::Directory(dir),
        (None, None) => MigrationScope::None,
    };
    if !connect_timeout.is_finite() || connect_timeout <= 0.0 {
        return Err(PyValueError::new_err("connect_timeout must be a positive number of seconds"));
    }
    Ok(Scope { env, options, schema, migrations, timeout: Duration::from_secs_f64(connect_timeout) })
}

fn lint(project_dir: PathBuf, s: Scope, database: bool) -> Result<Report, confiture_core::Error> {
    lint::run(&Request {
        env: s.env.as_ref(),
        project_dir,
        options: s.options,
        schema: s.schema,
        migrations: s.migrations,
        database,
        connect_timeout: s.timeout,
    })
}

/// Runs a lint: the environment's schema (`schema`), or `schema_text` (named `schema_name`; a
/// built schema file maps back to its sources); migrations: the pending ones of `migrations_dir`
/// or exactly `migration_files`.
#[pyfunction]
#[pyo3(signature = (
    project_dir, environment = None, options = None, schema = true, schema_text = None,
    schema_name = "<schema>", migrations_dir = None, migration_files = None, database = true,
    connect_timeout = 5.0
))]
#[allow(clippy::too_many_arguments, reason = "mirrors the keyword arguments of the Python call")]
fn lint_run<'py>(
    py: Python<'py>,
    project_dir: PathBuf,
    environment: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyAny>>,
    schema: bool,
    schema_text: Option<String>,
    schema_name: &str,
    migrations_dir: Option<PathBuf>,
    migration_files: Option<Vec<PathBuf>>,
    database: bool,
    connect_timeout: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let s = scope(
        environment,
        options,
        schema,
        schema_text,
        schema_name,
        migrations_dir,
        migration_files,
        connect_timeout,
    )?;
    let report = engine(py, || lint(project_dir, s, database))?;
    to_py(py, &report)
}

#[derive(Serialize)]
struct CommandResult {
    /// The rendering (None when written to `output`).
    text: Option<String>,
    findings: usize,
    errors: usize,
    warnings: usize,
    failed: bool,
    notes: Vec<String>,
}

/// `confiture lint`: runs, renders (to `output` when given) and summarises, without handing the
/// whole report to Python and back.
#[pyfunction]
#[pyo3(signature = (
    project_dir, format, environment = None, options = None, output = None, schema = true,
    migrations_dir = None, migration_files = None, database = true, connect_timeout = 5.0
))]
#[allow(clippy::too_many_arguments, reason = "mirrors the command's options")]
fn lint_command<'py>(
    py: Python<'py>,
    project_dir: PathBuf,
    format: &str,
    environment: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyAny>>,
    output: Option<PathBuf>,
    schema: bool,
    migrations_dir: Option<PathBuf>,
    migration_files: Option<Vec<PathBuf>>,
    database: bool,
    connect_timeout: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let format = lint::format::Format::parse(format).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let s = scope(environment, options, schema, None, "<schema>", migrations_dir, migration_files, connect_timeout)?;
    let result = engine(py, || {
        let report = lint(project_dir, s, database)?;
        let text = lint::format::render(&report, format);
        let text = match &output {
            Some(path) => {
                confiture_core::build::write_atomic(path, text.as_bytes())?;
                None
            }
            None => Some(text),
        };
        Ok(CommandResult {
            text,
            findings: report.findings.len(),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            failed: report.failed(),
            notes: report.notes,
        })
    })?;
    to_py(py, &result)
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
