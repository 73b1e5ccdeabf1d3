use std::path::PathBuf;

use crate::db::DbError;

fn bullets(items: &[String]) -> String {
    items.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

/// Why a schema-to-schema step refused to start or stopped. Databases are shown as
/// `host:port/db`; passwords never appear (the user mapping is created from bind-free SQL whose
/// failures are reported by context, not by statement text).
#[derive(Debug, thiserror::Error)]
pub enum FdwError {
    #[error("{path}: {key}: {message}")]
    Mapping { path: String, key: String, message: String },

    #[error("schema-to-schema cannot start:\n{}", bullets(.problems))]
    Plan { problems: Vec<String> },

    /// `source` already names what was being done; `context` is kept for callers.
    #[error("{source}")]
    Db { context: String, source: DbError },

    #[error(
        "the target cannot reach the source through postgres_fdw (server {server} → {source_target}): {message}{}",
        .detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
    )]
    Connect { server: String, source_target: String, message: String, detail: Option<String> },

    #[error(
        "schema {schema} exists on the target and holds objects other than foreign tables of server {server}; \
         choose another name with --foreign-schema"
    )]
    ForeignSchemaInUse { schema: String, server: String },

    #[error("{what} is not set up; run `confiture migrate schema-to-schema setup{hint}` first")]
    NotSetUp { what: String, hint: String },

    #[error(
        "refusing to copy into {count} non-empty target table(s) that no earlier run started: {}; \
         empty them or pass --truncate",
        .tables.join(", ")
    )]
    TargetNotEmpty { count: usize, tables: Vec<String> },

    #[error("{table}: {message}")]
    Table { table: String, message: String },

    #[error("{table}: copying failed: {source}")]
    Copy { table: String, source: DbError },

    #[error(
        "could not freeze writes on the source within lock_timeout {timeout_ms} ms ({tables}): a long \
         transaction holds them; retry, or raise --lock-timeout"
    )]
    LockTimeout { timeout_ms: u64, tables: String },

    #[error("checkpoint {path}: {message}")]
    State { path: PathBuf, message: String },

    #[error("cancelled; committed batches are kept, run the same command again to resume")]
    Cancelled,
}

impl FdwError {
    pub(crate) fn db(context: impl Into<String>) -> impl FnOnce(DbError) -> Self {
        let context = context.into();
        move |source| Self::Db { context, source }
    }
}
