//! A SQL migration file as statements: split the way psql splits them (so dollar-quoted bodies,
//! `BEGIN ATOMIC` functions and COPY data stay whole), run through an executor, and errors mapped
//! back to the file's line and column.

use std::path::{Path, PathBuf};

use super::MigrateError;
use super::files::{read_sql, wants_no_transaction};
use crate::db::{ExecError, Executor};
use crate::sql::{Statement, StatementKind, split};

/// A loaded SQL migration file.
#[derive(Debug, Clone)]
pub struct SqlBody {
    pub path: PathBuf,
    pub text: String,
    pub statements: Vec<Statement>,
    /// False when the file starts with `-- confiture: no-transaction`.
    pub transactional: bool,
}

/// Where a body failed.
#[derive(Debug, Clone)]
pub struct BodyError {
    /// Index of the failing statement.
    pub index: usize,
    /// Byte offset of the error inside that statement, when known.
    pub offset: Option<usize>,
    /// Statements that completed (and, outside a transaction, stay done).
    pub completed: usize,
    pub error: ExecError,
}

impl SqlBody {
    pub fn load(path: &Path) -> Result<Self, MigrateError> {
        let text = read_sql(path)?;
        let statements =
            split(&text).map_err(|e| MigrateError::Sidecar { file: path.to_path_buf(), message: e.to_string() })?;
        for s in &statements {
            if s.kind == StatementKind::MetaCommand {
                let command = s.text(&text).split_whitespace().next().unwrap_or("\\");
                if command != "\\restrict" && command != "\\unrestrict" {
                    return Err(MigrateError::Sidecar {
                        file: path.to_path_buf(),
                        message: format!("line {}: psql meta-command {command} is not supported in migrations", s.line),
                    });
                }
            }
        }
        let statements = statements.into_iter().filter(|s| s.kind != StatementKind::MetaCommand).collect();
        Ok(Self { path: path.to_path_buf(), transactional: !wants_no_transaction(&text), text, statements })
    }

    /// SHA-256 (hex) of the file's bytes as loaded: the checksum of exactly what runs.
    pub fn checksum(&self) -> String {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(self.text.as_bytes()))
    }

    pub fn statement_texts(&self) -> Vec<&str> {
        self.statements.iter().map(|s| s.text(&self.text)).collect()
    }

    /// Runs the statements. In a transaction, consecutive statements go in one message; outside
    /// one, each statement runs on its own (as `CREATE INDEX CONCURRENTLY` requires).
    pub fn run(&self, exec: &mut dyn Executor) -> Result<(), BodyError> {
        let mut i = 0;
        while i < self.statements.len() {
            let stmt = &self.statements[i];
            if let StatementKind::CopyFromStdin { data } = &stmt.kind {
                let sql = stmt.text(&self.text).trim_end().trim_end_matches(';');
                exec.copy_in(sql, self.text[data.clone()].as_bytes()).map_err(|error| BodyError {
                    index: i,
                    offset: None,
                    completed: i,
                    error,
                })?;
                i += 1;
                continue;
            }
            let end = if self.transactional {
                self.statements[i..]
                    .iter()
                    .position(|s| !matches!(s.kind, StatementKind::Sql))
                    .map_or(self.statements.len(), |p| i + p)
            } else {
                i + 1
            };
            let texts: Vec<&str> = self.statements[i..end].iter().map(|s| s.text(&self.text)).collect();
            exec.execute_script(&texts).map_err(|e| BodyError {
                index: i + e.index,
                offset: e.offset,
                completed: i + e.index,
                error: e.error,
            })?;
            i = end;
        }
        Ok(())
    }

    /// The (1-based) line and column in the file of a failure, and the statement's text.
    pub fn locate(&self, index: usize, offset: Option<usize>) -> (usize, Option<usize>, String) {
        let Some(stmt) = self.statements.get(index) else { return (1, None, String::new()) };
        let text = stmt.text(&self.text).to_string();
        match offset {
            Some(o) => {
                let before = &self.text[..stmt.range.start + o];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (line, Some(column), text)
            }
            None => (stmt.line, None, text),
        }
    }
}
