//! Awaitables for asyncio (`confiture.aio`): engine work runs on the shared tokio runtime's
//! blocking pool — never on the event loop's thread — and its result is handed to the loop
//! through pyo3-async-runtimes (`future_into_py`, completed with `call_soon_threadsafe`). The
//! bridge is initialised with the engine's own runtime, so sync and async callers share it.

use std::sync::Once;

use confiture_core::build;
use confiture_core::config::Environment;
use pyo3::prelude::*;

use crate::convert::{from_py, to_py};
use crate::errors;
use crate::run::guarded;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(apply_schema_async, m)?)?;
    Ok(())
}

/// Makes pyo3-async-runtimes use the engine's runtime (once per process).
fn bridge(py: Python<'_>) -> PyResult<()> {
    static INIT: Once = Once::new();
    let runtime = confiture_core::db::runtime().map_err(|e| errors::to_py(py, e.into()))?;
    INIT.call_once(|| {
        // Err means the bridge already had a runtime: only this module sets one.
        let _ = pyo3_async_runtimes::tokio::init_with_runtime(runtime);
    });
    Ok(())
}

/// Runs `work` on the runtime's blocking pool and returns an asyncio awaitable of `finish(result)`
/// (called with the GIL once the work is done). Must be called while an event loop runs.
pub fn awaitable<'py, R, F, G>(py: Python<'py>, work: F, finish: G) -> PyResult<Bound<'py, PyAny>>
where
    R: Send + 'static,
    F: FnOnce() -> Result<R, confiture_core::Error> + Send + 'static,
    G: for<'a> FnOnce(Python<'a>, Result<R, confiture_core::Error>) -> PyResult<Py<PyAny>> + Send + 'static,
{
    bridge(py)?;
    let runtime = confiture_core::db::runtime().map_err(|e| errors::to_py(py, e.into()))?;
    let handle = runtime.spawn_blocking(move || guarded(work));
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let result = match handle.await {
            Ok(r) => r,
            Err(e) => Err(confiture_core::Error::Internal(format!("engine task failed: {e}"))),
        };
        Python::attach(|py| finish(py, result))
    })
}

/// The usual completion: engine values as Python data, errors as `confiture.exceptions`.
pub fn plain<T: serde::Serialize>(py: Python<'_>, result: Result<T, confiture_core::Error>) -> PyResult<Py<PyAny>> {
    match result {
        Ok(value) => Ok(to_py(py, &value)?.unbind()),
        Err(e) => Err(errors::to_py(py, e)),
    }
}

/// `apply_schema`, awaitable.
#[pyfunction]
#[pyo3(signature = (environment, database_url = None, schema_only = false, recreate = false, use_cache = true))]
fn apply_schema_async<'py>(
    py: Python<'py>,
    environment: &Bound<'py, PyAny>,
    database_url: Option<String>,
    schema_only: bool,
    recreate: bool,
    use_cache: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let env: Environment = from_py(environment, "environment")?;
    awaitable(
        py,
        move || build::apply_environment(&env, database_url.as_deref(), schema_only, recreate, use_cache),
        plain,
    )
}
