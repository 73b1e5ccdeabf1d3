//! Confiture's engine. Everything Confiture does lives here; the Python package only translates.
//!
//! Areas (each a directory with a `mod.rs` that states what it owns):
//! - [`config`]: environment YAML, `${VAR}` interpolation, libpq connection URLs
//! - [`project`]: schema file discovery, ordering, hashing, `confiture init` scaffolding
//! - [`sql`]: statement splitting, identifier quoting, parsing with pg_query
//! - [`db`]: connections (TLS), the shared tokio runtime, the `Executor` seam
//! - [`schema`]: the schema model, from DDL (pg_query) or from a live database (pg_catalog)
//! - [`diff`]: schema diff, dependency-ordered plans with hazards, migration files
//! - [`build`]: assembling the schema file and building databases from it (template cache)
//! - [`migrate`]: incremental migrations, tracking table, advisory lock, checksums, dry runs
//! - [`lint`]: schema and migration rules on the parse tree, reports as table/JSON/CSV/SARIF
//! - [`anonymize`]: keyed deterministic anonymization strategies, profiles
//! - [`coordinate`]: intents of parallel schema work and their conflicts, from parsed DDL
//! - [`sync`]: copying data between databases (streaming COPY, FK order, anonymization, resume)
//! - [`testkit`]: the testing toolkit: schema snapshots, data checks, migration round trips, clone pools
//! - [`fdw`]: schema-to-schema migration through postgres_fdw (bulk copy, catch-up, cutover)
//! - [`testserver`]: throw-away PostgreSQL clusters for tests and demos
//! - [`git`]: git-aware validation: drift against a base ref, migrations that must accompany DDL

pub mod anonymize;
pub mod build;
pub mod config;
pub mod coordinate;
pub mod db;
pub mod diff;
pub mod error;
pub mod fdw;
pub mod git;
pub mod lint;
pub mod migrate;
pub mod process;
pub mod project;
pub mod schema;
pub mod sql;
pub mod sync;
pub mod testkit;
pub mod testserver;

pub use error::{Error, Result};

/// The engine's version, shared by the Python package and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
