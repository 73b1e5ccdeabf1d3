//! Git-aware validation (`confiture migrate validate --check-drift --require-migration`): the
//! schema and migration files of a base ref and of the working tree or the index, read straight
//! from git objects with libgit2 (no checkout, no `git` process). Schema files that changed need a
//! migration; the base's DDL with the new migrations applied must give the model of the new DDL.

mod drift;
mod error;
mod layout;
mod repo;
mod report;
mod snapshot;
mod validate;

pub use error::GitError;
pub use layout::DEFAULT_SCHEMA_DIR;
pub use repo::{DEFAULT_BASE_REF, FALLBACK_BASE_REF};
pub use report::{ValidateReport, Violation, naming_violations};
pub use snapshot::Compared;
pub use validate::{ValidateOptions, validate};
