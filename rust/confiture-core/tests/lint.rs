//! `confiture lint` through the engine: an environment's schema files (places relative to the
//! project, suppressions, `lint:` settings), its migrations (pending ones when the database is
//! reachable, `lint.baseline` otherwise), given files, a built schema text, renderings that are
//! byte-identical from run to run.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use confiture_core::db::{Executor, NativeExecutor, SharedExecutor, block_on, connect};
use confiture_core::lint::format::{Format, render};
use confiture_core::lint::{LintOptions, MigrationScope, Report, Request, SchemaScope, run};
use confiture_core::migrate::runner::UpOptions;
use confiture_core::migrate::{NoHost, Runner, scan};
use support::Project;

const USERS: &str = "CREATE SCHEMA app;\n\nCREATE TABLE app.users (\n    id serial PRIMARY KEY,\n    \"Email\" text,\n    password text -- confiture-lint: ignore sec_001\n);\n";
const ORDERS: &str = "-- confiture-lint: ignore-file doc\nCREATE TABLE app.orders (\n    id bigint PRIMARY KEY,\n    user_id int REFERENCES app.users\n);\n";

fn project(env_yaml: &str) -> Project {
    Project::new(&[
        ("db/schema/00_users.sql", USERS),
        ("db/schema/10_orders.sql", ORDERS),
        ("db/environments/local.yaml", env_yaml),
        ("db/migrations/001_add_plan.up.sql", "ALTER TABLE app.users ADD COLUMN plan text NOT NULL;\n"),
        ("db/migrations/001_add_plan.down.sql", "ALTER TABLE app.users DROP COLUMN plan;\n"),
        (
            "db/migrations/002_index.up.sql",
            "SET lock_timeout = '1s';\nCREATE INDEX orders_user_idx ON app.orders (user_id);\n",
        ),
        ("db/migrations/002_index.down.sql", "DROP INDEX app.orders_user_idx;\n"),
    ])
}

fn lint(p: &Project, schema: SchemaScope, migrations: MigrationScope, database: bool) -> Report {
    let env = p.env("local");
    run(&Request {
        env: Some(&env),
        project_dir: p.path().to_path_buf(),
        options: LintOptions::default(),
        schema,
        migrations,
        database,
        connect_timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn places(r: &Report) -> Vec<String> {
    r.findings.iter().map(|f| format!("{} {}", f.place(), f.rule_id)).collect()
}

#[test]
fn schema_findings_point_at_source_files_and_respect_settings_and_suppressions() {
    let p = project(
        "database_url: postgresql://localhost:1/none\ninclude_dirs: [db/schema]\nlint:\n  ignore: [type_003]\n  severity: {pk_002: error}\n",
    );
    let r = lint(&p, SchemaScope::Environment, MigrationScope::None, false);
    assert_eq!(
        places(&r),
        [
            "db/schema/00_users.sql:3:14 doc_001",
            "db/schema/00_users.sql:4:5 pk_002",
            "db/schema/00_users.sql:5:5 naming_002",
            "db/schema/10_orders.sql:4:5 fk_002",
            "db/schema/10_orders.sql:4:17 fk_001",
        ]
    );
    assert_eq!(r.findings[1].severity, confiture_core::lint::Severity::Error);
    assert!(r.failed());
    assert_eq!(r.suppressed, 2, "sec_001 on its line, doc_001 for the whole orders file");
    assert_eq!((r.tables_checked, r.columns_checked), (2, 5));
    assert_eq!(r.schema_name, "local");
    assert!(!r.rules.contains(&"type_003".to_string()));
}

#[test]
fn renderings_are_identical_from_run_to_run() {
    let p = project("database_url: postgresql://localhost:1/none\ninclude_dirs: [db/schema]\n");
    let a = lint(&p, SchemaScope::Environment, MigrationScope::Directory(p.path().join("db/migrations")), false);
    let b = lint(&p, SchemaScope::Environment, MigrationScope::Directory(p.path().join("db/migrations")), false);
    for format in [Format::Table, Format::Csv, Format::Sarif] {
        assert_eq!(render(&a, format), render(&b, format));
    }
    let (mut ja, mut jb) = (a.clone(), b.clone());
    ja.execution_time_ms = 0;
    jb.execution_time_ms = 0;
    assert_eq!(render(&ja, Format::Json), render(&jb, Format::Json));
}

#[test]
fn a_built_schema_text_maps_back_to_its_files() {
    let p = project("include_dirs: [db/schema]\n");
    let env = p.env("local");
    let built = confiture_core::build::load(&env, confiture_core::project::DiscoverOptions::default()).unwrap();
    let text = built.render("2026-01-01T00:00:00");
    let r = lint(&p, SchemaScope::Text { name: "schema_local.sql".into(), text }, MigrationScope::None, false);
    let first = &r.findings[0];
    assert_eq!((first.file.as_deref(), first.line, first.rule_id.as_str()), (Some("00_users.sql"), Some(3), "doc_001"));
    assert_eq!(r.suppressed, 2, "suppressions work in the built text too");
}

#[test]
fn offline_every_migration_is_linted_unless_a_baseline_says_otherwise() {
    let p = project("include_dirs: [db/schema]\n");
    let r = lint(&p, SchemaScope::None, MigrationScope::Directory(p.path().join("db/migrations")), false);
    assert_eq!(
        places(&r),
        [
            "db/migrations/001_add_plan.up.sql:1:1 mig_015",
            "db/migrations/001_add_plan.up.sql:1:34 mig_001",
            "db/migrations/002_index.up.sql:2:1 mig_004",
            "db/migrations/002_index.up.sql:2:1 mig_016",
        ]
    );
    assert!(r.notes.iter().any(|n| n.contains("which migrations are pending is unknown")), "{:?}", r.notes);
    assert_eq!((r.migrations_checked, r.statements_checked), (2, 3));

    let p = project("include_dirs: [db/schema]\nlint:\n  baseline: 1\n");
    let r = lint(&p, SchemaScope::None, MigrationScope::Directory(p.path().join("db/migrations")), false);
    assert!(r.findings.iter().all(|f| f.file.as_deref() == Some("db/migrations/002_index.up.sql")), "{:?}", places(&r));
    assert!(r.notes.iter().any(|n| n == "1 migration(s) at or before lint.baseline: not linted"), "{:?}", r.notes);
}

#[test]
fn online_only_pending_migrations_with_table_sizes() {
    let db = support::unique_db("lint_env");
    let admin = support::client("postgres");
    block_on(confiture_core::db::admin::create_database(&admin, &db, None)).unwrap().unwrap();
    {
        let c = support::client(&db);
        block_on(c.raw().batch_execute(
            "CREATE SCHEMA app; CREATE TABLE app.users (id int PRIMARY KEY); CREATE TABLE app.orders (id bigint PRIMARY KEY, user_id int);\
             INSERT INTO app.orders SELECT g, g FROM generate_series(1, 30000) g; ANALYZE;",
        ))
        .unwrap()
        .unwrap();
        block_on(c.close()).unwrap();
    }
    let url = support::params_for(&db).to_url();
    let p = project(&format!("database_url: {url}\ninclude_dirs: [db/schema]\n"));
    // Apply 001 (the table is empty, so NOT NULL without default works): only 002 is pending.
    let client = block_on(connect(&support::params_for(&db))).unwrap().unwrap();
    let exec: SharedExecutor = Arc::new(Mutex::new(Box::new(NativeExecutor::new(client)) as Box<dyn Executor>));
    let mut host = NoHost::default();
    let mut runner = Runner::new(exec, &mut host, "tb_confiture").unwrap();
    let scanned = scan(&p.path().join("db/migrations")).unwrap();
    runner.up(&scanned, &UpOptions { target: Some("001".into()), ..UpOptions::default() }).unwrap();
    drop(runner);

    let r = lint(&p, SchemaScope::None, MigrationScope::Directory(p.path().join("db/migrations")), true);
    assert!(r.database.starts_with("online ("), "{}", r.database);
    assert_eq!(
        places(&r),
        ["db/migrations/002_index.up.sql:2:1 mig_004", "db/migrations/002_index.up.sql:2:1 mig_016"]
    );
    assert!(r.findings[0].message.contains("(~30,000 rows, "), "{}", r.findings[0].message);
    assert!(r.notes.iter().any(|n| n == "1 migration(s) already applied: not linted"), "{:?}", r.notes);

    // Given files are linted whatever their state; sizes still come from the database.
    let r = lint(
        &p,
        SchemaScope::None,
        MigrationScope::Files(vec![p.path().join("db/migrations/001_add_plan.up.sql")]),
        true,
    );
    assert_eq!(
        places(&r),
        ["db/migrations/001_add_plan.up.sql:1:1 mig_015", "db/migrations/001_add_plan.up.sql:1:34 mig_001"]
    );
    assert!(
        r.findings[1].message.contains("fails as soon as app.users has a row (~0 rows, "),
        "{}",
        r.findings[1].message
    );
    block_on(confiture_core::db::admin::drop_database(&admin, &db)).unwrap().unwrap();
}

#[test]
fn an_unreachable_database_is_a_note_not_an_error() {
    let p = project("database_url: postgresql://127.0.0.1:1/none\ninclude_dirs: [db/schema]\n");
    let r = lint(&p, SchemaScope::None, MigrationScope::Directory(p.path().join("db/migrations")), true);
    assert_eq!(r.database, "offline");
    assert!(
        r.notes.iter().any(|n| n.starts_with("database not reachable, migrations linted offline: ")),
        "{:?}",
        r.notes
    );
    assert_eq!(r.findings.len(), 4);
}

#[test]
fn bad_settings_name_the_file_and_key() {
    let p = project("include_dirs: [db/schema]\nlint:\n  severity: {mig_001: fatal}\n");
    let env = p.env("local");
    let e = run(&Request {
        env: Some(&env),
        project_dir: p.path().to_path_buf(),
        options: LintOptions::default(),
        schema: SchemaScope::Environment,
        migrations: MigrationScope::None,
        database: false,
        connect_timeout: Duration::from_secs(1),
    })
    .unwrap_err()
    .to_string();
    assert!(e.ends_with("db/environments/local.yaml: lint.severity.mig_001: unknown severity \"fatal\": use error, warning, info or off"), "{e}");
}

#[path = "../../../benches/common/mod.rs"]
mod common;

/// The benchmark's schema (benches/lint.rs), checked: 2,000 tables, each with a foreign key to the
/// previous one that no index covers and that accepts NULL, a view every second table.
#[test]
fn bench_schema_findings() {
    let sources =
        [confiture_core::schema::Source { name: "schema.sql".into(), text: common::schema_sql(2_000, false) }];
    let r = confiture_core::lint::lint_schema(&sources, &confiture_core::lint::LintConfig::default()).unwrap();
    let count = |rule: &str| r.findings.iter().filter(|f| f.rule_id == rule).count();
    assert_eq!(r.tables_checked, 2_000);
    assert_eq!(count("fk_001"), 1_999);
    assert_eq!(count("fk_002"), 1_999);
    assert_eq!(
        r.findings.len(),
        3_998,
        "nothing else: {:?}",
        r.findings.iter().find(|f| !f.rule_id.starts_with("fk_"))
    );
}

#[test]
fn a_database_without_tracking_table_has_every_migration_pending() {
    let db = support::unique_db("lint_fresh");
    let admin = support::client("postgres");
    block_on(confiture_core::db::admin::create_database(&admin, &db, None)).unwrap().unwrap();
    {
        let c = support::client(&db);
        block_on(c.raw().batch_execute(
            "CREATE SCHEMA app; CREATE TABLE app.users (id int PRIMARY KEY); INSERT INTO app.users VALUES (1);\
             CREATE TABLE app.orders (id bigint PRIMARY KEY, user_id int); ANALYZE;",
        ))
        .unwrap()
        .unwrap();
        block_on(c.close()).unwrap();
    }
    let url = support::params_for(&db).to_url();
    let p = project(&format!("database_url: {url}\ninclude_dirs: [db/schema]\n"));
    let r = lint(&p, SchemaScope::None, MigrationScope::Directory(p.path().join("db/migrations")), true);
    assert_eq!(r.migrations_checked, 2);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    // Both tables exist and are small: the index build is info; the NOT NULL column still fails.
    let sev: Vec<(String, confiture_core::lint::Severity)> =
        r.findings.iter().map(|f| (f.rule_id.clone(), f.severity)).collect();
    assert!(sev.contains(&("mig_001".into(), confiture_core::lint::Severity::Error)), "{sev:?}");
    assert!(sev.contains(&("mig_004".into(), confiture_core::lint::Severity::Info)), "{sev:?}");
    block_on(confiture_core::db::admin::drop_database(&admin, &db)).unwrap().unwrap();
}
