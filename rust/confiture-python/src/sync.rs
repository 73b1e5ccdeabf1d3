//! `confiture sync`: runs in the background (the caller polls progress and waits with the GIL
//! released), plus table listing and checkpoints for `ProductionSyncer`.

use std::path::PathBuf;
use std::sync::Arc;

use confiture_core::config::env_var;
use confiture_core::db::block_on;
use confiture_core::sync::{self, Checkpoint, Endpoint, Progress, RuleInput, SyncOptions, SyncReport};
use pyo3::prelude::*;
use serde::Deserialize;

use crate::convert::{from_py, to_py};
use crate::run::{Background, engine, progress_run};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySyncRun>()?;
    m.add_function(wrap_pyfunction!(sync_start, m)?)?;
    m.add_function(wrap_pyfunction!(sync_async, m)?)?;
    m.add_function(wrap_pyfunction!(sync_list_tables, m)?)?;
    m.add_function(wrap_pyfunction!(sync_check_connections, m)?)?;
    m.add_function(wrap_pyfunction!(sync_select_tables, m)?)?;
    m.add_function(wrap_pyfunction!(sync_parse_rule, m)?)?;
    m.add_function(wrap_pyfunction!(load_sync_checkpoint, m)?)?;
    m.add_function(wrap_pyfunction!(save_sync_checkpoint, m)?)?;
    Ok(())
}

/// The options as Python passes them: endpoints as an environment name or a URL.
#[derive(Deserialize)]
#[serde(default)]
struct Request {
    source: String,
    target: String,
    project_dir: PathBuf,
    tables: Vec<String>,
    exclude: Vec<String>,
    anonymize: Vec<String>,
    rules: Vec<RuleInput>,
    profile: Option<PathBuf>,
    key_env_var: Option<String>,
    schema_only_check: bool,
    batch_size: usize,
    jobs: usize,
    checkpoint: Option<PathBuf>,
    resume: bool,
    truncate: bool,
    yes: bool,
    verify: bool,
}

impl Default for Request {
    fn default() -> Self {
        let d = SyncOptions::default();
        Self {
            source: String::new(),
            target: String::new(),
            project_dir: PathBuf::from("."),
            tables: Vec::new(),
            exclude: Vec::new(),
            anonymize: Vec::new(),
            rules: Vec::new(),
            profile: None,
            key_env_var: None,
            schema_only_check: false,
            batch_size: d.batch_size,
            jobs: d.jobs,
            checkpoint: None,
            resume: false,
            truncate: false,
            yes: false,
            verify: true,
        }
    }
}

fn options(r: Request) -> Result<SyncOptions, confiture_core::Error> {
    let mut rules = Vec::new();
    for spec in &r.anonymize {
        rules.push(RuleInput::parse(spec).map_err(|m| sync::SyncError::Plan { problems: vec![m] })?);
    }
    rules.extend(r.rules);
    Ok(SyncOptions {
        source: Some(Endpoint::resolve(&r.source, &r.project_dir, &env_var)?),
        target: Some(Endpoint::resolve(&r.target, &r.project_dir, &env_var)?),
        include: r.tables,
        exclude: r.exclude,
        rules,
        profile: r.profile,
        key_env_var: r.key_env_var,
        schema_only_check: r.schema_only_check,
        batch_size: r.batch_size,
        jobs: r.jobs,
        checkpoint: r.checkpoint,
        resume: r.resume,
        truncate: r.truncate,
        yes: r.yes,
        verify: r.verify,
    })
}

progress_run!(
    /// A sync running in the background.
    PySyncRun,
    "SyncRun",
    SyncReport,
    "Asks the sync to stop at the next batch; what is not committed is rolled back."
);

/// Starts a sync in the background.
#[pyfunction]
fn sync_start(py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PySyncRun> {
    let request: Request = from_py(request, "sync options")?;
    let progress = Arc::new(Progress::new());
    let watched = Arc::clone(&progress);
    let run = Background::start(py, move || {
        let options = options(request)?;
        block_on(sync::run(&options, &watched, &env_var))?
    })?;
    Ok(PySyncRun { progress, run })
}

/// Cancels a sync when the awaitable that runs it goes away unfinished (the asyncio task was
/// cancelled): the sync stops at its next batch and rolls back what is not committed.
struct CancelOnDrop(Option<Arc<Progress>>);

impl CancelOnDrop {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            p.cancel();
        }
    }
}

/// A sync, awaitable (see `crate::aio`). Cancelling the asyncio task cancels the sync.
#[pyfunction]
fn sync_async<'py>(py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let request: Request = from_py(request, "sync options")?;
    let progress = Arc::new(Progress::new());
    let watched = Arc::clone(&progress);
    let mut guard = CancelOnDrop(Some(progress));
    crate::aio::awaitable(
        py,
        move || {
            let options = options(request)?;
            block_on(sync::run(&options, &watched, &env_var))?
        },
        move |py, result| {
            // Finished: nothing left to cancel.
            guard.disarm();
            crate::aio::plain(py, result)
        },
    )
}

/// The user tables of a database (environment name or URL), as displayed names.
#[pyfunction]
#[pyo3(signature = (endpoint, project_dir = None))]
fn sync_list_tables(py: Python<'_>, endpoint: String, project_dir: Option<PathBuf>) -> PyResult<Vec<String>> {
    engine(py, || {
        let ep = Endpoint::resolve(&endpoint, &project_dir.unwrap_or_else(|| PathBuf::from(".")), &env_var)?;
        Ok(block_on(sync::list_tables(&ep))??.iter().map(ToString::to_string).collect())
    })
}

/// The tables of a database that `include` / `exclude` patterns select, as displayed names.
#[pyfunction]
#[pyo3(signature = (endpoint, include = Vec::new(), exclude = Vec::new(), project_dir = None))]
fn sync_select_tables(
    py: Python<'_>,
    endpoint: String,
    include: Vec<String>,
    exclude: Vec<String>,
    project_dir: Option<PathBuf>,
) -> PyResult<Vec<String>> {
    engine(py, || {
        let ep = Endpoint::resolve(&endpoint, &project_dir.unwrap_or_else(|| PathBuf::from(".")), &env_var)?;
        let all = block_on(sync::list_tables(&ep))??;
        let selection = sync::select_tables(all.iter(), &include, &exclude);
        if !selection.problems.is_empty() {
            return Err(sync::SyncError::Plan { problems: selection.problems }.into());
        }
        Ok(selection.tables.iter().map(ToString::to_string).collect())
    })
}

/// Opens (and closes) a connection to each endpoint: fails fast when one is unreachable.
#[pyfunction]
#[pyo3(signature = (endpoints, project_dir = None))]
fn sync_check_connections(
    py: Python<'_>,
    endpoints: Vec<String>,
    project_dir: Option<PathBuf>,
) -> PyResult<Vec<String>> {
    engine(py, || {
        let dir = project_dir.unwrap_or_else(|| PathBuf::from("."));
        let mut labels = Vec::new();
        for spec in &endpoints {
            let ep = Endpoint::resolve(spec, &dir, &env_var)?;
            let client = block_on(confiture_core::db::connect(&ep.params))??;
            labels.push(client.target().to_string());
            block_on(client.close())?;
        }
        Ok(labels)
    })
}

/// Parses `TABLE.COLUMN[=STRATEGY]`: `{"table", "column", "strategy", …}`.
#[pyfunction]
fn sync_parse_rule<'py>(py: Python<'py>, spec: &str) -> PyResult<Bound<'py, PyAny>> {
    let rule = engine(py, || RuleInput::parse(spec).map_err(|m| sync::SyncError::Plan { problems: vec![m] }.into()))?;
    to_py(py, &rule)
}

/// Reads a checkpoint file (`None` when it does not exist).
#[pyfunction]
fn load_sync_checkpoint(py: Python<'_>, path: PathBuf) -> PyResult<Option<Bound<'_, PyAny>>> {
    match engine(py, || Ok(Checkpoint::load(&path)?))? {
        Some(cp) => Ok(Some(to_py(py, &cp)?)),
        None => Ok(None),
    }
}

/// Writes a checkpoint file atomically.
#[pyfunction]
fn save_sync_checkpoint(py: Python<'_>, path: PathBuf, checkpoint: &Bound<'_, PyAny>) -> PyResult<()> {
    let cp: Checkpoint = from_py(checkpoint, "checkpoint")?;
    engine(py, || Ok(cp.save(&path)?))
}
