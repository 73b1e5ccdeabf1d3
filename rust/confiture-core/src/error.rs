//! The top-level error: one variant per area, converted to Python exceptions in exactly one place
//! (`confiture-python/src/errors.rs`).

use crate::anonymize::AnonymizeError;
use crate::build::BuildError;
use crate::config::ConfigError;
use crate::coordinate::CoordinateError;
use crate::db::DbError;
use crate::diff::DiffError;
use crate::fdw::FdwError;
use crate::git::GitError;
use crate::lint::LintError;
use crate::migrate::MigrateError;
use crate::process::ForkedError;
use crate::project::ProjectError;
use crate::schema::SchemaError;
use crate::sql::SqlError;
use crate::sync::SyncError;
use crate::testkit::TestkitError;
use crate::testserver::ServerError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Sql(#[from] SqlError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Coordinate(#[from] CoordinateError),
    #[error(transparent)]
    Lint(#[from] LintError),
    #[error(transparent)]
    Anonymize(#[from] AnonymizeError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Testkit(#[from] TestkitError),
    #[error(transparent)]
    Forked(#[from] ForkedError),
    #[error(transparent)]
    Fdw(#[from] FdwError),
    #[error(transparent)]
    Git(#[from] GitError),
    /// A bug: the engine panicked. The binding turns panics into this instead of crashing.
    #[error("internal error, please report it at https://github.com/fraiseql/confiture/issues: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
