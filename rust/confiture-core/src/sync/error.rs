use std::path::PathBuf;

use crate::anonymize::AnonymizeError;
use crate::db::DbError;

fn bullets(items: &[String]) -> String {
    items.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

/// Why a sync refused to start or stopped. Targets are shown as `host:port/db` (never with a
/// password); values from the data are never shown.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "refusing to sync into environment {env:?}: it is protected ({reason}); to overwrite it anyway, \
         set `sync: {{allow_as_target: true}}` in {path} and pass --yes"
    )]
    ProtectedTarget { env: String, reason: String, path: PathBuf },

    #[error("refusing to sync into environment {env:?} without --yes: it is protected ({reason})")]
    NeedsConfirmation { env: String, reason: String },

    #[error("source and target are the same database ({target}); nothing to do")]
    SameDatabase { target: String },

    #[error(
        "refusing to overwrite {count} non-empty table(s) in {target} without --truncate: {}",
        .tables.join(", ")
    )]
    TargetNotEmpty { target: String, count: usize, tables: Vec<String> },

    #[error("the sync cannot start:\n{}", bullets(.problems))]
    Plan { problems: Vec<String> },

    #[error(
        "tables {} reference each other through foreign keys that are not DEFERRABLE ({}), and {user} \
         may not disable them (session_replication_role needs a superuser or SET privilege); make the \
         constraints DEFERRABLE, run as a superuser, or exclude one of the tables",
        .tables.join(", "), .constraints.join(", ")
    )]
    Cycle { tables: Vec<String>, constraints: Vec<String>, user: String },

    #[error("{table}: row count mismatch: read {read} rows from the source, the target holds {written}")]
    RowCountMismatch { table: String, read: u64, written: u64 },

    #[error(
        "{table}: foreign key {constraint} is violated after loading (the source data is inconsistent \
         or the target schema differs); nothing was committed for this table group"
    )]
    ForeignKeyViolated { table: String, constraint: String },

    #[error(
        "{table}.{column}: anonymization verification failed: {count} sampled original value(s) are still \
         in the target (a trigger, default or rule lets personal data through); nothing was committed \
         for this table group"
    )]
    Leak { table: String, column: String, count: usize },

    #[error("{table}.{column}: {source}")]
    Anonymize { table: String, column: String, source: AnonymizeError },

    #[error("{table}: copying failed: {source}")]
    Copy { table: String, source: DbError },

    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },

    #[error("the sync was cancelled; tables already committed are listed in the checkpoint")]
    Cancelled,
}
