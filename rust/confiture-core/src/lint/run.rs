//! `confiture lint`: the environment's schema and its migrations (pending ones when the database
//! can be asked), or the files it is given, checked with the environment's `lint:` settings.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::config::{LintConfig, LintOptions, settings_source};
use super::migration::{self, DatabaseFacts, MigrationSource};
use super::{LintError, Report, Target};
use crate::build::load;
use crate::config::{Environment, LintSettings};
use crate::migrate::files::read_sql;
use crate::migrate::version::compare_value;
use crate::migrate::{MigrationKind, scan};
use crate::project::DiscoverOptions;
use crate::schema::Source;

/// Which schema to lint.
#[derive(Debug, Clone)]
pub enum SchemaScope {
    None,
    /// The environment's schema files (seed directories left out).
    Environment,
    /// A SQL text (a built schema file is cut back into its source files).
    Text {
        name: String,
        text: String,
    },
}

/// Which migrations to lint.
#[derive(Debug, Clone)]
pub enum MigrationScope {
    None,
    /// The `.up.sql` files of a migrations directory: the pending ones when known.
    Directory(PathBuf),
    /// These files, whatever their state.
    Files(Vec<PathBuf>),
}

#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The environment: its `lint:` settings, schema files and database (optional for `Files`).
    pub env: Option<&'a Environment>,
    pub project_dir: PathBuf,
    pub options: LintOptions,
    pub schema: SchemaScope,
    pub migrations: MigrationScope,
    /// Ask the environment's database (existing tables, sizes, applied migrations) when reachable.
    pub database: bool,
    pub connect_timeout: Duration,
}

/// `path` relative to `base` when inside it (for findings and SARIF), `/`-separated.
pub fn display_path(path: &Path, base: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
    match abs.strip_prefix(&base) {
        Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
        Err(_) => abs.to_string_lossy().into_owned(),
    }
}

/// Runs a lint.
pub fn run(req: &Request<'_>) -> Result<Report, crate::Error> {
    let started = Instant::now();
    let default_settings = LintSettings::default();
    let settings = req.env.map_or(&default_settings, |e| &e.lint);
    let source = settings_source(req.env.map(|e| e.source.as_path()));
    let config = LintConfig::resolve(settings, &source, &req.options)?;
    let mut report = Report {
        schema_name: req.env.map(|e| e.name.clone()).unwrap_or_default(),
        database: "offline".into(),
        fail_on_error: config.fail_on_error,
        fail_on_warning: config.fail_on_warning,
        rules: config.rules.keys().map(|k| (*k).to_string()).collect(),
        ..Report::default()
    };
    if !config.enabled {
        report.notes.push(format!("lint is disabled for environment {} (lint.enabled: false)", report.schema_name));
        report.rules.clear();
        return Ok(report);
    }

    let schema_sources = match &req.schema {
        SchemaScope::None => None,
        SchemaScope::Text { name, text } => Some(super::sources::split_built(name, text)),
        SchemaScope::Environment => {
            let env = req.env.ok_or_else(|| LintError::Config {
                path: source.clone(),
                key: "env".into(),
                message: "linting the schema needs an environment".into(),
            })?;
            let built = load(env, DiscoverOptions { schema_only: true })?;
            Some(
                built
                    .discovery
                    .files
                    .iter()
                    .zip(built.texts)
                    .map(|(f, text)| Source { name: display_path(&f.path, &req.project_dir), text })
                    .collect(),
            )
        }
    };
    if let Some(sources) = schema_sources
        && config.runs_any(Target::Schema)
    {
        super::lint_schema_into(&sources, &config, &mut report)?;
    }

    let wants_migrations = !matches!(req.migrations, MigrationScope::None) && config.runs_any(Target::Migration);
    if wants_migrations {
        let db = if req.database { database_facts(req, &mut report) } else { None };
        let (sources, pending_known) = migration_sources(req, &config, db.as_ref(), &mut report)?;
        report.migrations_checked += sources.len();
        super::lint_migrations_into(&sources, db.as_ref(), pending_known, &config, &mut report);
    }
    report.execution_time_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report.sort();
    Ok(report)
}

/// The environment's database facts, or a note saying why there are none.
fn database_facts(req: &Request<'_>, report: &mut Report) -> Option<DatabaseFacts> {
    let env = req.env?;
    let Some(url) = env.database_url.as_deref() else {
        report.notes.push("no database_url: migrations linted offline".into());
        return None;
    };
    match migration::database::read(url, &env.migration_table, req.connect_timeout) {
        Ok(facts) => {
            report.database = format!("online ({})", facts.target);
            Some(facts)
        }
        Err(e) => {
            report.notes.push(format!("database not reachable, migrations linted offline: {e}"));
            None
        }
    }
}

/// The migrations to lint, and whether they are known to be exactly the pending ones.
fn migration_sources(
    req: &Request<'_>,
    config: &LintConfig,
    db: Option<&DatabaseFacts>,
    report: &mut Report,
) -> Result<(Vec<MigrationSource>, bool), crate::Error> {
    let mut out = Vec::new();
    match &req.migrations {
        MigrationScope::None => Ok((out, false)),
        MigrationScope::Files(files) => {
            for path in files {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if !name.ends_with(".sql") {
                    return Err(LintError::NotSql { path: path.clone() }.into());
                }
                let text = read_sql(path)?;
                out.push(MigrationSource { file: display_path(path, &req.project_dir), version: None, text });
            }
            Ok((out, db.is_some()))
        }
        MigrationScope::Directory(dir) => {
            let scanned = scan(dir)?;
            // A reachable database without a tracking table has applied nothing: all are pending.
            let applied_known = db.is_some();
            let mut skipped = 0;
            for m in &scanned.migrations {
                let applied = match (db, &config.baseline) {
                    (Some(d), _) => d.is_applied(&m.version),
                    (_, Some(baseline)) => compare_value(&m.version, baseline).is_le(),
                    _ => false,
                };
                if applied {
                    skipped += 1;
                    continue;
                }
                match &m.kind {
                    MigrationKind::Sql { up, .. } => out.push(MigrationSource {
                        file: display_path(up, &req.project_dir),
                        version: Some(m.version.clone()),
                        text: read_sql(up)?,
                    }),
                    MigrationKind::Python { file } => report.notes.push(format!(
                        "{}: Python migration not linted (its SQL is known only when it runs; use `migrate up --dry-run-execute`)",
                        display_path(file, &req.project_dir)
                    )),
                    MigrationKind::External { .. } => {}
                }
            }
            let pending_known = applied_known || config.baseline.is_some();
            if skipped > 0 {
                let why = if applied_known { "already applied" } else { "at or before lint.baseline" };
                report.notes.push(format!("{skipped} migration(s) {why}: not linted"));
            }
            if !pending_known && !out.is_empty() {
                report.notes.push(
                    "which migrations are pending is unknown (no database, no lint.baseline): every migration is linted, each as if the tables it touches exist and hold data"
                        .into(),
                );
            }
            Ok((out, pending_known))
        }
    }
}
