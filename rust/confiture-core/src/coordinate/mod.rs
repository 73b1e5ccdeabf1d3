//! Coordination of parallel schema work: agents declare intents (the DDL they are about to write,
//! or the tables they will touch) before changing the schema, and conflicts between intents are
//! found from PostgreSQL's own parse of that DDL.
//!
//! - [`objects`]: the typed, schema-qualified objects an intent affects;
//! - [`extract`]: reading them (and what new objects depend on) from DDL with pg_query;
//! - [`project`]: dependencies the DDL leaves out, from the project's schema model;
//! - [`detect`]: the conflict rules between two intents;
//! - [`registry`]: the tables, race-free registration, status transitions, conflicts, history.

pub mod detect;
pub mod extract;
pub mod model;
pub mod objects;
pub mod project;
pub mod registry;
pub mod tables;

pub use detect::{Finding, Participant, detect};
pub use extract::extract;
pub use model::{AffectedObject, Conflict, ConflictType, Intent, IntentStatus, RiskLevel, Severity, StatusChange};
pub use objects::{Action, Affected, Object, ObjectKind};
pub use registry::IntentRequest;

use std::path::Path;

use crate::config::Environment;
use crate::db::ExecError;

/// Where the registry lives: the URL given on the command line, else `DATABASE_URL`, else
/// `CONFITURE_DB_URL`, else `coordination.database_url` of environment `env` (when its file
/// exists). `None` when none is set.
pub fn database_url(
    given: Option<&str>,
    env: &str,
    project_dir: &Path,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, crate::Error> {
    let nonempty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    if let Some(url) = nonempty(given.map(str::to_string)) {
        return Ok(Some(url));
    }
    for name in ["DATABASE_URL", "CONFITURE_DB_URL"] {
        if let Some(url) = nonempty(vars(name)) {
            return Ok(Some(url));
        }
    }
    let dir = project_dir.join("db").join("environments");
    if !["yaml", "yml"].iter().any(|ext| dir.join(format!("{env}.{ext}")).is_file()) {
        return Ok(None);
    }
    let loaded = Environment::load(env, project_dir, vars)?;
    Ok(nonempty(loaded.environment.coordination.database_url))
}

impl CoordinateError {
    /// DDL of schema change `index` (1-based) that the parser rejected.
    pub fn ddl(index: usize, e: extract::ExtractError) -> Self {
        Self::Ddl { index, statement: e.statement, line: e.line, message: e.message }
    }
}

/// Why a coordination request failed.
#[derive(Debug, thiserror::Error)]
pub enum CoordinateError {
    #[error("{0}")]
    Invalid(String),
    /// DDL PostgreSQL's parser rejects: which change (1-based), statement and line.
    #[error("schema change {index}: statement {statement} (line {line}): {message}")]
    Ddl { index: usize, statement: usize, line: usize, message: String },
    #[error("Intent {0} not found")]
    NotFound(String),
    #[error("intent id prefix {prefix:?} matches several intents ({}); give more characters", .matches.join(", "))]
    Ambiguous { prefix: String, matches: Vec<String> },
    #[error("conflict {0} not found")]
    ConflictNotFound(i64),
    #[error("intent {id} is {from}; it can become {to} only when it is {allowed}")]
    Transition { id: String, from: &'static str, to: &'static str, allowed: String },
    #[error(
        "intent {id} has unresolved error conflicts ({}); review them with `confiture coordinate resolve --conflict-id N --notes …` first",
        .conflicts.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    Unresolved { id: String, conflicts: Vec<i64> },
    #[error("{context}: {source}")]
    Exec { context: String, source: ExecError },
}
