//! Migrations against a real PostgreSQL, through the engine's runner (SQL migrations; Python
//! migrations are tested from pytest).

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use confiture_core::db::{Executor, NativeExecutor, SharedExecutor, block_on, connect};
use confiture_core::migrate::dryrun::{Risk, analyze_migration};
use confiture_core::migrate::lock::LockMode;
use confiture_core::migrate::runner::{OnMismatch, UpOptions};
use confiture_core::migrate::{Direction, Event, MigrateError, NoHost, Runner, scan};
use support::{strings, unique_db};

fn fresh_db() -> String {
    let db = unique_db("mig");
    let admin = support::client("postgres");
    block_on(confiture_core::db::admin::create_database(&admin, &db, None)).unwrap().unwrap();
    db
}

fn executor(db: &str) -> SharedExecutor {
    let client = block_on(connect(&support::params_for(db))).unwrap().unwrap();
    Arc::new(Mutex::new(Box::new(NativeExecutor::new(client)) as Box<dyn Executor>))
}

/// Users, then tables `a` and `b`, each with its down migration.
const THREE: &[(&str, &str)] = &[
    USERS,
    USERS_DOWN,
    ("002_a.up.sql", "CREATE TABLE a (id int);"),
    ("002_a.down.sql", "DROP TABLE a;"),
    ("003_b.up.sql", "CREATE TABLE b (id int);"),
    ("003_b.down.sql", "DROP TABLE b;"),
];

/// A fresh database and a migrations directory holding `files`.
fn setup(files: &[(&str, &str)]) -> (String, tempfile::TempDir) {
    let db = fresh_db();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    (db, dir)
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn up(db: &str, dir: &Path, options: &UpOptions) -> Result<Vec<String>, MigrateError> {
    let mut host = NoHost::default();
    let mut runner = Runner::new(executor(db), &mut host, "tb_confiture").unwrap();
    let report = runner.up(&scan(dir).unwrap(), options)?;
    Ok(report.applied.iter().map(|d| d.version.clone()).collect())
}

fn versions(db: &str) -> Vec<String> {
    strings(db, "SELECT version::text FROM tb_confiture ORDER BY pk_confiture")
}

const USERS: (&str, &str) =
    ("001_users.up.sql", "CREATE TABLE users (id int PRIMARY KEY, email text);\nINSERT INTO users VALUES (1, 'a');\n");
const USERS_DOWN: (&str, &str) = ("001_users.down.sql", "DROP TABLE users;\n");

#[test]
fn applies_in_numeric_order_once_and_records_everything() {
    let (db, dir) = setup(&[
        USERS,
        USERS_DOWN,
        ("999_a.up.sql", "ALTER TABLE users ADD COLUMN a int;"),
        ("999_a.down.sql", "ALTER TABLE users DROP COLUMN a;"),
        ("1000_b.up.sql", "ALTER TABLE users ADD COLUMN b int;"),
        ("1000_b.down.sql", "ALTER TABLE users DROP COLUMN b;"),
    ]);
    assert_eq!(up(&db, dir.path(), &UpOptions::default()).unwrap(), vec!["001", "999", "1000"]);
    assert_eq!(versions(&db), vec!["001", "999", "1000"]);
    let checksum = strings(&db, "SELECT checksum::text FROM tb_confiture WHERE version = '001'");
    assert_eq!(checksum[0], confiture_core::migrate::checksum(&dir.path().join("001_users.up.sql")).unwrap());
    let slug = strings(&db, "SELECT slug FROM tb_confiture WHERE version = '001'");
    assert!(slug[0].starts_with("001_users_"), "{slug:?}");
    // Nothing left to do.
    assert!(up(&db, dir.path(), &UpOptions::default()).unwrap().is_empty());

    let mut host = NoHost::default();
    let runner = Runner::new(executor(&db), &mut host, "tb_confiture").unwrap();
    let status = runner.status(&scan(dir.path()).unwrap()).unwrap();
    assert_eq!(status.applied, vec!["001", "999", "1000"]);
    assert_eq!(status.current.as_deref(), Some("1000"));
    assert!(status.migrations.iter().all(|m| m.checksum.as_deref() == Some("ok")));
}

#[test]
fn the_first_failure_stops_the_batch_and_says_where() {
    let (db, dir) = setup(&[
        USERS,
        USERS_DOWN,
        (
            "002_bad.up.sql",
            "ALTER TABLE users ADD COLUMN ok int;\n\n-- the typo\nALTER TABLE users ADD COLUMN bad nosuchtype;\n",
        ),
        ("002_bad.down.sql", "SELECT 1;"),
        ("003_later.up.sql", "CREATE TABLE later (id int);"),
        ("003_later.down.sql", "DROP TABLE later;"),
    ]);
    let err = up(&db, dir.path(), &UpOptions::default()).unwrap_err();
    let MigrateError::Failed(f) = &err else { panic!("{err}") };
    assert_eq!((f.version.as_str(), f.line, f.column), ("002", Some(4), Some(34)));
    assert!(f.file.as_ref().unwrap().ends_with("002_bad.up.sql"));
    assert_eq!(f.statement.as_deref(), Some("ALTER TABLE users ADD COLUMN bad nosuchtype;"));
    assert_eq!(f.error.as_ref().unwrap().code, "42704");
    assert!(err.to_string().contains("rolled back"), "{err}");
    assert_eq!(versions(&db), vec!["001"], "earlier migrations stay, the failed one left no row");
    let columns =
        strings(&db, "SELECT attname::text FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'ok'");
    assert!(columns.is_empty(), "the failed migration left no partial DDL");
}

#[test]
fn no_transaction_migrations_run_statement_by_statement() {
    let (db, dir) = setup(&[
        USERS,
        USERS_DOWN,
        ("002_idx.up.sql", "-- confiture: no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n"),
        ("002_idx.down.sql", "-- confiture: no-transaction\nDROP INDEX CONCURRENTLY users_email;\n"),
        (
            "003_half.up.sql",
            "-- confiture: no-transaction\nCREATE INDEX CONCURRENTLY users_id2 ON users (id);\nCREATE INDEX CONCURRENTLY broken ON nope (x);\n",
        ),
        ("003_half.down.sql", "SELECT 1;"),
    ]);
    let err = up(&db, dir.path(), &UpOptions::default()).unwrap_err();
    assert!(err.to_string().contains("1 statement(s) completed and were NOT undone"), "{err}");
    assert_eq!(versions(&db), vec!["001", "002"]);
    assert_eq!(
        strings(&db, "SELECT count(*)::text FROM pg_indexes WHERE indexname IN ('users_email', 'users_id2')"),
        vec!["2"]
    );
}

#[test]
fn down_rolls_back_steps_or_to_a_target() {
    let (db, dir) = setup(THREE);
    up(&db, dir.path(), &UpOptions::default()).unwrap();
    let s = scan(dir.path()).unwrap();
    let mut host = NoHost::default();
    let mut runner = Runner::new(executor(&db), &mut host, "tb_confiture").unwrap();
    let lock = Some(LockMode::Blocking { timeout_ms: 5000 });
    assert!(matches!(runner.down(&s, Some(0), None, lock), Err(MigrateError::Usage(_))));
    let report = runner.down(&s, None, None, lock).unwrap();
    assert_eq!(report.rolled_back.iter().map(|d| d.version.as_str()).collect::<Vec<_>>(), vec!["003"]);
    let report = runner.down(&s, None, Some("001"), lock).unwrap();
    assert_eq!(report.rolled_back.iter().map(|d| d.version.as_str()).collect::<Vec<_>>(), vec!["002"]);
    assert_eq!(versions(&db), vec!["001"]);
    assert!(strings(&db, "SELECT relname::text FROM pg_class WHERE relname IN ('a', 'b')").is_empty());
    assert!(matches!(runner.down(&s, None, Some("042"), lock), Err(MigrateError::VersionNotFound { .. })));
    // A missing down file for an applied migration is an error before anything runs.
    std::fs::remove_file(dir.path().join("001_users.down.sql")).unwrap();
    let err = runner.down(&scan(dir.path()).unwrap(), Some(1), None, lock).unwrap_err();
    assert!(err.to_string().contains("001_users.up.sql has no matching 001_users.down.sql"), "{err}");
    assert_eq!(versions(&db), vec!["001"]);
}

#[test]
fn problems_stop_everything_before_it_runs() {
    let (db, dir) = setup(&[USERS, ("002_x.up.sql", "CREATE TABLE x (id int);")]);
    let err = up(&db, dir.path(), &UpOptions::default()).unwrap_err();
    assert!(matches!(err, MigrateError::Problems { .. }), "{err}");
    assert!(strings(&db, "SELECT relname::text FROM pg_class WHERE relname = 'users'").is_empty());
}

#[test]
fn checksums_catch_edited_migrations() {
    let (db, dir) = setup(&[USERS, USERS_DOWN]);
    up(&db, dir.path(), &UpOptions::default()).unwrap();
    std::fs::write(dir.path().join("001_users.up.sql"), "CREATE TABLE users (id bigint);\n").unwrap();
    write(dir.path(), &[("002_n.up.sql", "CREATE TABLE n (id int);"), ("002_n.down.sql", "DROP TABLE n;")]);
    let err = up(&db, dir.path(), &UpOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, MigrateError::Checksum { .. }));
    assert!(text.contains("001_users.up.sql") && text.contains("expected") && text.contains("actual"), "{text}");
    assert_eq!(versions(&db), vec!["001"]);
    let warn = UpOptions { on_mismatch: OnMismatch::Warn, ..UpOptions::default() };
    assert_eq!(up(&db, dir.path(), &warn).unwrap(), vec!["002"]);

    let mut host = NoHost::default();
    let mut runner = Runner::new(executor(&db), &mut host, "tb_confiture").unwrap();
    let s = scan(dir.path()).unwrap();
    assert_eq!(runner.verify(&s, false, None).unwrap().mismatches.len(), 1);
    assert_eq!(runner.verify(&s, true, Some(LockMode::NonBlocking)).unwrap().fixed, 1);
    assert!(runner.verify(&s, false, None).unwrap().mismatches.is_empty());
}

#[test]
fn the_lock_names_its_holder() {
    let (db, dir) = setup(&[USERS, USERS_DOWN]);
    let holder = executor(&db);
    let id = confiture_core::migrate::lock::lock_id(&db);
    confiture_core::migrate::lock::acquire(confiture_core::db::lock(&holder).as_mut(), id, LockMode::NonBlocking)
        .unwrap();

    let busy = UpOptions { lock: Some(LockMode::NonBlocking), ..UpOptions::default() };
    let err = up(&db, dir.path(), &busy).unwrap_err();
    assert!(matches!(&err, MigrateError::LockBusy { holder: Some(_) }), "{err}");
    assert!(err.to_string().contains("Held by PID"), "{err}");
    let wait = UpOptions { lock: Some(LockMode::Blocking { timeout_ms: 200 }), ..UpOptions::default() };
    let err = up(&db, dir.path(), &wait).unwrap_err();
    assert!(err.to_string().starts_with("Could not acquire migration lock within 200ms. Held by PID"), "{err}");
    assert!(strings(&db, "SELECT relname::text FROM pg_class WHERE relname = 'tb_confiture'").is_empty());

    confiture_core::migrate::lock::release(confiture_core::db::lock(&holder).as_mut(), id).unwrap();
    assert_eq!(up(&db, dir.path(), &wait).unwrap(), vec!["001"]);
    // The runner released it: someone else can take it now.
    confiture_core::migrate::lock::acquire(confiture_core::db::lock(&holder).as_mut(), id, LockMode::NonBlocking)
        .unwrap();
}

#[test]
fn baseline_and_target_and_qualified_tracking_table() {
    let (db, dir) = setup(THREE);
    let s = scan(dir.path()).unwrap();
    let mut host = NoHost::default();
    let mut runner = Runner::new(executor(&db), &mut host, "ops.migrations").unwrap();
    let report = runner.baseline(&s, "001", false, None).unwrap();
    assert_eq!(report.marked, vec!["001_users"]);
    let options = UpOptions { target: Some("2".into()), ..UpOptions::default() };
    let report = runner.up(&s, &options).unwrap();
    assert_eq!(report.applied.iter().map(|d| d.version.as_str()).collect::<Vec<_>>(), vec!["002"]);
    assert_eq!(strings(&db, "SELECT version::text FROM ops.migrations ORDER BY pk_confiture"), vec!["001", "002"]);
    assert!(
        strings(&db, "SELECT relname::text FROM pg_class WHERE relname = 'users'").is_empty(),
        "baseline ran nothing"
    );
    assert!(host.events.iter().any(|e| matches!(e, Event::SkippedAfterTarget { version } if version == "003")));
}

#[test]
fn sidecar_preconditions_guard_migrations() {
    let (db, dir) = setup(&[
        ("001_a.up.sql", "CREATE TABLE a (id int);"),
        ("001_a.down.sql", "DROP TABLE a;"),
        (
            "001_a.yaml",
            "up_preconditions:\n  - type: TableExists\n    table: users\n  - type: SchemaNotExists\n    schema: public\n",
        ),
    ]);
    let err = up(&db, dir.path(), &UpOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("Table public.users does not exist") && text.contains("Schema public already exists"),
        "{text}"
    );
    assert!(versions(&db).is_empty());
}

#[test]
fn copy_data_in_migrations() {
    let (db, dir) = setup(&[
        (
            "001_data.up.sql",
            "CREATE TABLE t (id int, name text);\nCOPY t (id, name) FROM stdin;\n1\tone\n2\ttwo\n\\.\nUPDATE t SET name = upper(name);\n",
        ),
        ("001_data.down.sql", "DROP TABLE t;"),
    ]);
    up(&db, dir.path(), &UpOptions::default()).unwrap();
    assert_eq!(strings(&db, "SELECT name FROM t ORDER BY id"), vec!["ONE", "TWO"]);
}

#[test]
fn dry_run_analysis_reports_locks_sizes_and_risk() {
    let db = fresh_db();
    let admin = executor(&db);
    confiture_core::db::lock(&admin)
        .execute("CREATE TABLE big (id int, email text); INSERT INTO big SELECT g, 'x' || g FROM generate_series(1, 50000) g; ANALYZE big;")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("001_idx.up.sql", "CREATE INDEX big_email ON big (email);\nALTER TABLE big ADD COLUMN note text;\n"),
            ("001_idx.down.sql", "DROP INDEX big_email;\nALTER TABLE big DROP COLUMN note;\n"),
        ],
    );
    let s = scan(dir.path()).unwrap();
    let analysis =
        analyze_migration(confiture_core::db::lock(&admin).as_mut(), &s.migrations[0], Direction::Up).unwrap();
    assert_eq!(analysis.statements.len(), 2);
    let index = &analysis.statements[0];
    assert_eq!(index.locks[0].lock, "SHARE");
    assert_eq!(index.locks[0].rows, Some(50000));
    assert!(index.locks[0].bytes.unwrap() > 1_000_000);
    assert!(index.blocks_writes && index.scans && index.risk >= Risk::High, "{index:?}");
    assert_eq!(analysis.statements[1].risk, Risk::Low);
    let down = analyze_migration(confiture_core::db::lock(&admin).as_mut(), &s.migrations[0], Direction::Down).unwrap();
    assert!(down.statements[1].destructive);
}
