//! The diff corpus, against a real PostgreSQL: for every `tests/fixtures/diff/<case>/` pair
//! (`before.sql`, `after.sql`):
//!
//! 1. the offline models (parsed DDL) equal the online ones (each side built and introspected);
//! 2. applying the up plan to a database built from `before.sql` gives `after.sql`'s catalog, and
//!    then the diff to `after.sql` is empty;
//! 3. applying the down plan brings back `before.sql`'s catalog;
//! 4. the offline plan and the online plan (diffing the introspected catalogs) are the same.
//!
//! `CONFITURE_DIFF_CASE=name` runs one case. Failures are collected and reported together.

#![allow(clippy::unwrap_used, clippy::print_stderr, reason = "integration tests fail loudly")]

mod support;

use std::path::{Path, PathBuf};

use confiture_core::db::{block_on, connect};
use confiture_core::diff::{self, Step};
use confiture_core::schema::{self, Catalog, IntrospectOptions, ParseOptions};
use support::{params_for, server, unique_db};

const OPTIONS: ParseOptions = ParseOptions { include_grants: true };

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let only = confiture_core::config::env_var("CONFITURE_DIFF_CASE");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("before.sql").is_file())
        .filter(|p| only.as_deref().is_none_or(|o| p.file_name().unwrap().to_string_lossy() == o))
        .collect();
    out.sort();
    out
}

fn ensure_roles() {
    let c = support::client("postgres");
    block_on(async {
        for r in ["app_reader", "app_writer", "app_admin"] {
            let _ = c.raw().batch_execute(&format!("CREATE ROLE {r}")).await;
        }
    })
    .unwrap();
}

fn create_db(sql: &str) -> Result<String, String> {
    let db = unique_db("diff");
    let admin = support::client("postgres");
    block_on(admin.batch(&format!("CREATE DATABASE {db} TEMPLATE template0"), "create")).unwrap().unwrap();
    let c = block_on(connect(&params_for(&db))).unwrap().unwrap();
    let r = block_on(c.batch(sql, "apply")).unwrap();
    block_on(c.close()).unwrap();
    r.map_err(|e| e.to_string())?;
    Ok(db)
}

fn drop_db(db: &str) {
    let admin = support::client("postgres");
    block_on(async {
        let _ = confiture_core::db::admin::terminate_sessions(&admin, db).await;
        let _ = confiture_core::db::admin::drop_database(&admin, db).await;
    })
    .unwrap();
}

fn introspect(db: &str) -> Result<Catalog, String> {
    let c = block_on(connect(&params_for(db))).unwrap().unwrap();
    let cat =
        block_on(schema::introspect(&c, IntrospectOptions { include_grants: true, ..IntrospectOptions::default() }))
            .unwrap();
    block_on(c.close()).unwrap();
    cat.map_err(|e| format!("introspection failed: {e}"))
}

fn script(steps: &[Step]) -> String {
    diff::format::sql::script(steps)
}

fn apply(db: &str, steps: &[Step]) -> Result<(), String> {
    let c = block_on(connect(&params_for(db))).unwrap().unwrap();
    let sql = format!("BEGIN;\n{}\nCOMMIT;", script(steps));
    let r = block_on(c.batch(&sql, "plan")).unwrap();
    block_on(c.close()).unwrap();
    r.map_err(|e| format!("{e}\n--- plan ---\n{}", script(steps)))
}

/// Describes what differs between two models (empty when they are the same schema).
fn differences(a: &Catalog, b: &Catalog) -> String {
    match diff::plan(a, b) {
        Ok((_, steps)) => script(&steps),
        Err(e) => format!("diff failed: {e}"),
    }
}

/// Statements compared modulo expression spelling: each is parsed and normalised the way model
/// expressions are (PostgreSQL stores `'a'` as `'a'::text`; both sides mean the same).
fn canonical(sql: &str) -> String {
    match pg_query::parse(sql, pg_query::ParserOptions::DEFAULT) {
        Ok(r) => {
            let mut v = serde_json::to_value(&r.protobuf).unwrap();
            schema_normalize(&mut v);
            v.to_string()
        }
        Err(_) => sql.to_string(),
    }
}

fn schema_normalize(v: &mut serde_json::Value) {
    confiture_core::schema::normalize_for_tests(v);
}

fn same_plan(a: &[Step], b: &[Step]) -> Result<(), String> {
    let key = |s: &Step| {
        let sql = if matches!(s.kind, schema::ObjectKind::View | schema::ObjectKind::MaterializedView)
            && s.action == diff::Action::Create
            || s.sql.contains("BEGIN ATOMIC")
            || s.sql.contains(" RETURN ")
        {
            String::new()
        } else {
            canonical(&s.sql)
        };
        (s.action, s.kind, s.object.clone(), sql)
    };
    let ka: Vec<_> = a.iter().map(key).collect();
    let kb: Vec<_> = b.iter().map(key).collect();
    if ka == kb { Ok(()) } else { Err(format!("offline plan:\n{}\nonline plan:\n{}", script(a), script(b))) }
}

fn run_case(dir: &Path) -> Result<usize, String> {
    let before = std::fs::read_to_string(dir.join("before.sql")).unwrap();
    let after = std::fs::read_to_string(dir.join("after.sql")).unwrap();
    let a = schema::parse_sql("before.sql", &before, OPTIONS).map_err(|e| format!("parse before: {e}"))?.catalog;
    let b = schema::parse_sql("after.sql", &after, OPTIONS).map_err(|e| format!("parse after: {e}"))?.catalog;
    let d = diff::diff(&a, &b).map_err(|e| format!("diff: {e}"))?;
    if d.up.is_empty() && !dir.to_string_lossy().contains("noop") {
        return Err("the up plan is empty".into());
    }

    let db_a = create_db(&before).map_err(|e| format!("before.sql does not apply: {e}"))?;
    let db_b = create_db(&after).map_err(|e| format!("after.sql does not apply: {e}"))?;
    let result = (|| {
        let a_on = introspect(&db_a)?;
        let b_on = introspect(&db_b)?;
        let x = differences(&a, &a_on);
        if !x.is_empty() {
            return Err(format!("offline and online models of before.sql differ:\n{x}"));
        }
        let x = differences(&b, &b_on);
        if !x.is_empty() {
            return Err(format!("offline and online models of after.sql differ:\n{x}"));
        }
        // Rename annotations exist only in DDL: a catalog cannot say a table was renamed.
        if !before.contains(schema::RENAMED_FROM_ANNOTATION) && !after.contains(schema::RENAMED_FROM_ANNOTATION) {
            let online = diff::diff(&a_on, &b_on).map_err(|e| format!("online diff: {e}"))?;
            same_plan(&d.up, &online.up).map_err(|e| format!("up plans differ:\n{e}"))?;
            same_plan(&d.down, &online.down).map_err(|e| format!("down plans differ:\n{e}"))?;
        }

        apply(&db_a, &d.up).map_err(|e| format!("up plan fails: {e}"))?;
        let migrated = introspect(&db_a)?;
        let x = differences(&migrated, &b_on);
        if !x.is_empty() {
            return Err(format!(
                "after the up plan, the database differs from after.sql:\n{x}\n--- up ---\n{}",
                script(&d.up)
            ));
        }
        let x = differences(&migrated, &b);
        if !x.is_empty() {
            return Err(format!("re-diff after the up plan is not empty:\n{x}"));
        }
        apply(&db_a, &d.down).map_err(|e| format!("down plan fails: {e}"))?;
        let back = introspect(&db_a)?;
        let x = differences(&back, &a_on);
        if !x.is_empty() {
            return Err(format!(
                "after the down plan, the database differs from before.sql:\n{x}\n--- down ---\n{}",
                script(&d.down)
            ));
        }
        Ok(d.up.len())
    })();
    drop_db(&db_a);
    drop_db(&db_b);
    result
}

#[test]
fn corpus_round_trips_through_postgres() {
    server();
    ensure_roles();
    let cases = cases();
    assert!(!cases.is_empty(), "no cases found");
    let mut failures = Vec::new();
    let mut steps = 0;
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        match run_case(dir) {
            Ok(n) => steps += n,
            Err(e) => failures.push(format!("=== {name}\n{e}")),
        }
    }
    eprintln!("diff corpus: {} cases, {} up steps, {} failures", cases.len(), steps, failures.len());
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// `--online` builds DDL in a scratch database in batches of statements (so that a large schema
/// does not exhaust the lock table; the 2,000-table benchmark runs it): psql meta-commands are
/// skipped as offline, and an error past the first batch still names its own line.
#[test]
fn online_builds_run_in_batches_and_errors_name_their_line() {
    let server = server().params().clone();
    let mut text = String::from("\\set ON_ERROR_STOP on\n");
    for i in 0..600 {
        text.push_str(&format!(
            "CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text UNIQUE);\n"
        ));
    }
    let good = schema::Source { name: "big.sql".into(), text: text.clone() };
    let catalog = diff::source::build_and_introspect(std::slice::from_ref(&good), &server, false).unwrap();
    assert_eq!(catalog.tables.len(), 600);

    text.push_str("CREATE TABLE broken (id int DEFAULT no_such_function());\n");
    let bad = schema::Source { name: "big.sql".into(), text };
    let e = diff::source::build_and_introspect(&[bad], &server, false).unwrap_err();
    assert!(e.to_string().starts_with("big.sql:602: PostgreSQL rejected it"), "{e}");
}
