//! What a validation run found: violations with the object, file and line they concern, in a
//! document whose keys are stable (documented in docs/reference/cli.md).

use serde::Serialize;

use crate::migrate::{Problem, Scan};

/// One thing to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// `orphan`, `duplicate_version`, `missing_down`, `down_without_up`, `bad_name` (naming);
    /// `missing_migration`; `ddl_without_migration`, `migration_without_ddl`, `ddl_migration_mismatch`,
    /// `invalid_sql` (drift).
    pub kind: String,
    /// The check that found it: `naming`, `require_migration` or `drift`.
    pub check: String,
    /// The schema object (`users.email`, `users_pkey on users`), for drift.
    pub object: Option<String>,
    /// A path relative to the project directory.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub message: String,
}

impl Violation {
    pub(crate) fn new(kind: &str, check: &str, message: impl Into<String>) -> Self {
        Self { kind: kind.into(), check: check.into(), object: None, file: None, line: None, message: message.into() }
    }

    pub(crate) fn at(mut self, file: Option<String>, line: Option<usize>) -> Self {
        self.file = file;
        self.line = line;
        self
    }

    pub(crate) fn object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }
}

/// The result of `confiture migrate validate`.
#[derive(Debug, Clone, Serialize)]
pub struct ValidateReport {
    /// `ok` or `issues_found`.
    pub status: String,
    /// The base ref as resolved (`origin/main`, or `main` when `origin/main` is missing); null when
    /// no git check ran.
    pub base_ref: Option<String>,
    /// The commit compared with (where HEAD's history meets the base ref).
    pub base_commit: Option<String>,
    /// `worktree` or `index` (`--staged`); null when no git check ran.
    pub compared: Option<String>,
    /// The checks that ran: `naming`, `require_migration`, `drift`.
    pub checks: Vec<String>,
    pub violations: Vec<Violation>,
    /// Schema files added, changed, renamed or deleted since the base.
    pub changed_schema_files: Vec<String>,
    /// Migration files added or changed since the base.
    pub changed_migrations: Vec<String>,
    /// What the run chose or could not model (fallback ref, Python migrations, …).
    pub notes: Vec<String>,
}

/// The naming problems of a migrations directory as violations (`dir` is how people name it).
pub fn naming_violations(scan: &Scan, dir: &str) -> Vec<Violation> {
    let name = |p: &std::path::Path| {
        let file = p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
        if dir.is_empty() || dir == "." { file } else { format!("{}/{file}", dir.trim_end_matches('/')) }
    };
    scan.problems
        .iter()
        .map(|p| {
            let (kind, file) = match p {
                Problem::DuplicateVersion { files, .. } => ("duplicate_version", files.first().map(|f| name(f))),
                Problem::MissingDown { up, .. } => ("missing_down", Some(name(up))),
                Problem::DownWithoutUp { down } => ("down_without_up", Some(name(down))),
                Problem::BadName { file, .. } => ("bad_name", Some(name(file))),
                Problem::Orphan { file, .. } => ("orphan", Some(name(file))),
            };
            Violation::new(kind, "naming", p.to_string()).at(file, None)
        })
        .collect()
}
