//! Lint: rules over the schema model and over migration files, on PostgreSQL's own parse tree.
//!
//! - **Schema rules** look at the model built from the environment's DDL ([`crate::schema`]), in
//!   which every object knows the file, line and column that defines it.
//! - **Migration rules** look at each statement of each migration, with the locks it takes
//!   ([`crate::sql::effects`], shared with the dry run) and what is known before it runs: tables
//!   created earlier (new, hence harmless to lock), and — when the database is reachable — which
//!   tables exist and how big they are, column types, validated checks, applied migrations.
//!
//! Each rule is a module of [`rules`] with a stable id, a default severity, a message, a fix and
//! its documentation; [`config`] resolves the environment's `lint:` section; inline
//! `-- confiture-lint: ignore <rule>` comments suppress findings ([`suppress`]); reports are
//! rendered as a table, JSON, CSV or SARIF ([`format`]). Findings come out in one order: by
//! file, line, column, rule.

pub mod catalogue;
mod config;
mod error;
mod finding;
pub mod format;
pub mod migration;
mod report;
mod rule;
pub(crate) mod rules;
mod run;
mod schema;
mod severity;
mod sources;
mod suppress;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::BTreeMap;

pub use config::{DEFAULT_SENSITIVE, DEFAULT_SMALL_TABLE_ROWS, LintConfig, LintOptions, NamingStyle};
pub use error::LintError;
pub use finding::Finding;
pub use migration::{DatabaseFacts, MigrationSource, TableSize};
pub use report::Report;
pub use rule::{RuleMeta, Target, all_rules, find_rule};
pub use run::{MigrationScope, Request, SchemaScope, display_path, run};
pub use severity::Severity;
pub use sources::split_built;

use crate::schema::{ParseOptions, SchemaError, Source, parse_sources};
use finding::Sink;

/// Lints schema sources (files of DDL, in build order).
pub fn lint_schema(sources: &[Source], config: &LintConfig) -> Result<Report, crate::Error> {
    let mut report = Report::default();
    lint_schema_into(sources, config, &mut report)?;
    report.sort();
    Ok(report)
}

/// Lints migration files (in order), with what the database knows when given.
pub fn lint_migrations(sources: &[MigrationSource], db: Option<&DatabaseFacts>, config: &LintConfig) -> Report {
    let mut report = Report { migrations_checked: sources.len(), ..Report::default() };
    lint_migrations_into(sources, db, db.is_some(), config, &mut report);
    report.sort();
    report
}

/// Drops suppressed findings (counting them) and keeps the suppressions' own notes.
fn suppress<'a>(findings: Vec<Finding>, texts: impl Iterator<Item = (&'a str, &'a str)>, report: &mut Report) {
    let mut by_file: BTreeMap<&str, suppress::Suppressions> = BTreeMap::new();
    for (name, text) in texts {
        let s = suppress::scan(text);
        report.notes.extend(s.notes.iter().map(|n| format!("{name}:{n}")));
        if !s.is_empty() {
            by_file.insert(name, s);
        }
    }
    for f in findings {
        let hidden = f.file.as_deref().and_then(|file| by_file.get(file)).is_some_and(|s| s.covers(&f));
        if hidden {
            report.suppressed += 1;
        } else {
            report.findings.push(f);
        }
    }
}

pub(crate) fn lint_schema_into(
    sources: &[Source],
    config: &LintConfig,
    report: &mut Report,
) -> Result<(), crate::Error> {
    let parsed = match parse_sources(sources, ParseOptions::default()) {
        Ok(p) => p,
        Err(SchemaError::Parse { file, line, message }) => {
            // Nothing else can be checked; say where the schema stops parsing.
            if let Some(severity) = config.severity_of(rules::syntax_error::META.id) {
                let mut sink = Sink::new(&rules::syntax_error::META, severity);
                let at = crate::schema::SourceLocation { file: file.clone(), line, column: 1 };
                sink.add("statement", file, format!("PostgreSQL cannot parse this statement: {message}"), Some(&at));
                report.findings.extend(sink.findings);
            }
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    report.tables_checked += parsed.catalog.tables.len();
    report.columns_checked += parsed.catalog.tables.values().map(|t| t.columns.len()).sum::<usize>();
    let ctx = schema::SchemaCtx::new(&parsed.catalog, &parsed.locations, config);
    let findings = schema::run_rules(&ctx);
    // The model's notes (skipped ownership, data, settings) say nothing about the findings.
    suppress(findings, sources.iter().map(|s| (s.name.as_str(), s.text.as_str())), report);
    Ok(())
}

pub(crate) fn lint_migrations_into(
    sources: &[MigrationSource],
    db: Option<&DatabaseFacts>,
    pending_known: bool,
    config: &LintConfig,
    report: &mut Report,
) {
    let (findings, statements) = migration::run_rules(sources, db, pending_known, config, &mut report.notes);
    report.statements_checked += statements;
    suppress(findings, sources.iter().map(|s| (s.file.as_str(), s.text.as_str())), report);
}
