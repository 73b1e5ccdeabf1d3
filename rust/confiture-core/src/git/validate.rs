//! One run of `confiture migrate validate`: the naming checks on the migrations directory, then
//! the git-aware checks against the base — which schema files and migrations changed (blob ids,
//! no parsing), whether a migration accompanies schema changes, and drift.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::Oid;

use super::drift::{self, Text};
use super::layout::Layout;
use super::repo::{Repo, short};
use super::report::{ValidateReport, Violation, naming_violations};
use super::snapshot::{Compared, Contents, Origin, Snapshot, snapshot};
use crate::config::{Environment, env_var};
use crate::migrate::{MigrationKind, scan, scan_names};

#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Where relative paths start (the CLI's working directory).
    pub project_dir: PathBuf,
    pub migrations_dir: PathBuf,
    /// Schema directories; empty means the environment's (with `env`) or `db/schema`.
    pub schema_dirs: Vec<PathBuf>,
    pub env: Option<String>,
    /// `None`: `origin/main`, falling back to `main`.
    pub base_ref: Option<String>,
    pub compared: Compared,
    pub naming: bool,
    pub require_migration: bool,
    pub check_drift: bool,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self {
            project_dir: PathBuf::from("."),
            migrations_dir: PathBuf::from("db/migrations"),
            schema_dirs: Vec::new(),
            env: None,
            base_ref: None,
            compared: Compared::Worktree,
            naming: true,
            require_migration: false,
            check_drift: false,
        }
    }
}

/// A file that differs between the base and the compared side.
struct FileChange {
    path: String,
    what: &'static str,
}

/// Schema files that differ: added, modified, deleted; a pure rename (same blob) is `renamed`.
fn schema_changes(old: &[(String, Oid)], new: &[(String, Oid)]) -> Vec<FileChange> {
    let o: BTreeMap<&str, Oid> = old.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    let n: BTreeMap<&str, Oid> = new.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    let gone: Vec<(&str, Oid)> = o.iter().filter(|(p, _)| !n.contains_key(*p)).map(|(p, b)| (*p, *b)).collect();
    let came: Vec<(&str, Oid)> = n.iter().filter(|(p, _)| !o.contains_key(*p)).map(|(p, b)| (*p, *b)).collect();
    let mut out = Vec::new();
    for (p, b) in &n {
        if let Some(ob) = o.get(p)
            && ob != b
        {
            out.push(FileChange { path: (*p).to_string(), what: "modified" });
        }
    }
    for (p, b) in &came {
        let renamed = gone.iter().any(|(_, gb)| gb == b);
        out.push(FileChange { path: (*p).to_string(), what: if renamed { "renamed" } else { "added" } });
    }
    for (p, b) in &gone {
        if !came.iter().any(|(_, cb)| cb == b) {
            out.push(FileChange { path: (*p).to_string(), what: "deleted" });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// A migration of the compared side and how it relates to the base.
struct Migration {
    /// Repository path of its `.up.sql` or `.py` file.
    path: String,
    oid: Oid,
    python: bool,
    /// `added` or `modified` (unchanged ones are not kept).
    what: &'static str,
}

fn migration_changes(layout: &Layout, old: &Snapshot, new: &Snapshot) -> (Vec<Migration>, Vec<String>) {
    let old_files: BTreeMap<String, Oid> = layout.migration_files(old).into_iter().collect();
    let new_files: BTreeMap<String, Oid> = layout.migration_files(new).into_iter().collect();
    let dir = Path::new(&layout.migrations);
    let scanned = scan_names(dir, new_files.keys().cloned().collect());
    let mut changed = Vec::new();
    for m in &scanned.migrations {
        let (file, python) = match &m.kind {
            MigrationKind::Sql { up, .. } => (up, false),
            MigrationKind::Python { file } => (file, true),
            MigrationKind::External { .. } => continue,
        };
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(oid) = new_files.get(&name) else { continue };
        let what = match old_files.get(&name) {
            None => "added",
            Some(o) if o != oid => "modified",
            Some(_) => continue,
        };
        changed.push(Migration { path: file.to_string_lossy().replace('\\', "/"), oid: *oid, python, what });
    }
    let old_scan = scan_names(dir, old_files.keys().cloned().collect());
    let removed = old_scan
        .migrations
        .iter()
        .filter(|m| !scanned.migrations.iter().any(|n| n.path() == m.path()))
        .map(|m| m.path().to_string_lossy().replace('\\', "/"))
        .collect();
    (changed, removed)
}

fn texts(
    repo: &Repo,
    contents: &mut Contents,
    files: impl Iterator<Item = (String, Oid)>,
) -> Result<Vec<Text>, crate::Error> {
    files
        .map(|(path, oid)| {
            let name = repo.display(&path);
            Ok(Text { text: contents.text(repo, &name, oid)?, name })
        })
        .collect()
}

/// Runs the checks asked for.
pub fn validate(options: &ValidateOptions) -> Result<ValidateReport, crate::Error> {
    let mut report = ValidateReport {
        status: String::new(),
        base_ref: None,
        base_commit: None,
        compared: None,
        checks: Vec::new(),
        violations: Vec::new(),
        changed_schema_files: Vec::new(),
        changed_migrations: Vec::new(),
        notes: Vec::new(),
    };
    if options.naming {
        report.checks.push("naming".into());
        let dir = options.project_dir.join(&options.migrations_dir);
        let scanned = scan(&dir)?;
        report.violations.extend(naming_violations(&scanned, &options.migrations_dir.to_string_lossy()));
    }
    if options.require_migration || options.check_drift {
        git_checks(options, &mut report)?;
    }
    report.status = if report.violations.is_empty() { "ok" } else { "issues_found" }.into();
    Ok(report)
}

fn git_checks(options: &ValidateOptions, report: &mut ValidateReport) -> Result<(), crate::Error> {
    let repo = Repo::open(&options.project_dir)?;
    let env = match &options.env {
        Some(name) => Some(Environment::load(name, &options.project_dir, &env_var)?.environment),
        None => None,
    };
    let layout = Layout::new(&repo, env.as_ref(), &options.schema_dirs, &options.migrations_dir)?;
    let base = repo.base(options.base_ref.as_deref(), &mut report.notes)?;
    report.base_ref = Some(base.name.clone());
    report.base_commit = Some(base.commit.to_string());
    report.compared = Some(options.compared.name().into());

    let mut contents = Contents::default();
    let dirs = layout.dirs();
    let old = snapshot(&repo, Origin::Commit(base.commit), &dirs, &mut contents)?;
    let new = snapshot(&repo, Origin::Side(options.compared), &dirs, &mut contents)?;
    let (old_schema, new_schema) = (layout.schema_files(&old), layout.schema_files(&new));
    let schema = schema_changes(&old_schema, &new_schema);
    let (migrations, removed) = migration_changes(&layout, &old, &new);
    report.changed_schema_files = schema.iter().map(|c| repo.display(&c.path)).collect();
    report.changed_migrations = migrations.iter().map(|m| repo.display(&m.path)).collect();
    for r in &removed {
        report.notes.push(format!("{} exists at {} but not here any more", repo.display(r), base.name));
    }
    let label = format!("{} ({})", base.name, short(base.commit));

    if options.require_migration {
        report.checks.push("require_migration".into());
        let needs: Vec<&FileChange> = schema.iter().filter(|c| c.what != "renamed").collect();
        if !needs.is_empty() && migrations.is_empty() {
            for c in needs {
                let file = repo.display(&c.path);
                report.violations.push(
                    Violation::new(
                        "missing_migration",
                        "require_migration",
                        format!(
                            "{file} {} since {} but no migration was added or changed (write one: confiture migrate generate NAME, or confiture migrate diff --generate)",
                            c.what, base.name
                        ),
                    )
                    .at(Some(file), None),
                );
            }
        }
    }

    if options.check_drift {
        report.checks.push("drift".into());
        let added: Vec<&Migration> = migrations.iter().filter(|m| m.what == "added").collect();
        for m in &migrations {
            if m.what == "modified" {
                report.notes.push(format!(
                    "{} changed since {}: a migration already on the base is not applied again to the model",
                    repo.display(&m.path),
                    base.name
                ));
            }
            if m.python && m.what == "added" {
                report.notes.push(format!(
                    "{} is a Python migration: its effect cannot be read offline, so drift may list what it does",
                    repo.display(&m.path)
                ));
            }
        }
        let sql_added: Vec<&&Migration> = added.iter().filter(|m| !m.python).collect();
        // Same files in the same order and no new migration: the models are equal, nothing to parse.
        if old_schema != new_schema || !sql_added.is_empty() {
            let oids: Vec<Oid> = old_schema.iter().chain(&new_schema).map(|(_, o)| *o).collect();
            contents.prefetch(&repo, &oids);
            let base_texts = texts(&repo, &mut contents, old_schema.iter().cloned())?;
            let new_texts = texts(&repo, &mut contents, new_schema.iter().cloned())?;
            let mig_texts = texts(&repo, &mut contents, sql_added.iter().map(|m| (m.path.clone(), m.oid)))?;
            report.violations.extend(drift::check(&base_texts, &mig_texts, &new_texts, &label)?);
        }
    }
    Ok(())
}
