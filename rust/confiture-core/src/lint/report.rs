//! A lint run's result: findings in a fixed order, what was checked, and notes for the reader
//! (what was skipped and why).

use serde::{Deserialize, Serialize};

use super::{Finding, Severity};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The environment's name (fraiseql-confiture's `schema_name`).
    pub schema_name: String,
    pub findings: Vec<Finding>,
    pub tables_checked: usize,
    pub columns_checked: usize,
    pub migrations_checked: usize,
    pub statements_checked: usize,
    /// Findings hidden by `-- confiture-lint: ignore` comments.
    pub suppressed: usize,
    /// Wall time of the run (the one field that varies between identical runs).
    pub execution_time_ms: u64,
    /// `online (host:port/db)` when the database was read, else `offline`.
    pub database: String,
    pub fail_on_error: bool,
    pub fail_on_warning: bool,
    /// Ids of the rules that ran.
    pub rules: Vec<String>,
    /// What the reader should know: skipped files, an unreachable database, unknown rule ids in
    /// suppression comments.
    pub notes: Vec<String>,
}

impl Report {
    /// Findings in report order: by file, line, column, rule, object (see [`Finding::sort_key`]).
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.findings.dedup();
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// Whether the run fails: errors with `fail_on_error`, warnings with `fail_on_warning`.
    pub fn failed(&self) -> bool {
        (self.fail_on_error && self.count(Severity::Error) > 0)
            || (self.fail_on_warning && self.count(Severity::Warning) > 0)
    }
}
