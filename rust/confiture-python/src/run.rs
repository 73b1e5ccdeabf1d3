//! The one way the binding calls the engine: arguments already owned, the GIL released, panics
//! caught (a panic becomes `ConfiturError("internal error …")`, never a crash or a
//! `PanicException`), engine errors converted in `errors.rs`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;

use crate::errors;

/// Runs engine work `f` without the GIL.
pub fn engine<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, confiture_core::Error> + Send,
    T: Send,
{
    let result = py.detach(|| -> Result<T, confiture_core::Error> {
        confiture_core::process::enter()?;
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(result) => result,
            Err(panic) => Err(confiture_core::Error::Internal(panic_message(panic.as_ref()))),
        }
    });
    result.map_err(|e| errors::to_py(py, e))
}

/// Runs `f` on the current (engine) thread with the same guarantees as [`engine`] minus the GIL
/// handling: fork check, panics turned into `Error::Internal`.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, confiture_core::Error>) -> Result<T, confiture_core::Error> {
    confiture_core::process::enter()?;
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => Err(confiture_core::Error::Internal(panic_message(panic.as_ref()))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Where a background result lands, and the signal that it did.
type Slot<T> = (std::sync::Mutex<Option<Result<T, confiture_core::Error>>>, std::sync::Condvar);

/// Engine work running on its own thread while Python keeps control (to poll progress, to be
/// interrupted): the same guarantees as [`engine`] (fork check, panics caught, errors converted
/// in `errors.rs`), delivered by [`Background::wait`].
pub struct Background<T> {
    state: std::sync::Arc<Slot<T>>,
    taken: std::sync::atomic::AtomicBool,
}

impl<T: Send + 'static> Background<T> {
    pub fn start<F>(py: Python<'_>, f: F) -> PyResult<Self>
    where
        F: FnOnce() -> Result<T, confiture_core::Error> + Send + 'static,
    {
        confiture_core::process::enter().map_err(|e| errors::to_py(py, e.into()))?;
        let state = std::sync::Arc::new((std::sync::Mutex::new(None), std::sync::Condvar::new()));
        let shared = std::sync::Arc::clone(&state);
        std::thread::Builder::new()
            .name("confiture-sync".into())
            .spawn(move || {
                let result = match catch_unwind(AssertUnwindSafe(f)) {
                    Ok(r) => r,
                    Err(panic) => Err(confiture_core::Error::Internal(panic_message(panic.as_ref()))),
                };
                let (lock, done) = &*shared;
                if let Ok(mut slot) = lock.lock() {
                    *slot = Some(result);
                }
                done.notify_all();
            })
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("cannot start a thread: {e}")))?;
        Ok(Self { state, taken: std::sync::atomic::AtomicBool::new(false) })
    }

    pub fn is_done(&self) -> bool {
        self.taken.load(std::sync::atomic::Ordering::Relaxed)
            || self.state.0.lock().map(|s| s.is_some()).unwrap_or(true)
    }

    /// The result once there is one (`None` after `timeout` seconds); a result is handed out once.
    pub fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<T>> {
        if self.taken.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(pyo3::exceptions::PyRuntimeError::new_err("the result was already returned"));
        }
        let state = std::sync::Arc::clone(&self.state);
        let outcome = py.detach(move || {
            let (lock, done) = &*state;
            let mut slot = lock.lock().map_err(|_| ())?;
            let deadline = timeout.map(|t| std::time::Instant::now() + std::time::Duration::from_secs_f64(t.max(0.0)));
            while slot.is_none() {
                match deadline {
                    None => slot = done.wait(slot).map_err(|_| ())?,
                    Some(d) => {
                        let left = d.saturating_duration_since(std::time::Instant::now());
                        if left.is_zero() {
                            return Ok(None);
                        }
                        slot = done.wait_timeout(slot, left).map_err(|_| ())?.0;
                    }
                }
            }
            Ok::<_, ()>(slot.take())
        });
        match outcome {
            Ok(Some(result)) => {
                self.taken.store(true, std::sync::atomic::Ordering::Relaxed);
                result.map(Some).map_err(|e| errors::to_py(py, e))
            }
            Ok(None) => Ok(None),
            Err(()) => Err(errors::to_py(py, confiture_core::Error::Internal("a sync thread panicked".into()))),
        }
    }
}

/// Defines a Python class for engine work running in the background with a
/// [`confiture_core::sync::Progress`]: `progress()`, `wait(timeout)`, `cancel()`, `done()` — one
/// definition for every such run (sync, schema-to-schema). pyo3 classes cannot be generic, hence a
/// macro.
macro_rules! progress_run {
    ($(#[$attr:meta])* $ty:ident, $name:tt, $report:ty, $cancel_doc:tt) => {
        $(#[$attr])*
        #[pyclass(name = $name, module = "confiture._core", frozen)]
        pub struct $ty {
            progress: std::sync::Arc<confiture_core::sync::Progress>,
            run: $crate::run::Background<$report>,
        }

        #[pymethods]
        impl $ty {
            /// `{"phase", "tables": [{"table", "rows", "estimate", "state"}]}`.
            fn progress<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::convert::to_py(py, &self.progress.snapshot())
            }

            /// The report once the work has finished (raising its error if it failed); `None` if
            /// it is still running after `timeout` seconds (`None`: wait until it ends).
            #[pyo3(signature = (timeout = None))]
            fn wait<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Option<Bound<'py, PyAny>>> {
                match self.run.wait(py, timeout)? {
                    Some(report) => Ok(Some($crate::convert::to_py(py, &report)?)),
                    None => Ok(None),
                }
            }

            #[doc = $cancel_doc]
            fn cancel(&self) {
                self.progress.cancel();
            }

            /// Whether the work has finished.
            fn done(&self) -> bool {
                self.run.is_done()
            }
        }
    };
}
pub(crate) use progress_run;
