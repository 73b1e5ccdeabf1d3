//! The testing toolkit's engine side (`confiture.testing`): schema snapshots built from the
//! schema model ([`snapshot`]) and their comparison ([`compare`]); data checks — exact row counts,
//! rows that break foreign keys or `NOT VALID` checks, invalid indexes ([`data`]); the migration
//! round trip, up → down → up with the schemas compared by the diff engine ([`roundtrip`]); and
//! pools of databases cloned ahead of time from a template, for per-test databases ([`pool`]).
//!
//! Everything that reads a database goes through the [`crate::db::Executor`] seam, inside a
//! savepoint that is rolled back, so it works on a user's own connection in the middle of its
//! transaction (a `MigrationSandbox`) and never disturbs it.

pub mod compare;
pub mod data;
mod error;
pub mod pool;
pub mod roundtrip;
pub mod snapshot;

pub use compare::{Comparison, compare};
pub use error::TestkitError;
pub use snapshot::{Snapshot, capture};
