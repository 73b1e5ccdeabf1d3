//! The engine's single tokio runtime, created on first use and shared by every caller (CLI, Python
//! API, async API). Sync entry points `block_on` it from a thread that is not one of its workers.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

use super::DbError;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime.
pub fn runtime() -> Result<&'static Runtime, DbError> {
    crate::process::enter().map_err(|e| DbError::Runtime { message: e.to_string() })?;
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_name("confiture-io")
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|message| DbError::Runtime { message: message.clone() })
}

/// Runs `future` to completion on the shared runtime, blocking the calling thread.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, DbError> {
    Ok(runtime()?.block_on(future))
}
