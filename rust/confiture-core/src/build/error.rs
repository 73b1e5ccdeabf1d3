use serde::Serialize;

use crate::db::PgErrorInfo;

/// Where a failing statement came from and what PostgreSQL said about it.
#[derive(Debug, Clone, Serialize)]
pub struct StatementFailure {
    /// The source file, relative to the build's base directory.
    pub file: String,
    /// 1-based line (in that file) of the error position, or of the statement's start.
    pub line: usize,
    /// 1-based column of the error position, when PostgreSQL gave one.
    pub column: Option<usize>,
    /// The statement as written (first lines).
    pub statement: String,
    pub error: PgErrorInfo,
    /// What happened to the target database.
    pub outcome: String,
}

impl std::fmt::Display for StatementFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        write!(f, ": {}", self.error.message)?;
        if !self.error.code.is_empty() {
            write!(f, " [{}]", self.error.code)?;
        }
        write!(f, "\n  statement: {}", self.statement.replace('\n', "\n             "))?;
        for (label, value) in
            [("detail", &self.error.detail), ("hint", &self.error.hint), ("context", &self.error.context)]
        {
            if let Some(v) = value {
                write!(f, "\n  {label}: {v}")?;
            }
        }
        write!(f, "\n{}", self.outcome)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A statement failed while building; everything was rolled back.
    #[error("{0}")]
    Statement(Box<StatementFailure>),

    /// A script problem found before anything ran (unterminated quote, psql meta-command, ROLLBACK).
    #[error("{file}:{line}: {message}")]
    Script { file: String, line: usize, message: String },

    #[error(
        "database {database:?} already exists and is not empty ({summary}); \
         use --recreate to drop and rebuild it, or choose another database"
    )]
    TargetNotEmpty { database: String, summary: String },

    #[error("refusing to drop {database:?}: it is a system database; build into another database")]
    SystemDatabase { database: String },

    #[error("cannot drop database {database:?}: {sessions} other session(s) are connected to it; close them and retry")]
    InUse { database: String, sessions: i64 },
}
