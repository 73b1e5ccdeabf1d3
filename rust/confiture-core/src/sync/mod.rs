//! Copying data between databases (`confiture sync`): table selection with glob patterns across
//! every user schema ([`select`]), foreign-key load order with cycles handled ([`order`]),
//! streaming COPY with anonymization on batches in parallel ([`copy`]), one consistent snapshot
//! shared by every job, target safety rules, row-count and leak checks before commit,
//! checkpoints for `--resume`, and sequences set at the end ([`run()`]).

pub mod catalog;
mod checkpoint;
mod copy;
mod error;
mod options;
pub mod order;
mod plan;
mod progress;
mod report;
mod run;
mod select;
mod textcopy;
mod verify;

pub use checkpoint::{Checkpoint, CompletedTable};
pub use copy::Pipe;
pub use error::SyncError;
pub use options::{Endpoint, EnvironmentSafety, RuleInput, SyncOptions};
pub use plan::{Selection, TRACKING_TABLE, infer_strategy, select_tables};
pub use progress::{Progress, ProgressSnapshot, TableProgress, TableSnapshot, TableState};
pub use report::{ColumnReport, SequenceReport, SyncReport, TableReport};
pub use run::{list_tables, run};
pub use select::{TableName, TablePattern, TableRef};
pub use verify::Verification;
