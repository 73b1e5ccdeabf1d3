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

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
