//! What can go wrong when a statement runs on a database in use, and the safer way when there is
//! one. Every plan step lists its hazards; `--generate` writes them as comments above the statement.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    /// Rows or columns are gone afterwards (DROP TABLE, DROP COLUMN, dropping an enum value…).
    DeletesData,
    /// Takes an ACCESS EXCLUSIVE lock: blocks reads and writes of the table while it runs.
    AccessExclusiveLock,
    /// Rewrites the whole table (and its indexes) under that lock.
    RewritesTable,
    /// Reads the whole table to validate a constraint while holding a lock that blocks writes.
    FullScan,
    /// Builds an index without CONCURRENTLY: writes to the table wait until it is built.
    BlocksWrites,
    /// May fail on existing data (NOT NULL without a default, type changes, unique keys…).
    MayFail,
}

impl HazardKind {
    /// The hazard's name in JSON and in generated comments.
    pub fn name(self) -> &'static str {
        match self {
            Self::DeletesData => "deletes_data",
            Self::AccessExclusiveLock => "access_exclusive_lock",
            Self::RewritesTable => "rewrites_table",
            Self::FullScan => "full_scan",
            Self::BlocksWrites => "blocks_writes",
            Self::MayFail => "may_fail",
        }
    }

    /// Every hazard, for docs and tests.
    pub const ALL: [HazardKind; 6] = [
        Self::DeletesData,
        Self::AccessExclusiveLock,
        Self::RewritesTable,
        Self::FullScan,
        Self::BlocksWrites,
        Self::MayFail,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub message: String,
    /// A safer way to reach the same schema, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safer: Option<String>,
}

impl Hazard {
    pub fn new(kind: HazardKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), safer: None }
    }

    pub fn safer(mut self, alternative: impl Into<String>) -> Self {
        self.safer = Some(alternative.into());
        self
    }

    pub fn deletes_data(what: impl Into<String>) -> Self {
        Self::new(HazardKind::DeletesData, what)
    }

    pub fn exclusive_lock(what: &str) -> Self {
        Self::new(HazardKind::AccessExclusiveLock, format!("takes an ACCESS EXCLUSIVE lock on {what}"))
    }
}
