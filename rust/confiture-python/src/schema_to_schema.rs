//! `confiture migrate schema-to-schema` and `SchemaToSchemaMigrator`: every step runs in the
//! background (the caller polls progress and waits with the GIL released).

use std::path::PathBuf;
use std::sync::Arc;

use confiture_core::config::{ConnectionParams, env_var};
use confiture_core::db::block_on;
use confiture_core::fdw::{self, Mapping, S2sOptions, Strategy};
use confiture_core::sync::{Endpoint, Progress};
use pyo3::prelude::*;
use serde::Deserialize;

use crate::convert::{from_py, to_py};
use crate::run::{Background, engine, progress_run};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyS2sRun>()?;
    m.add_function(wrap_pyfunction!(s2s_start, m)?)?;
    m.add_function(wrap_pyfunction!(s2s_count_compare, m)?)?;
    Ok(())
}

/// A database: an environment name, a URL, or connection parameters (from a psycopg connection).
#[derive(Deserialize)]
#[serde(untagged)]
enum EndpointSpec {
    Text(String),
    Params(ConnectionParams),
}

impl Default for EndpointSpec {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Request {
    source: EndpointSpec,
    target: EndpointSpec,
    project_dir: Option<PathBuf>,
    server_name: Option<String>,
    foreign_schema: Option<String>,
    schemas: Vec<String>,
    fdw_host: Option<String>,
    fdw_port: Option<u16>,
    mapping_file: Option<PathBuf>,
    mapping: Option<serde_json::Value>,
    capture: bool,
    skip_import: bool,
    strategy: Option<String>,
    jobs: Option<usize>,
    batch_rows: Option<u64>,
    copy_threshold: Option<u64>,
    truncate: bool,
    restart: bool,
    tables: Vec<String>,
    lock_timeout_ms: Option<u64>,
    no_verify: bool,
    sample_rows: Option<u64>,
}

fn endpoint(spec: EndpointSpec, dir: &std::path::Path, what: &str) -> Result<Endpoint, confiture_core::Error> {
    match spec {
        EndpointSpec::Text(t) if t.trim().is_empty() => {
            Err(fdw::FdwError::Plan { problems: vec![format!("no {what} database given (--{what})")] }.into())
        }
        EndpointSpec::Text(t) => Endpoint::resolve(&t, dir, &env_var),
        EndpointSpec::Params(params) => Ok(Endpoint { label: params.to_redacted_url(), params, environment: None }),
    }
}

fn options(r: Request) -> Result<S2sOptions, confiture_core::Error> {
    let dir = r.project_dir.unwrap_or_else(|| PathBuf::from("."));
    let mut o = S2sOptions::new(endpoint(r.source, &dir, "source")?, endpoint(r.target, &dir, "target")?);
    if let Some(v) = r.server_name {
        o.server_name = v;
    }
    if let Some(v) = r.foreign_schema {
        o.foreign_schema = v;
    }
    if !r.schemas.is_empty() {
        o.schemas = r.schemas;
    }
    o.fdw_host = r.fdw_host;
    o.fdw_port = r.fdw_port;
    o.mapping = match (r.mapping_file, r.mapping) {
        (Some(path), _) => Some(Mapping::load(&path, &env_var)?),
        (None, Some(doc)) => Some(Mapping::parse(doc, "mapping")?),
        (None, None) => None,
    };
    o.capture = r.capture;
    o.skip_import = r.skip_import;
    if let Some(s) = r.strategy {
        o.strategy = Strategy::parse(&s).ok_or_else(|| fdw::FdwError::Plan {
            problems: vec![format!("unknown strategy {s:?} (expected fdw, copy or auto)")],
        })?;
    }
    o.jobs = r.jobs.unwrap_or(1).max(1);
    o.batch_rows = r.batch_rows.unwrap_or(o.batch_rows).max(1);
    o.copy_threshold = r.copy_threshold.unwrap_or(o.copy_threshold);
    o.truncate = r.truncate;
    o.restart = r.restart;
    o.tables = r.tables;
    o.lock_timeout_ms = r.lock_timeout_ms.unwrap_or(o.lock_timeout_ms);
    o.verify_in_cutover = !r.no_verify;
    o.sample_rows = r.sample_rows.unwrap_or(o.sample_rows);
    Ok(o)
}

progress_run!(
    /// A schema-to-schema step running in the background.
    PyS2sRun,
    "SchemaToSchemaRun",
    serde_json::Value,
    "Asks the step to stop at the next batch; committed batches are kept."
);

/// Starts a step (`setup`, `analyze`, `migrate`, `catch-up`, `verify`, `cutover`, `cleanup`, `status`,
/// `one-shot`) in the background.
#[pyfunction]
fn s2s_start(py: Python<'_>, command: String, request: &Bound<'_, PyAny>) -> PyResult<PyS2sRun> {
    let request: Request = from_py(request, "schema-to-schema options")?;
    let progress = Arc::new(Progress::new());
    let watched = Arc::clone(&progress);
    let run = Background::start(py, move || {
        let options = options(request)?;
        block_on(fdw::run(&command, &options, &watched))?
    })?;
    Ok(PyS2sRun { progress, run })
}

/// Row counts of `tables` in `source_schema` (foreign tables) and `target_schema` of the target.
#[pyfunction]
fn s2s_count_compare<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    tables: Vec<String>,
    source_schema: String,
    target_schema: String,
) -> PyResult<Bound<'py, PyAny>> {
    let request: Request = from_py(request, "schema-to-schema options")?;
    let result = engine(py, move || {
        let options = options(request)?;
        block_on(fdw::count_compare(&options, &tables, &source_schema, &target_schema))?
    })?;
    to_py(py, &result)
}
