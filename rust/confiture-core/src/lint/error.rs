//! Lint errors: a configuration that cannot be honoured, a file that cannot be read. Findings are
//! not errors; SQL that does not parse is a finding (`sql_001`) in migrations.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// A `lint:` key of an environment file (or the matching API/CLI option) is invalid.
    #[error("{}: lint.{key}: {message}", path.display())]
    Config { path: PathBuf, key: String, message: String },
    /// `--select`, `--ignore` or `lint.severity` names a rule that does not exist.
    #[error("{option}: no rule is called {rule:?} (see `confiture lint --list-rules`)")]
    UnknownRule { option: String, rule: String },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a migration file (expected NNN_name.up.sql, .down.sql or .sql)", path.display())]
    NotSql { path: PathBuf },
    #[error("unknown format {0:?}: use table, json, csv or sarif")]
    Format(String),
}
