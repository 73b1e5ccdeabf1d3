//! Sync (in progress).
mod error;
pub use error::SyncError;
