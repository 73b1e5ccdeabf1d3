//! What the runner needs from its caller: running Python migrations, their preconditions and
//! hooks (only the Python side can), and hearing about progress. Pure-SQL callers use [`NoHost`].

use serde::Serialize;

use super::MigrateError;
use super::files::MigrationFile;
use crate::db::SharedExecutor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
        }
    }
}

/// Hook phases of a migration, in the order they run (`cleanup` always, `error` on failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookPhase {
    BeforeValidation,
    BeforeDdl,
    AfterDdl,
    AfterValidation,
    Cleanup,
    Error,
}

/// Facts about a Python migration that only loading it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalInfo {
    pub version: String,
    pub name: String,
    pub transactional: bool,
}

/// Progress, as it happens.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    LockAcquired,
    /// The applied files' checksums match.
    ChecksumsVerified,
    Applying {
        version: String,
        name: String,
    },
    Applied {
        version: String,
        name: String,
        execution_time_ms: i64,
    },
    RollingBack {
        version: String,
        name: String,
    },
    RolledBack {
        version: String,
        name: String,
        execution_time_ms: i64,
    },
    SkippedAfterTarget {
        version: String,
    },
    Warning {
        message: String,
    },
}

pub trait Host {
    /// Loads a Python migration and says what it is.
    fn describe(&mut self, migration: &MigrationFile) -> Result<ExternalInfo, MigrateError>;

    /// Runs a Python migration's `up()` or `down()`; its SQL goes through `exec`.
    fn run(
        &mut self,
        migration: &MigrationFile,
        direction: Direction,
        exec: &SharedExecutor,
    ) -> Result<(), MigrateError>;

    /// Checks a Python migration's preconditions; returns the failures (precondition, message).
    fn check_preconditions(
        &mut self,
        migration: &MigrationFile,
        direction: Direction,
        exec: &SharedExecutor,
    ) -> Result<Vec<(String, String)>, MigrateError>;

    /// Runs the hooks of a phase (declared by the migration or registered with the caller).
    fn hooks(
        &mut self,
        migration: &MigrationFile,
        direction: Direction,
        phase: HookPhase,
        exec: &SharedExecutor,
        error: Option<&str>,
    ) -> Result<(), MigrateError>;

    fn event(&mut self, event: Event);

    /// Whether any hook can apply to this migration (when none can, the runner may send the whole
    /// migration in one message).
    fn has_hooks(&self, _migration: &MigrationFile) -> bool {
        true
    }
}

/// A host for SQL-only use (Rust callers, tests): Python migrations are an error, there are no hooks.
#[derive(Debug, Default)]
pub struct NoHost {
    pub events: Vec<Event>,
}

impl Host for NoHost {
    fn describe(&mut self, migration: &MigrationFile) -> Result<ExternalInfo, MigrateError> {
        Err(python_needed(migration))
    }

    fn run(&mut self, migration: &MigrationFile, _: Direction, _: &SharedExecutor) -> Result<(), MigrateError> {
        Err(python_needed(migration))
    }

    fn check_preconditions(
        &mut self,
        _: &MigrationFile,
        _: Direction,
        _: &SharedExecutor,
    ) -> Result<Vec<(String, String)>, MigrateError> {
        Ok(Vec::new())
    }

    fn hooks(
        &mut self,
        _: &MigrationFile,
        _: Direction,
        _: HookPhase,
        _: &SharedExecutor,
        _: Option<&str>,
    ) -> Result<(), MigrateError> {
        Ok(())
    }

    fn event(&mut self, event: Event) {
        self.events.push(event);
    }

    fn has_hooks(&self, _migration: &MigrationFile) -> bool {
        false
    }
}

fn python_needed(migration: &MigrationFile) -> MigrateError {
    MigrateError::Usage(format!(
        "{} is a Python migration: run it through the confiture Python package",
        migration.path().display()
    ))
}
