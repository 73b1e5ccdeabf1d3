//! Building databases from DDL against a real PostgreSQL.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use confiture_core::Error;
use confiture_core::build::{self, ApplyOptions, ApplyReport, BuildError};
use confiture_core::db::block_on;
use confiture_core::project::DiscoverOptions;
use support::{Project, database_exists, params_for, strings, unique_db};

const ENV: &str = "database_url: postgresql://unused/x\ninclude_dirs:\n  - db/schema\n  - path: db/seeds/common\n    auto_discover: true\n";

fn project(files: &[(&str, &str)]) -> Project {
    let p = Project::new(files);
    p.write("db/environments/local.yaml", ENV);
    p
}

fn apply(p: &Project, db: &str, recreate: bool, use_cache: bool) -> Result<ApplyReport, Error> {
    apply_with(p, db, recreate, use_cache, false)
}

fn apply_with(p: &Project, db: &str, recreate: bool, use_cache: bool, schema_only: bool) -> Result<ApplyReport, Error> {
    let env = p.env("local");
    let built = build::load(&env, DiscoverOptions { schema_only }).unwrap();
    let options = ApplyOptions {
        target: params_for(db),
        recreate,
        use_cache,
        // Each test is its own lineage so pruning never touches another test's templates.
        lineage: build::lineage(p.path(), "local", schema_only),
    };
    block_on(build::apply(&built, &options)).unwrap()
}

fn tables(db: &str) -> Vec<String> {
    strings(
        db,
        "SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = 'app'::regnamespace ORDER BY 1",
    )
}

fn failure(err: Error) -> Box<build::StatementFailure> {
    match err {
        Error::Build(BuildError::Statement(f)) => f,
        other => panic!("expected a statement failure, got {other}"),
    }
}

const SCHEMA: &[(&str, &str)] = &[
    ("db/schema/00_common/schema.sql", "CREATE SCHEMA app;\n"),
    (
        "db/schema/10_tables/01_users.sql",
        "CREATE TABLE app.users (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  email text NOT NULL UNIQUE\n);\n",
    ),
    (
        "db/schema/10_tables/02_posts.sql",
        "CREATE TABLE app.posts (id bigint PRIMARY KEY, user_id bigint REFERENCES app.users);\nCREATE VIEW app.post_count AS SELECT count(*) AS n FROM app.posts",
    ),
    (
        "db/schema/20_functions/f.sql",
        "CREATE FUNCTION app.one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\nEND;\n",
    ),
    (
        "db/seeds/common/users.sql",
        "BEGIN;\nINSERT INTO app.users (email) VALUES ('a@example.com');\nCOPY app.posts (id, user_id) FROM stdin;\n1\t1\n2\t1\n\\.\nCOMMIT;\n",
    ),
];

#[test]
fn creates_the_database_with_schema_and_seeds() {
    let p = project(SCHEMA);
    let db = unique_db("create");
    let report = apply(&p, &db, false, false).unwrap();
    assert_eq!(report.action, "created");
    assert_eq!(report.files, 5);
    assert_eq!(report.statements, 7);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert_eq!(tables(&db), vec!["posts", "users"]);
    assert_eq!(strings(&db, "SELECT count(*)::text FROM app.posts"), vec!["2"]);
    assert_eq!(strings(&db, "SELECT app.one()::text"), vec!["1"]);
    let kinds: Vec<(&str, i64)> = report.objects.iter().map(|k| (k.kind.as_str(), k.count)).collect();
    assert!(
        kinds.contains(&("tables", 2)) && kinds.contains(&("views", 1)) && kinds.contains(&("functions", 1)),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("schemas", 1)), "{kinds:?}");
}

#[test]
fn schema_only_leaves_seeds_out() {
    let p = project(SCHEMA);
    let db = unique_db("schema_only");
    let report = apply_with(&p, &db, false, false, true).unwrap();
    assert_eq!(report.files, 4);
    assert_eq!(strings(&db, "SELECT count(*)::text FROM app.posts"), vec!["0"]);
}

#[test]
fn refuses_a_non_empty_database_unless_recreate() {
    let p = project(SCHEMA);
    let db = unique_db("refuse");
    apply(&p, &db, false, false).unwrap();
    let err = apply(&p, &db, false, false).unwrap_err().to_string();
    assert!(err.contains(&db) && err.contains("--recreate") && err.contains("2 tables"), "{err}");
    let again = apply(&p, &db, true, false).unwrap();
    assert_eq!(again.action, "recreated");
    assert_eq!(tables(&db), vec!["posts", "users"]);
}

#[test]
fn an_existing_empty_database_is_used_as_is() {
    let p = project(SCHEMA);
    let db = unique_db("empty");
    let admin = support::client("postgres");
    block_on(confiture_core::db::admin::create_database(&admin, &db, None)).unwrap().unwrap();
    let report = apply(&p, &db, false, false).unwrap();
    assert_eq!(report.action, "applied");
    assert_eq!(tables(&db), vec!["posts", "users"]);
}

#[test]
fn the_template_cache_clones_and_prunes() {
    let p = project(SCHEMA);
    let db = unique_db("cache");
    let cold = apply(&p, &db, false, true).unwrap();
    let template = cold.template_created.clone().expect("a template was made");
    assert!(cold.from_template.is_none());
    assert!(database_exists(&template));

    let warm = apply(&p, &db, true, true).unwrap();
    assert_eq!(warm.from_template.as_deref(), Some(template.as_str()));
    assert_eq!(warm.statements, 0, "no DDL ran");
    assert_eq!(warm.objects, cold.objects, "the template remembers what it holds");
    assert_eq!(strings(&db, "SELECT count(*)::text FROM app.posts"), vec!["2"]);

    // A changed schema makes a new template and drops the old one.
    p.write("db/schema/10_tables/extra.sql", "CREATE TABLE app.extra (id int);\n");
    let changed = apply(&p, &db, true, true).unwrap();
    assert!(changed.from_template.is_none());
    let new_template = changed.template_created.clone().unwrap();
    assert_ne!(new_template, template);
    assert_eq!(changed.templates_pruned, vec![template.clone()]);
    assert!(!database_exists(&template));
    assert_eq!(tables(&db), vec!["extra", "posts", "users"]);

    // --no-cache runs the DDL even when a template exists.
    let uncached = apply(&p, &db, true, false).unwrap();
    assert!(uncached.from_template.is_none() && uncached.template_created.is_none());
    assert!(database_exists(&new_template));
}

#[test]
fn sql_errors_name_file_line_and_column_and_leave_nothing() {
    let p = project(&[
        ("db/schema/00_common/schema.sql", "CREATE SCHEMA app;\n"),
        (
            "db/schema/10_tables/a.sql",
            "CREATE TABLE app.a (id int);\n\n-- a comment\nCREATE TABLE app.b (\n  id int,\n  a_id nosuchtype\n);\n",
        ),
    ]);
    let db = unique_db("err_pos");
    let err = apply(&p, &db, false, true).unwrap_err();
    let text = err.to_string();
    let f = failure(err);
    assert_eq!(f.file, "10_tables/a.sql");
    assert_eq!((f.line, f.column), (6, Some(8)), "{text}");
    assert_eq!(f.error.code, "42704");
    assert!(f.statement.starts_with("CREATE TABLE app.b ("), "{text}");
    assert!(text.contains("removed"), "{text}");
    assert!(!database_exists(&db), "the half-built database is gone");
}

#[test]
fn errors_without_a_position_find_their_statement() {
    let p = project(&[
        ("db/schema/1.sql", "CREATE SCHEMA app;\nCREATE TABLE app.t (id int);\n"),
        ("db/schema/2.sql", "-- again\n\nCREATE TABLE app.u (id int);\nCREATE TABLE app.t (id int);\n"),
    ]);
    let db = unique_db("err_nopos");
    let f = failure(apply(&p, &db, false, false).unwrap_err());
    assert_eq!((f.file.as_str(), f.line, f.column), ("2.sql", 4, None));
    assert_eq!(f.error.code, "42P07");
}

#[test]
fn syntax_errors_stop_everything_before_it_runs() {
    let p =
        project(&[("db/schema/1.sql", "CREATE SCHEMA app;\n"), ("db/schema/2.sql", "CREATE TABLE app.t (id int,);\n")]);
    let db = unique_db("err_syntax");
    let admin = support::client("postgres");
    block_on(confiture_core::db::admin::create_database(&admin, &db, None)).unwrap().unwrap();
    let err = apply(&p, &db, false, false).unwrap_err();
    let text = err.to_string();
    let f = failure(err);
    assert_eq!((f.file.as_str(), f.line, f.column), ("2.sql", 1, Some(28)), "{text}");
    assert!(text.contains("unchanged"), "{text}");
    assert!(database_exists(&db), "a database that existed before is kept");
    assert!(strings(&db, "SELECT nspname::text FROM pg_namespace WHERE nspname = 'app'").is_empty());
}

#[test]
fn copy_data_errors_point_at_the_copy() {
    let p = project(&[("db/schema/1.sql", "CREATE TABLE t (id int);\n\nCOPY t (id) FROM stdin;\nnot-a-number\n\\.\n")]);
    let db = unique_db("err_copy");
    let f = failure(apply(&p, &db, false, false).unwrap_err());
    assert_eq!((f.file.as_str(), f.line), ("1.sql", 3));
    assert_eq!(f.error.code, "22P02");
}

#[test]
fn script_problems_are_reported_before_running() {
    let p = project(&[("db/schema/1.sql", "CREATE TABLE t (id int);\n\\set ON_ERROR_STOP on\n")]);
    let db = unique_db("err_meta");
    let err = apply(&p, &db, false, false).unwrap_err().to_string();
    assert!(err.starts_with("1.sql:2: psql meta-command \\set"), "{err}");
    assert!(!database_exists(&db));
}

#[test]
fn recreate_refuses_busy_databases() {
    let p = project(SCHEMA);
    let db = unique_db("busy");
    apply(&p, &db, false, false).unwrap();
    let holder = support::client(&db);
    let err = apply(&p, &db, true, false).unwrap_err().to_string();
    assert!(err.contains("1 other session"), "{err}");
    drop(holder);
    assert!(database_exists(&db), "the busy database was not dropped");
}

#[test]
fn recreate_never_drops_system_databases() {
    // A private server: this test makes `postgres` non-empty.
    let server = confiture_core::testserver::TestServer::start_throwaway(&Default::default()).unwrap();
    let admin = block_on(confiture_core::db::connect(server.params())).unwrap().unwrap();
    block_on(admin.batch("CREATE TABLE keep_me (id int)", "setup")).unwrap().unwrap();
    let p = project(SCHEMA);
    let env = p.env("local");
    let built = build::load(&env, DiscoverOptions::default()).unwrap();
    let options = ApplyOptions {
        target: server.params().clone(),
        recreate: true,
        use_cache: false,
        lineage: build::lineage(p.path(), "local", false),
    };
    let err = block_on(build::apply(&built, &options)).unwrap().unwrap_err();
    assert!(matches!(err, Error::Build(BuildError::SystemDatabase { .. })), "{err}");
}

/// A server with a small lock table (64 locks × 5 connections plus the background workers' slots,
/// under 2,000): a build of 5,000 tables cannot take them all in one transaction.
#[test]
fn large_builds_of_new_databases_fit_a_small_lock_table() {
    use confiture_core::testserver::{ServerOptions, TestServer};
    let settings = [("max_connections", "5"), ("max_locks_per_transaction", "64")];
    let small = TestServer::start_throwaway(&ServerOptions {
        settings: settings.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
        ..Default::default()
    })
    .unwrap();
    let ddl: String = (0..5000).map(|i| format!("CREATE TABLE app.t{i} (id int);\n")).collect();
    let p = project(&[("db/schema/00_schema.sql", "CREATE SCHEMA app;\n"), ("db/schema/10_tables.sql", &ddl)]);
    let built = build::load(&p.env("local"), DiscoverOptions { schema_only: false }).unwrap();
    let options = |db: &str| ApplyOptions {
        target: small.params().with_dbname(db),
        recreate: false,
        use_cache: false,
        lineage: build::lineage(p.path(), "local", false),
    };
    let count = |db: &str| {
        let c = block_on(confiture_core::db::connect(&small.params().with_dbname(db))).unwrap().unwrap();
        block_on(async {
            c.raw()
                .query_one("SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE 't%'", &[])
                .await
                .unwrap()
                .get::<_, i64>(0)
        })
        .unwrap()
    };

    // A database the build creates commits along the way: every table is there.
    let report = block_on(build::apply(&built, &options("fresh"))).unwrap().unwrap();
    assert_eq!(report.action, "created");
    assert_eq!(count("fresh"), 5000);

    // An existing database keeps the single transaction: the lock table overflows, and the
    // database is left as it was.
    let admin = block_on(confiture_core::db::connect(small.params())).unwrap().unwrap();
    block_on(admin.batch("CREATE DATABASE existing", "create")).unwrap().unwrap();
    let err = block_on(build::apply(&built, &options("existing"))).unwrap().unwrap_err();
    assert!(
        err.to_string().contains("max_locks_per_transaction") || err.to_string().contains("shared memory"),
        "{err}"
    );
    assert_eq!(count("existing"), 0);
}
