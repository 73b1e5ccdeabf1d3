//! Progress of a running sync, shared with whoever watches it (the CLI's progress bars poll it
//! from Python), and the cancel switch.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableState {
    Pending,
    Copying,
    Done,
    /// Completed in an earlier run (resume).
    Skipped,
    Failed,
}

impl TableState {
    fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::Copying,
            2 => Self::Done,
            3 => Self::Skipped,
            4 => Self::Failed,
            _ => Self::Pending,
        }
    }
}

#[derive(Debug)]
pub struct TableProgress {
    pub table: String,
    pub estimate: i64,
    rows: AtomicU64,
    state: AtomicU8,
}

impl TableProgress {
    pub fn add_rows(&self, n: u64) {
        self.rows.fetch_add(n, Ordering::Relaxed);
    }

    pub fn set_state(&self, state: TableState) {
        self.state.store(state as u8, Ordering::Relaxed);
    }

    pub fn reset_rows(&self) {
        self.rows.store(0, Ordering::Relaxed);
    }
}

/// A point-in-time view, for display.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressSnapshot {
    pub phase: String,
    pub tables: Vec<TableSnapshot>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableSnapshot {
    pub table: String,
    pub rows: u64,
    /// The planner's estimate (-1: unknown).
    pub estimate: i64,
    pub state: TableState,
}

#[derive(Debug, Default)]
pub struct Progress {
    phase: Mutex<String>,
    tables: RwLock<Vec<Arc<TableProgress>>>,
    cancelled: AtomicBool,
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set_phase(&self, phase: &str) {
        if let Ok(mut p) = self.phase.lock() {
            phase.clone_into(&mut p);
        }
    }

    pub(crate) fn set_tables(&self, tables: Vec<(String, i64)>) -> Vec<Arc<TableProgress>> {
        let list: Vec<Arc<TableProgress>> = tables
            .into_iter()
            .map(|(table, estimate)| {
                Arc::new(TableProgress { table, estimate, rows: AtomicU64::new(0), state: AtomicU8::new(0) })
            })
            .collect();
        if let Ok(mut t) = self.tables.write() {
            t.clone_from(&list);
        }
        list
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        let phase = self.phase.lock().map(|p| p.clone()).unwrap_or_default();
        let tables = self
            .tables
            .read()
            .map(|t| {
                t.iter()
                    .map(|p| TableSnapshot {
                        table: p.table.clone(),
                        rows: p.rows.load(Ordering::Relaxed),
                        estimate: p.estimate,
                        state: TableState::from_u8(p.state.load(Ordering::Relaxed)),
                    })
                    .collect()
            })
            .unwrap_or_default();
        ProgressSnapshot { phase, tables }
    }

    /// Asks the sync to stop at the next batch (what is not committed is rolled back).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}
