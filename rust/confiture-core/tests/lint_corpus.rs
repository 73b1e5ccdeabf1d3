//! The lint corpus against a real PostgreSQL. Every snippet of `tests/fixtures/lint/migrations/`
//! is a migration file ending with comments that say what it is about and what lint must find:
//!
//! ```text
//! -- lint-case: why this snippet exists
//! -- setup: SQL run after fixtures/lint/setup.sql (optional)
//! -- config: YAML of the lint: section (optional)
//! -- expect: rule@line[:severity] …        (offline: no database)
//! -- expect-online: rule@line[:severity] … (with the database; default: as offline)
//! ```
//!
//! Each snippet is linted offline and online (table sizes, column types and checks read from a
//! database holding the setup), and then run on that database: it must fail exactly when lint
//! predicted a failure (a syntax error, a NOT NULL column without default on a table with rows,
//! CONCURRENTLY in a transaction, a new enum value used before commit).

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use confiture_core::config::LintSettings;
use confiture_core::db::{admin, block_on};
use confiture_core::lint::migration::database;
use confiture_core::lint::{LintConfig, LintOptions, MigrationSource, Severity, lint_migrations};
use confiture_core::sql::{StatementKind, split};

/// Rules whose finding means PostgreSQL will reject the migration.
const FAILS: &[&str] = &["sql_001", "mig_001", "mig_017", "mig_018"];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Expect {
    rule: String,
    line: usize,
    severity: Option<Severity>,
}

struct Case {
    name: String,
    text: String,
    setup: String,
    config: String,
    expect: Vec<Expect>,
    expect_online: Vec<Expect>,
}

fn parse_expect(list: &str) -> Vec<Expect> {
    list.split_whitespace()
        .map(|item| {
            let (rule, rest) = item.split_once('@').unwrap_or_else(|| panic!("bad expectation {item}"));
            let (line, severity) = match rest.split_once(':') {
                Some((l, s)) => (l, Some(Severity::parse(s).unwrap())),
                None => (rest, None),
            };
            Expect { rule: rule.into(), line: line.parse().unwrap(), severity }
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/migrations");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let meta = |key: &str| -> Option<String> {
                text.lines().find_map(|l| l.strip_prefix(&format!("-- {key}:")).map(|v| v.trim().to_string()))
            };
            assert!(meta("lint-case").is_some(), "{}: no `-- lint-case:` line", path.display());
            let expect = parse_expect(&meta("expect").unwrap_or_else(|| panic!("{}: no `-- expect:`", path.display())));
            let expect_online = meta("expect-online").map_or_else(|| expect.clone(), |e| parse_expect(&e));
            Case {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                setup: meta("setup").unwrap_or_default(),
                config: meta("config").unwrap_or_default(),
                text,
                expect,
                expect_online,
            }
        })
        .collect()
}

fn config(yaml: &str) -> LintConfig {
    let settings: LintSettings =
        if yaml.is_empty() { LintSettings::default() } else { serde_yaml::from_str(yaml).unwrap() };
    LintConfig::resolve(&settings, Path::new("corpus.yaml"), &LintOptions::default()).unwrap()
}

/// Differences between what lint found and what the case expects (empty when they agree).
fn compare(findings: &[confiture_core::lint::Finding], expected: &[Expect]) -> Vec<String> {
    let mut left: Vec<(String, usize, Severity)> =
        findings.iter().map(|f| (f.rule_id.clone(), f.line.unwrap_or(0), f.severity)).collect();
    let mut problems = Vec::new();
    for e in expected {
        match left.iter().position(|(r, l, s)| *r == e.rule && *l == e.line && e.severity.is_none_or(|want| want == *s))
        {
            Some(i) => {
                left.remove(i);
            }
            None => problems.push(format!(
                "missing {}@{}{}",
                e.rule,
                e.line,
                e.severity.map_or(String::new(), |s| format!(":{}", s.name()))
            )),
        }
    }
    problems.extend(left.iter().map(|(r, l, s)| format!("unexpected {r}@{l}:{}", s.name())));
    problems
}

fn source(case: &Case) -> MigrationSource {
    MigrationSource { file: format!("{}.sql", case.name), version: None, text: case.text.clone() }
}

#[test]
fn corpus_has_at_least_sixty_snippets_covering_every_migration_rule() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} snippets", cases.len());
    for rule in confiture_core::lint::all_rules().iter().filter(|r| r.target == confiture_core::lint::Target::Migration)
    {
        assert!(
            cases.iter().any(|c| c.expect.iter().chain(&c.expect_online).any(|e| e.rule == rule.id)),
            "no snippet expects {}",
            rule.id
        );
    }
}

#[test]
fn corpus_offline() {
    let mut failures = Vec::new();
    for case in cases() {
        let report = lint_migrations(&[source(&case)], None, &config(&case.config));
        let problems = compare(&report.findings, &case.expect);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.name, problems.join(", ")));
        }
    }
    assert!(failures.is_empty(), "offline:\n{}", failures.join("\n"));
}

/// Runs the snippet the way the migration runner does: in one transaction unless the file opts
/// out, statement by statement then.
fn apply(db: &str, text: &str) -> Result<(), String> {
    let client = support::client(db);
    let result = block_on(async {
        if confiture_core::migrate::files::wants_no_transaction(text) {
            for s in split(text).unwrap().iter().filter(|s| s.kind == StatementKind::Sql) {
                client.raw().batch_execute(s.text(text)).await.map_err(|e| format!("{e:?}"))?;
            }
            Ok(())
        } else {
            client.raw().batch_execute(&format!("BEGIN;\n{text}\n;COMMIT;")).await.map_err(|e| format!("{e:?}"))
        }
    })
    .unwrap();
    block_on(client.close()).unwrap();
    result
}

#[test]
fn corpus_online_and_on_postgresql() {
    let admin_client = support::client("postgres");
    let base = support::unique_db("lint_base");
    block_on(admin::create_database(&admin_client, &base, None)).unwrap().unwrap();
    let setup =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/setup.sql")).unwrap();
    {
        let c = support::client(&base);
        block_on(c.raw().batch_execute(&setup)).unwrap().unwrap();
        block_on(c.close()).unwrap();
    }
    let mut failures = Vec::new();
    for case in cases() {
        let db = support::unique_db("lint_case");
        block_on(admin::create_database(&admin_client, &db, Some(&base))).unwrap().unwrap();
        {
            let c = support::client(&db);
            block_on(c.raw().batch_execute(&format!("{}\n;ANALYZE;", case.setup))).unwrap().unwrap();
            block_on(c.close()).unwrap();
        }
        let url = support::params_for(&db).to_url();
        let facts = database::read(&url, "tb_confiture", Duration::from_secs(10)).unwrap();
        assert!(facts.tables.contains_key(&confiture_core::schema::QualifiedName::new("public", "orders")));
        let report = lint_migrations(&[source(&case)], Some(&facts), &config(&case.config));
        let problems = compare(&report.findings, &case.expect_online);
        if !problems.is_empty() {
            failures.push(format!("{} (online): {}", case.name, problems.join(", ")));
        }
        let predicted = report.findings.iter().any(|f| FAILS.contains(&f.rule_id.as_str()));
        let outcome = apply(&db, &case.text);
        if predicted != outcome.is_err() {
            failures.push(format!(
                "{}: lint predicted {}, PostgreSQL said {:?}",
                case.name,
                if predicted { "a failure" } else { "success" },
                outcome
            ));
        }
        block_on(admin::drop_database(&admin_client, &db)).unwrap().unwrap();
    }
    block_on(admin::drop_database(&admin_client, &base)).unwrap().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
