//! The checkpoint file: fraiseql-confiture's JSON (`version`, `timestamp`, `source_database`,
//! `target_database`, `completed_tables: {table: {rows_synced, synced_at}}`) plus the snapshot
//! each table was read in and a fingerprint of the sync (endpoints, anonymization rules, key
//! fingerprint), so `--resume` refuses to mix the output of different syncs. Written atomically
//! after every committed table group.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SyncError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletedTable {
    pub rows_synced: u64,
    pub synced_at: String,
    /// The exported snapshot the table was read in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: String,
    pub timestamp: String,
    pub source_database: String,
    pub target_database: String,
    pub completed_tables: BTreeMap<String, CompletedTable>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Collision re-draws of `unique` columns (domain → value fingerprint → attempt), so a
    /// resumed run gives those values the same outputs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub redraws: super::copy::SavedRedraws,
}

pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

impl Checkpoint {
    pub fn new(source: &str, target: &str, fingerprint: Option<String>) -> Self {
        Self {
            version: "1.0".into(),
            timestamp: now(),
            source_database: source.to_string(),
            target_database: target.to_string(),
            completed_tables: BTreeMap::new(),
            fingerprint,
            redraws: BTreeMap::new(),
        }
    }

    /// Reads a checkpoint; `None` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Self>, SyncError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SyncError::Checkpoint { path: path.to_path_buf(), message: e.to_string() }),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| SyncError::Checkpoint {
            path: path.to_path_buf(),
            message: format!("not a checkpoint file: {e}"),
        })
    }

    /// Writes the checkpoint atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), SyncError> {
        let error = |message: String| SyncError::Checkpoint { path: path.to_path_buf(), message };
        let mut text = serde_json::to_string_pretty(self).map_err(|e| error(e.to_string()))?;
        text.push('\n');
        crate::build::write_atomic(path, text.as_bytes()).map_err(|e| error(e.to_string()))
    }

    /// Refuses a checkpoint written for another sync.
    pub fn check_matches(&self, path: &Path, source: &str, target: &str, fingerprint: &str) -> Result<(), SyncError> {
        let mismatch = |what: &str| SyncError::Checkpoint {
            path: path.to_path_buf(),
            message: format!("it was written for a different sync ({what} changed); delete it or run without --resume"),
        };
        if self.source_database != source {
            return Err(mismatch("the source database"));
        }
        if self.target_database != target {
            return Err(mismatch("the target database"));
        }
        if self.fingerprint.as_deref().is_some_and(|f| f != fingerprint) {
            return Err(mismatch("the anonymization rules or key"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_reference_shape() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        assert!(Checkpoint::load(&path).unwrap().is_none());
        let mut cp = Checkpoint::new("h:5432/a", "h:5432/b", Some("f".into()));
        cp.completed_tables.insert("users".into(), CompletedTable { rows_synced: 3, synced_at: now(), snapshot: None });
        cp.save(&path).unwrap();
        assert_eq!(Checkpoint::load(&path).unwrap(), Some(cp.clone()));
        // A 0.3.9 checkpoint loads.
        std::fs::write(&path, r#"{"version":"1.0","timestamp":"t","source_database":"h:5432/a","target_database":"h:5432/b","completed_tables":{"users":{"rows_synced":3,"synced_at":"t"}}}"#).unwrap();
        let old = Checkpoint::load(&path).unwrap().unwrap();
        assert!(old.check_matches(&path, "h:5432/a", "h:5432/b", "anything").is_ok());
        assert!(cp.check_matches(&path, "h:5432/a", "h:5432/b", "g").is_err());
        std::fs::write(&path, "nope").unwrap();
        assert!(Checkpoint::load(&path).is_err());
    }
}
