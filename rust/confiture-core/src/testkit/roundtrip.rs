//! The migration round trip: on a database where exactly the migrations before it are applied,
//! apply a migration, roll it back, apply it again — and compare the schema models with the diff
//! engine at each step. Down must give back the schema from before up (every object kind the
//! model covers: columns, constraints, indexes, views, functions, triggers, types, comments…),
//! and up must give the same schema the second time.

use std::cmp::Ordering;

use serde::Serialize;

use super::TestkitError;
use crate::migrate::version::compare;
use crate::migrate::{MigrateError, Runner, Scan, UpOptions};
use crate::schema::{Catalog, IntrospectOptions, introspect_exec};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundTripReport {
    pub version: String,
    pub name: String,
    /// Down gave back the schema from before up, and up gave the same schema again.
    pub ok: bool,
    /// Migrations applied first to reach the state before this one.
    pub prepared: Vec<String>,
    /// How the schema after up → down differs from the schema before up.
    pub down_differences: Vec<String>,
    /// The statements down is missing (they turn the schema after down back into the one before up).
    pub down_missing_sql: Vec<String>,
    /// How the schema after up → down → up differs from the schema after the first up.
    pub reapply_differences: Vec<String>,
    /// Whether up ran a second time (not after a down that left the schema different).
    pub reapplied: bool,
    /// The outcome, for people (a failed test's message).
    pub message: String,
}

fn model(runner: &Runner<'_>) -> Result<Catalog, crate::Error> {
    let mut out = None;
    runner.with_executor(|e| {
        out = Some(introspect_exec(e, IntrospectOptions { include_grants: true, skip_unsupported: true }));
        Ok(())
    })?;
    out.unwrap_or_else(|| Err(TestkitError::Usage("the executor did not run".into()).into()))
}

/// How `after` differs from `before` (change descriptions), and the SQL that turns `after` back.
fn differences(before: &Catalog, after: &Catalog) -> Result<(Vec<String>, Vec<String>), crate::Error> {
    let (changes, _) = crate::diff::plan(before, after)?;
    if changes.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let (_, back) = crate::diff::plan(after, before)?;
    Ok((changes.into_iter().map(|c| c.description).collect(), back.into_iter().map(|s| s.sql).collect()))
}

/// Runs the round trip of migration `version` on the runner's database (without the migration
/// lock: the database is the test's own). Migrations before it that are not applied yet are
/// applied first; a database where it (or a later one) is already applied is refused.
pub fn check(runner: &mut Runner<'_>, scan: &Scan, version: &str) -> Result<RoundTripReport, crate::Error> {
    let blocking = scan.blocking_problems();
    if !blocking.is_empty() {
        return Err(MigrateError::Problems { problems: blocking }.into());
    }
    let index =
        scan.migrations.iter().position(|m| crate::migrate::version::same(&m.version, version)).ok_or_else(|| {
            TestkitError::Usage(format!("no migration with version {version} in {}", scan.dir.display()))
        })?;
    let m = &scan.migrations[index];
    runner.initialize(None)?;
    if runner.applied()?.iter().any(|row| compare(&row.version, &m.version) != Ordering::Less) {
        return Err(TestkitError::AlreadyPast { version: m.version.clone() }.into());
    }
    let mut report = RoundTripReport { version: m.version.clone(), name: m.name.clone(), ..Default::default() };
    if index > 0 {
        let options = UpOptions {
            target: Some(scan.migrations[index - 1].version.clone()),
            lock: None,
            verify_checksums: false,
            ..UpOptions::default()
        };
        report.prepared = runner.up(scan, &options)?.applied.into_iter().map(|d| d.version).collect();
    }

    let before = model(runner)?;
    runner.apply(m, false)?;
    let after_up = model(runner)?;
    runner.rollback(m)?;
    let after_down = model(runner)?;
    (report.down_differences, report.down_missing_sql) = differences(&before, &after_down)?;
    if report.down_differences.is_empty() {
        runner.apply(m, false)?;
        report.reapplied = true;
        let again = model(runner)?;
        (report.reapply_differences, _) = differences(&after_up, &again)?;
    }
    report.ok = report.down_differences.is_empty() && report.reapply_differences.is_empty();
    report.message = message(&report);
    Ok(report)
}

fn message(r: &RoundTripReport) -> String {
    let label = format!("{}_{}", r.version, r.name);
    if r.ok {
        return format!("{label}: up → down → up gives back the same schemas");
    }
    let mut out = String::new();
    if !r.down_differences.is_empty() {
        out.push_str(&format!("{label}: down does not restore the schema from before up; after up → down:\n"));
        for d in &r.down_differences {
            out.push_str(&format!("  - {d}\n"));
        }
        out.push_str("down is missing:\n");
        for s in &r.down_missing_sql {
            out.push_str(&format!("  {s}\n"));
        }
    }
    if !r.reapply_differences.is_empty() {
        out.push_str(&format!("{label}: up after down gives a different schema than the first up:\n"));
        for d in &r.reapply_differences {
            out.push_str(&format!("  - {d}\n"));
        }
    }
    out.trim_end().to_string()
}
