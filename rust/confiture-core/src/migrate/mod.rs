//! Incremental migrations: files on disk ([`files`]), the tracking table ([`tracking`]), the
//! advisory lock ([`lock`]), preconditions, checksums, the runner that applies and rolls back
//! ([`runner`]), dry runs ([`dryrun`]) and new migration files ([`generate`]). All SQL goes through
//! the [`crate::db::Executor`] seam, so the same code runs on Confiture's own connection (CLI)
//! and inside a user's psycopg connection (`Migrator`).

mod body;
pub mod dryrun;
mod error;
pub mod files;
pub mod generate;
pub mod hooks;
pub mod host;
pub mod lock;
pub mod preconditions;
pub mod runner;
pub mod tracking;
pub mod version;

pub use body::SqlBody;
pub use error::{ChecksumMismatch, LockHolder, MigrateError, MigrationFailure, Problem};
pub use files::{MigrationFile, MigrationKind, Scan, checksum, scan, scan_names};
pub use host::{Direction, Event, ExternalInfo, HookPhase, Host, NoHost};
pub use runner::{OnMismatch, Runner, UpOptions};
