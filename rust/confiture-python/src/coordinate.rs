//! Coordination: the `confiture coordinate` commands (on a URL) and `IntentRegistry` (on the
//! caller's psycopg connection). Every function takes `target`, a URL or a psycopg connection;
//! `ensure` creates the coordination tables first when they are missing.

use std::sync::Arc;

use confiture_core::coordinate::registry::{self, IntentRequest};
use confiture_core::coordinate::{IntentStatus, Participant, detect, extract, project};
use confiture_core::db::{Executor, SharedExecutor};
use confiture_core::schema::Catalog;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::{from_py, to_py};
use crate::executor::executor_for;
use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CoordinationProject>()?;
    for f in [
        wrap_pyfunction!(coordinate_database_url, m)?,
        wrap_pyfunction!(coordinate_project, m)?,
        wrap_pyfunction!(coordinate_extract, m)?,
        wrap_pyfunction!(coordinate_detect, m)?,
        wrap_pyfunction!(coordinate_init, m)?,
        wrap_pyfunction!(coordinate_register, m)?,
        wrap_pyfunction!(coordinate_check, m)?,
        wrap_pyfunction!(coordinate_get, m)?,
        wrap_pyfunction!(coordinate_list, m)?,
        wrap_pyfunction!(coordinate_transition, m)?,
        wrap_pyfunction!(coordinate_conflicts, m)?,
        wrap_pyfunction!(coordinate_resolve, m)?,
        wrap_pyfunction!(coordinate_history, m)?,
        wrap_pyfunction!(coordinate_overview, m)?,
        wrap_pyfunction!(coordinate_allocate_branch, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}

/// The project's schema model, parsed once and reused by every registration.
#[pyclass(name = "CoordinationProject", module = "confiture._core", frozen)]
pub struct CoordinationProject {
    catalog: Arc<Catalog>,
}

/// The registry's URL: `given`, else `DATABASE_URL`, else `CONFITURE_DB_URL`, else
/// `coordination.database_url` of environment `env`; `None` when none is set.
#[pyfunction]
#[pyo3(signature = (given = None, env = "local".to_string(), project_dir = ".".to_string()))]
fn coordinate_database_url(
    py: Python<'_>,
    given: Option<String>,
    env: String,
    project_dir: String,
) -> PyResult<Option<String>> {
    engine(py, move || {
        confiture_core::coordinate::database_url(
            given.as_deref(),
            &env,
            std::path::Path::new(&project_dir),
            &confiture_core::config::env_var,
        )
    })
}

/// The model of environment `env`'s DDL, or `None` when the project has no such environment.
#[pyfunction]
#[pyo3(signature = (env = "local".to_string(), project_dir = ".".to_string()))]
fn coordinate_project(py: Python<'_>, env: String, project_dir: String) -> PyResult<Option<CoordinationProject>> {
    let catalog = engine(py, move || project::project_catalog_if_present(&env, std::path::Path::new(&project_dir)))?;
    Ok(catalog.map(|c| CoordinationProject { catalog: Arc::new(c) }))
}

/// Runs registry work on `target`'s executor without the GIL.
fn with_registry<T: Send>(
    py: Python<'_>,
    target: &Bound<'_, PyAny>,
    ensure: bool,
    f: impl FnOnce(&mut dyn Executor) -> Result<T, confiture_core::coordinate::CoordinateError> + Send,
) -> PyResult<T> {
    let shared: SharedExecutor = executor_for(py, target)?;
    engine(py, move || {
        let mut guard = confiture_core::db::lock(&shared);
        let exec: &mut dyn Executor = guard.as_mut();
        if ensure {
            registry::ensure_tables(exec)?;
        }
        Ok(f(exec)?)
    })
}

fn status_arg(s: Option<&str>) -> PyResult<Option<IntentStatus>> {
    s.map(|s| {
        IntentStatus::parse(s).ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown status {s:?}: expected registered, in_progress, completed, merged, abandoned or conflicted"
            ))
        })
    })
    .transpose()
}

/// What DDL affects: `{"objects": [{kind, object, role}], "tables": [...]}`.
#[pyfunction]
fn coordinate_extract<'py>(py: Python<'py>, sql: String) -> PyResult<Bound<'py, PyAny>> {
    let affected =
        engine(py, move || extract(&sql).map_err(|e| confiture_core::coordinate::CoordinateError::ddl(1, e).into()))?;
    let objects = registry::affected_objects(&affected);
    to_py(py, &serde_json::json!({ "objects": objects, "tables": affected.relations() }))
}

/// Conflicts between intent `a` (the newer) and `b`, both given as intent dicts; nothing stored.
#[pyfunction]
fn coordinate_detect<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let ra: IntentRequest = from_py(a, "intent a")?;
    let rb: IntentRequest = from_py(b, "intent b")?;
    let starts = (created_ms(a)?, created_ms(b)?);
    let findings = engine(py, move || {
        if ra.agent_id == rb.agent_id {
            return Ok(Vec::new());
        }
        let (xa, xb) = (registry::analyze(&ra, None)?, registry::analyze(&rb, None)?);
        let window = |start: Option<i64>, ms: i64| start.filter(|_| ms > 0).map(|s| (s, s + ms));
        let pa = Participant {
            agent_id: &ra.agent_id,
            feature_name: &ra.feature_name,
            affected: &xa.affected,
            window: window(starts.0, ra.estimated_duration_ms),
        };
        let pb = Participant {
            agent_id: &rb.agent_id,
            feature_name: &rb.feature_name,
            affected: &xb.affected,
            window: window(starts.1, rb.estimated_duration_ms),
        };
        Ok(detect(&pa, &pb))
    })?;
    let out: Vec<serde_json::Value> = findings
        .into_iter()
        .map(|f| {
            serde_json::json!({
                "conflict_type": f.conflict_type.as_str(),
                "severity": f.severity.as_str(),
                "affected_objects": f.affected_objects,
                "resolution_suggestions": f.suggestions,
            })
        })
        .collect();
    to_py(py, &out)
}

/// `created_at` of an intent dict (a datetime or ISO text) in milliseconds, if given.
fn created_ms(intent: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    let Ok(value) = intent.get_item("created_at") else { return Ok(None) };
    if value.is_none() {
        return Ok(None);
    }
    if value.hasattr("timestamp")? {
        let seconds: f64 = value.call_method0("timestamp")?.extract()?;
        #[allow(clippy::cast_possible_truncation)]
        return Ok(Some((seconds * 1000.0).round() as i64));
    }
    let text: String = value.extract()?;
    Ok(confiture_core::coordinate::model::timestamp_ms(&text))
}

/// Creates the coordination tables when missing; returns whether it created them.
#[pyfunction]
fn coordinate_init(py: Python<'_>, target: &Bound<'_, PyAny>) -> PyResult<bool> {
    with_registry(py, target, false, registry::ensure_tables)
}

fn catalog_of(project: Option<&Bound<'_, CoordinationProject>>) -> Option<Arc<Catalog>> {
    project.map(|p| Arc::clone(&p.get().catalog))
}

/// Registers an intent: `{"intent": …, "conflicts": [… with "with": the other intent]}`.
#[pyfunction]
#[pyo3(signature = (target, request, project = None, ensure = false))]
fn coordinate_register<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    request: &Bound<'py, PyAny>,
    project: Option<&Bound<'py, CoordinationProject>>,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let req: IntentRequest = from_py(request, "intent request")?;
    let catalog = catalog_of(project);
    let outcome = with_registry(py, target, ensure, move |e| registry::register(e, &req, catalog.as_deref()))?;
    to_py(py, &outcome)
}

/// The conflicts an intent would have; nothing stored.
#[pyfunction]
#[pyo3(signature = (target, request, project = None, ensure = false))]
fn coordinate_check<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    request: &Bound<'py, PyAny>,
    project: Option<&Bound<'py, CoordinationProject>>,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let req: IntentRequest = from_py(request, "intent request")?;
    let catalog = catalog_of(project);
    let outcome = with_registry(py, target, ensure, move |e| registry::check(e, &req, catalog.as_deref()))?;
    to_py(py, &outcome)
}

/// One intent (a unique id prefix is enough), with its objects; `None` when unknown.
#[pyfunction]
#[pyo3(signature = (target, intent_id, ensure = false))]
fn coordinate_get<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    intent_id: String,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let intent = with_registry(py, target, ensure, move |e| registry::get_intent(e, &intent_id))?;
    to_py(py, &intent)
}

/// Intents, newest first.
#[pyfunction]
#[pyo3(signature = (target, status = None, agent_id = None, ensure = false))]
fn coordinate_list<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    status: Option<String>,
    agent_id: Option<String>,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let status = status_arg(status.as_deref())?;
    let intents = with_registry(py, target, ensure, move |e| registry::list_intents(e, status, agent_id.as_deref()))?;
    to_py(py, &intents)
}

/// Moves an intent to status `to` (validated), recording who and why; returns the intent.
#[pyfunction]
#[pyo3(signature = (target, intent_id, to, reason, changed_by = "agent".to_string(), ensure = false))]
fn coordinate_transition<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    intent_id: String,
    to: String,
    reason: String,
    changed_by: String,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let to = status_arg(Some(&to))?.unwrap_or(IntentStatus::Registered);
    let intent =
        with_registry(py, target, ensure, move |e| registry::transition(e, &intent_id, to, &reason, &changed_by))?;
    to_py(py, &intent)
}

/// Conflicts of one intent (either side), or every unreviewed conflict when `intent_id` is `None`.
#[pyfunction]
#[pyo3(signature = (target, intent_id = None, ensure = false))]
fn coordinate_conflicts<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    intent_id: Option<String>,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let conflicts = with_registry(py, target, ensure, move |e| match &intent_id {
        Some(id) => registry::get_conflicts(e, id),
        None => registry::unresolved_conflicts(e),
    })?;
    to_py(py, &conflicts)
}

/// Marks a conflict reviewed with notes; returns it.
#[pyfunction]
#[pyo3(signature = (target, conflict_id, notes, reviewed = true, changed_by = "agent".to_string(), ensure = false))]
fn coordinate_resolve<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    conflict_id: i64,
    notes: String,
    reviewed: bool,
    changed_by: String,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let conflict = with_registry(py, target, ensure, move |e| {
        registry::resolve_conflict(e, conflict_id, reviewed, &notes, &changed_by)
    })?;
    to_py(py, &conflict)
}

/// Status changes, oldest first (the last `limit`).
#[pyfunction]
#[pyo3(signature = (target, intent_id = None, limit = None, ensure = false))]
fn coordinate_history<'py>(
    py: Python<'py>,
    target: &Bound<'py, PyAny>,
    intent_id: Option<String>,
    limit: Option<i64>,
    ensure: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let rows = with_registry(py, target, ensure, move |e| registry::history(e, intent_id.as_deref(), limit))?;
    to_py(py, &rows)
}

/// Active intents with their unresolved conflict counts, and counts per status.
#[pyfunction]
#[pyo3(signature = (target, ensure = false))]
fn coordinate_overview<'py>(py: Python<'py>, target: &Bound<'py, PyAny>, ensure: bool) -> PyResult<Bound<'py, PyAny>> {
    let overview = with_registry(py, target, ensure, registry::overview)?;
    to_py(py, &overview)
}

/// The branch name a feature would get.
#[pyfunction]
#[pyo3(signature = (target, feature_name, ensure = false))]
fn coordinate_allocate_branch(
    py: Python<'_>,
    target: &Bound<'_, PyAny>,
    feature_name: String,
    ensure: bool,
) -> PyResult<String> {
    with_registry(py, target, ensure, move |e| registry::allocate_branch(e, &feature_name))
}
