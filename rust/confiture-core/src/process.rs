//! Fork detection. After the engine's thread pools (rayon, tokio) have run in a process, any engine
//! call in an `os.fork()` child would hang forever; we fail fast with a clear message instead.

use std::sync::OnceLock;

static FIRST_USE_PID: OnceLock<u32> = OnceLock::new();

#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "confiture's engine was started in process {parent} and cannot run in a forked child ({child}); \
     use multiprocessing's 'spawn' or 'forkserver' start method, or fork before using confiture"
)]
pub struct ForkedError {
    pub parent: u32,
    pub child: u32,
}

/// Call before any engine work: records the first process to use the engine and refuses forks of it.
pub fn enter() -> Result<(), ForkedError> {
    let me = std::process::id();
    let first = *FIRST_USE_PID.get_or_init(|| me);
    if first == me { Ok(()) } else { Err(ForkedError { parent: first, child: me }) }
}
