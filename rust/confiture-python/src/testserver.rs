//! Throw-away PostgreSQL servers for tests and demos.

use std::path::PathBuf;
use std::sync::Mutex;

use confiture_core::testserver::{ServerOptions, TestServer};
use pyo3::prelude::*;

use crate::run::engine;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTestServer>()?;
    Ok(())
}

/// A PostgreSQL server for tests: throw-away (stopped and removed by `stop()`, on garbage
/// collection, or at exit), or the existing server named by `CONFITURE_TEST_DATABASE_URL`.
#[pyclass(name = "PostgresServer", module = "confiture._core", frozen)]
pub struct PyTestServer {
    inner: Mutex<Option<TestServer>>,
    url: String,
    external: bool,
    directory: Option<PathBuf>,
}

#[pymethods]
impl PyTestServer {
    /// Starts (or, with an environment URL, attaches to) a server. `throwaway=True` ignores the
    /// environment and always starts a new cluster.
    #[staticmethod]
    #[pyo3(signature = (throwaway = false))]
    fn start(py: Python<'_>, throwaway: bool) -> PyResult<Self> {
        let server = engine(py, || {
            Ok(if throwaway { TestServer::start_throwaway(&ServerOptions::default())? } else { TestServer::start()? })
        })?;
        Ok(Self {
            url: server.url(),
            external: server.is_external(),
            directory: server.directory().map(std::path::Path::to_path_buf),
            inner: Mutex::new(Some(server)),
        })
    }

    /// URL of the maintenance database (`postgres`).
    #[getter]
    fn url(&self) -> String {
        self.url.clone()
    }

    /// Whether this is an existing server (stop() leaves it running).
    #[getter]
    fn is_external(&self) -> bool {
        self.external
    }

    /// The cluster directory of a throw-away server.
    #[getter]
    fn directory(&self) -> Option<PathBuf> {
        self.directory.clone()
    }

    /// URL of database `dbname` on this server.
    fn url_for(&self, dbname: &str) -> PyResult<String> {
        let guard = self.inner.lock().map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("server lock poisoned"))?;
        match guard.as_ref() {
            Some(s) => Ok(s.url_for(dbname)),
            None => Err(pyo3::exceptions::PyRuntimeError::new_err("the server was stopped")),
        }
    }

    /// Stops a throw-away server and removes its directory (idempotent).
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let server = self.inner.lock().ok().and_then(|mut g| g.take());
        if let Some(mut server) = server {
            engine(py, move || Ok(server.stop()?))?;
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("PostgresServer(url={:?}, external={})", self.url, self.external)
    }
}
