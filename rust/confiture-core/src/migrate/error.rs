use std::path::PathBuf;

use serde::Serialize;

use crate::db::{ExecError, PgErrorInfo};

/// A problem with the migrations directory, found before anything runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// Two files claim the same version.
    DuplicateVersion { version: String, files: Vec<PathBuf> },
    /// `NNN_name.up.sql` without `NNN_name.down.sql`.
    MissingDown { up: PathBuf, expected: PathBuf },
    /// `NNN_name.down.sql` without `NNN_name.up.sql`.
    DownWithoutUp { down: PathBuf },
    /// A file whose name is not `{version}_{name}.(up.sql|down.sql|py)`.
    BadName { file: PathBuf, reason: String },
    /// A `.sql` file that is neither `.up.sql` nor `.down.sql`: it would never run.
    Orphan { file: PathBuf, suggestion: PathBuf },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DuplicateVersion { version, files } => write!(
                f,
                "version {version} is used by {} files: {}",
                files.len(),
                files.iter().map(|p| name_of(p)).collect::<Vec<_>>().join(", ")
            ),
            Self::MissingDown { up, expected } => {
                write!(f, "{} has no matching {} (write the rollback SQL there)", name_of(up), name_of(expected))
            }
            Self::DownWithoutUp { down } => write!(f, "{} has no matching .up.sql file", name_of(down)),
            Self::BadName { file, reason } => write!(f, "{}: {reason}", name_of(file)),
            Self::Orphan { file, suggestion } => {
                write!(f, "{} will never run (rename to: {})", name_of(file), name_of(suggestion))
            }
        }
    }
}

fn name_of(p: &std::path::Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// A stored checksum that no longer matches its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecksumMismatch {
    pub version: String,
    pub name: String,
    pub file_path: PathBuf,
    pub expected: String,
    pub actual: String,
}

/// Who holds the migration lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockHolder {
    pub pid: i64,
    pub user: Option<String>,
    pub application: Option<String>,
    pub client_addr: Option<String>,
    /// When its session started.
    pub started_at: Option<String>,
    pub state: Option<String>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PID {}", self.pid)?;
        if let Some(app) = self.application.as_deref().filter(|a| !a.is_empty()) {
            write!(f, " ({app})")?;
        }
        if let Some(user) = &self.user {
            write!(f, " as {user}")?;
        }
        if let Some(addr) = &self.client_addr {
            write!(f, " from {addr}")?;
        }
        if let Some(since) = &self.started_at {
            write!(f, " since {since}")?;
        }
        Ok(())
    }
}

/// Where and how a migration failed.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationFailure {
    pub version: String,
    pub name: String,
    pub file: Option<PathBuf>,
    /// `up` or `down`.
    pub direction: String,
    /// The failing statement, when known.
    pub statement: Option<String>,
    /// 1-based line (and column) in the file, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub error: Option<PgErrorInfo>,
    /// What state the database is left in.
    pub outcome: String,
}

impl std::fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "migration {}_{} ({}) failed", self.version, self.name, self.direction)?;
        if let Some(file) = &self.file {
            write!(f, " in {}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(info) = &self.error {
            if !info.code.is_empty() {
                write!(f, " [{}]", info.code)?;
            }
            if let Some(d) = &info.detail {
                write!(f, "\n  detail: {d}")?;
            }
            if let Some(h) = &info.hint {
                write!(f, "\n  hint: {h}")?;
            }
        }
        if let Some(s) = &self.statement {
            write!(f, "\n  statement: {}", s.replace('\n', "\n             "))?;
        }
        write!(f, "\n{}", self.outcome)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migrations directory not found: {dir}")]
    DirNotFound { dir: PathBuf },

    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },

    #[error(
        "the migrations directory has problems; nothing was run:\n{}",
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Problems { problems: Vec<Problem> },

    #[error("{context}: {error}")]
    Exec { context: String, error: ExecError },

    #[error("{0}")]
    Failed(Box<MigrationFailure>),

    #[error("Could not acquire migration lock within {timeout_ms}ms{}", holder_suffix(.holder))]
    LockTimeout { timeout_ms: u64, holder: Option<Box<LockHolder>> },

    #[error("Migration lock is held by another process{}", holder_suffix(.holder))]
    LockBusy { holder: Option<Box<LockHolder>> },

    #[error(
        "checksum mismatch: {} applied migration file(s) changed since they were applied:\n{}\n\
         restore the files, or run `confiture verify --fix` if the change is intended",
        mismatches.len(),
        mismatches.iter().map(|m| format!("  - {}_{} ({}): expected {}, actual {}", m.version, m.name, m.file_path.display(), m.expected, m.actual)).collect::<Vec<_>>().join("\n")
    )]
    Checksum { mismatches: Vec<ChecksumMismatch> },

    #[error("Migration version '{version}' not found; available: {}", if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    VersionNotFound { version: String, available: Vec<String> },

    #[error("Migration {version} ({name}) has already been applied")]
    AlreadyApplied { version: String, name: String },

    #[error("Migration {version} ({name}) has not been applied, cannot rollback")]
    NotApplied { version: String, name: String },

    #[error("Migration file for version {version} not found (applied as {name}); restore it to roll back")]
    FileMissing { version: String, name: String },

    #[error("{0}")]
    Usage(String),

    #[error(
        "Migration preconditions failed for {version}_{name} ({} failure{}):\n{}",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" },
        failures.iter().map(|(p, e)| format!("  - {p}: {e}")).collect::<Vec<_>>().join("\n")
    )]
    Preconditions { version: String, name: String, failures: Vec<(String, String)> },

    #[error("{file}: {message}")]
    Sidecar { file: PathBuf, message: String },

    /// An error raised by a Python migration, precondition or hook (the binding fills it).
    #[error("{message}")]
    Host { message: String, statement: Option<String>, error: Option<Box<PgErrorInfo>> },

    #[error("strict mode: {0}")]
    Strict(String),
}

fn holder_suffix(holder: &Option<Box<LockHolder>>) -> String {
    match holder {
        Some(h) => format!(". Held by {h}"),
        None => String::new(),
    }
}

impl MigrateError {
    pub fn exec(context: impl Into<String>, error: ExecError) -> Self {
        Self::Exec { context: context.into(), error }
    }
}
