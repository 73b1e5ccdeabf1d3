//! Why a testing-toolkit operation could not run (a failed *check* is a result, not an error).

use crate::db::ExecError;

#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// A query the toolkit sent failed.
    #[error("{context}: {source}")]
    Query {
        context: String,
        #[source]
        source: ExecError,
    },

    /// A table named by the caller does not exist.
    #[error("table {table} does not exist")]
    NoSuchTable { table: String },

    /// A column named by the caller has no foreign key on it.
    #[error("{table}.{column} has no foreign key: nothing to check")]
    NoForeignKey { table: String, column: String },

    /// The round trip was asked for a migration that is already applied in its database (it
    /// needs one where the migrations before it, and only those, are applied).
    #[error("migration {version} is already applied in this database: the round trip needs a database before it")]
    AlreadyPast { version: String },

    /// Bad arguments (an unknown migration version, an empty name, …).
    #[error("{0}")]
    Usage(String),

    /// A per-test database could not be created or dropped.
    #[error("test database pool: {0}")]
    Pool(String),
}

impl TestkitError {
    pub(crate) fn query(context: impl Into<String>) -> impl FnOnce(ExecError) -> Self {
        let context = context.into();
        move |source| Self::Query { context, source }
    }
}
