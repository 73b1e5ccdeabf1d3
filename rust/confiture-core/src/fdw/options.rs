//! What a schema-to-schema step is asked to do: the two databases, the names of the objects it
//! creates, the mapping and the knobs.

use super::mapping::{Mapping, Strategy};
use crate::sync::Endpoint;

/// Name of the postgres_fdw server created on the target (fraiseql-confiture's).
pub const DEFAULT_SERVER_NAME: &str = "confiture_source_server";
/// Local schema holding the source's `public` tables as foreign tables (fraiseql-confiture's).
pub const DEFAULT_FOREIGN_SCHEMA_NAME: &str = "old_schema";
/// Rows per committed batch of the bulk copy.
pub const DEFAULT_BATCH_ROWS: u64 = 100_000;
/// `auto` copies tables with at least this many rows with `copy`, smaller ones with `fdw`.
pub const DEFAULT_COPY_THRESHOLD: u64 = 100_000;
/// Longest wait for the write freeze at cutover.
pub const DEFAULT_LOCK_TIMEOUT_MS: u64 = 5_000;
/// Rows moved to measure throughput in `analyze`.
pub const DEFAULT_SAMPLE_ROWS: u64 = 10_000;

#[derive(Debug, Clone)]
pub struct S2sOptions {
    pub source: Endpoint,
    pub target: Endpoint,
    pub server_name: String,
    pub foreign_schema: String,
    /// Source schemas imported at setup (and searched by `analyze` without a mapping).
    pub schemas: Vec<String>,
    /// How the target's server reaches the source, when it differs from how we do.
    pub fdw_host: Option<String>,
    pub fdw_port: Option<u16>,
    pub mapping: Option<Mapping>,
    /// `setup`: install the change log on the source tables.
    pub capture: bool,
    /// `setup`: create the server and user mapping but import nothing.
    pub skip_import: bool,
    pub strategy: Strategy,
    pub jobs: usize,
    pub batch_rows: u64,
    pub copy_threshold: u64,
    pub truncate: bool,
    /// `migrate`: forget earlier progress of the mapped tables and copy them again, into whatever
    /// they hold (fraiseql-confiture's `migrate_table`).
    pub restart: bool,
    /// `verify`: only these target tables (as written in the mapping); empty: all.
    pub tables: Vec<String>,
    pub lock_timeout_ms: u64,
    /// `cutover`: verify checksums while writes are frozen.
    pub verify_in_cutover: bool,
    pub sample_rows: u64,
}

impl S2sOptions {
    pub fn new(source: Endpoint, target: Endpoint) -> Self {
        Self {
            source,
            target,
            server_name: DEFAULT_SERVER_NAME.into(),
            foreign_schema: DEFAULT_FOREIGN_SCHEMA_NAME.into(),
            schemas: vec!["public".into()],
            fdw_host: None,
            fdw_port: None,
            mapping: None,
            capture: false,
            skip_import: false,
            strategy: Strategy::Auto,
            jobs: 1,
            batch_rows: DEFAULT_BATCH_ROWS,
            copy_threshold: DEFAULT_COPY_THRESHOLD,
            truncate: false,
            restart: false,
            tables: Vec::new(),
            lock_timeout_ms: DEFAULT_LOCK_TIMEOUT_MS,
            verify_in_cutover: true,
            sample_rows: DEFAULT_SAMPLE_ROWS,
        }
    }

    /// The local schema holding source schema `schema`'s foreign tables: the foreign schema name
    /// itself for `public`, `<name>_<schema>` for the others.
    pub fn foreign_schema_for(&self, schema: &str) -> String {
        if schema == "public" { self.foreign_schema.clone() } else { format!("{}_{schema}", self.foreign_schema) }
    }
}
