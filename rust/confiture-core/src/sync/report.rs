//! What a sync did (or, with `--schema-only-check`, would do): per table rows, seconds, rows/s,
//! anonymized columns and the leak check; sequences; warnings. Serialized as the JSON summary.

use std::path::PathBuf;

use serde::Serialize;

use super::verify::Verification;

#[derive(Debug, Clone, Serialize)]
pub struct ColumnReport {
    pub column: String,
    /// As named in the rule (a profile strategy or a registry name).
    pub strategy: String,
    pub kind: String,
    pub unique: bool,
    /// `unique` collisions resolved by drawing again.
    pub collisions: u64,
    /// `profile` or `command line`.
    pub origin: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub table: String,
    /// `synced`, `skipped` (done in an earlier run, per the checkpoint) or `planned`.
    pub status: String,
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
    pub synced_at: Option<String>,
    pub columns: usize,
    pub anonymized: Vec<ColumnReport>,
    pub verification: Option<Verification>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SequenceReport {
    pub sequence: String,
    /// The value set (`None`: never used on the source; reset to its start).
    pub last_value: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub source: String,
    pub target: String,
    /// The exported snapshot all tables were read in.
    pub snapshot: Option<String>,
    pub check_only: bool,
    /// Load order: groups of tables (a group with several tables references itself in a cycle).
    pub order: Vec<Vec<String>>,
    pub tables: Vec<TableReport>,
    pub sequences: Vec<SequenceReport>,
    pub warnings: Vec<String>,
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
    pub checkpoint: Option<PathBuf>,
}

pub fn rate(rows: u64, seconds: f64) -> f64 {
    if seconds > 0.0 { (rows as f64 / seconds * 10.0).round() / 10.0 } else { 0.0 }
}
