//! The schema model's parser and introspection: everything PostgreSQL accepts parses (the diff
//! corpus, the SQL scripts shipped with PostgreSQL's extensions), errors name the file and line,
//! objects the model does not cover fail with "not yet supported".

#![allow(clippy::unwrap_used, clippy::print_stderr, reason = "integration tests fail loudly")]

mod support;

#[path = "../../../benches/common/mod.rs"]
mod common;

use std::path::Path;

use confiture_core::Error;
use confiture_core::db::{block_on, connect};
use confiture_core::schema::{self, IntrospectOptions, ParseOptions, SchemaError, Source};
use confiture_core::sql::{StatementKind, split};
use support::{params_for, unique_db};

/// Every statement of `text` through PostgreSQL's parser; returns (statements, failures).
fn parse_all(text: &str) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut failures = Vec::new();
    let Ok(statements) = split(text) else { return (0, vec!["split failed".into()]) };
    for s in statements {
        if s.kind != StatementKind::Sql {
            continue;
        }
        n += 1;
        if let Err(e) = pg_query::parse(s.text(text), pg_query::ParserOptions::DEFAULT) {
            failures.push(format!("line {}: {e}: {}", s.line, s.text(text)));
        }
    }
    (n, failures)
}

#[test]
fn every_statement_of_the_diff_corpus_parses_and_builds_a_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let mut statements = 0;
    let mut creates = 0;
    let mut files = 0;
    for case in std::fs::read_dir(&root).unwrap() {
        for side in ["before.sql", "after.sql"] {
            let path = case.as_ref().unwrap().path().join(side);
            let text = std::fs::read_to_string(&path).unwrap();
            let (n, failures) = parse_all(&text);
            assert!(failures.is_empty(), "{}: {failures:?}", path.display());
            statements += n;
            creates += split(&text)
                .unwrap()
                .iter()
                .filter(|s| s.text(&text).trim_start().to_uppercase().starts_with("CREATE"))
                .count();
            schema::parse_sql(&path.display().to_string(), &text, ParseOptions { include_grants: true }).unwrap();
            files += 1;
        }
    }
    eprintln!("diff corpus: {files} files, {statements} statements ({creates} CREATE) parsed");
    assert!(files >= 200 && creates >= 300, "{files} files, {creates} CREATE statements");
}

#[test]
fn the_sql_shipped_with_postgresql_extensions_parses() {
    let Ok(versions) = std::fs::read_dir("/usr/share/postgresql") else {
        eprintln!("skipped: /usr/share/postgresql is absent on this machine (no extension scripts to parse)");
        return;
    };
    let mut files = 0;
    let mut statements = 0;
    let mut modelled = 0;
    let mut unsupported = 0;
    let mut failures = Vec::new();
    for v in versions {
        let dir = v.unwrap().path().join("extension");
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<_> =
            entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "sql")).collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .unwrap()
                .replace("@extschema@", "public")
                .replace("@extowner@", "postgres");
            let (n, f) = parse_all(&text);
            files += 1;
            statements += n;
            failures.extend(f.into_iter().map(|e| format!("{}: {e}", path.display())));
            // The model builder either models a script or says what it does not cover; it never
            // reports a syntax error for what PostgreSQL's parser accepts, and never panics.
            match schema::parse_sources(&[Source { name: path.display().to_string(), text }], ParseOptions::default()) {
                Ok(_) => modelled += 1,
                Err(SchemaError::Unsupported { .. } | SchemaError::Invalid { .. }) => unsupported += 1,
                Err(e) => failures.push(format!("{}: {e}", path.display())),
            }
        }
    }
    if files == 0 {
        eprintln!("skipped: no /usr/share/postgresql/*/extension/*.sql files on this machine");
        return;
    }
    eprintln!(
        "extension scripts: {files} files, {statements} statements parsed; model built for {modelled}, \
         {unsupported} use objects the model does not cover (reported as such)"
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn errors_name_the_file_and_line() {
    let sources = [
        Source { name: "db/schema/a.sql".into(), text: "CREATE TABLE a (id int);\n".into() },
        Source {
            name: "db/schema/b.sql".into(),
            text: "-- b\n\nCREATE TABLE b (id int);\nCREATE TABEL c (id int);\n".into(),
        },
    ];
    let e = schema::parse_sources(&sources, ParseOptions::default()).unwrap_err();
    assert_eq!(e.location(), Some(("db/schema/b.sql", 4)), "{e}");
    assert!(e.to_string().starts_with("db/schema/b.sql:4: syntax error"), "{e}");

    let e = schema::parse_sql(
        "x.sql",
        "CREATE TABLE t (a int);\nCREATE AGGREGATE s (int) (sfunc = int4pl, stype = int);",
        ParseOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "x.sql:2: not yet supported: CREATE AGGREGATE");
    let e = schema::parse_sql("x.sql", "DO $$ BEGIN END $$;", ParseOptions::default()).unwrap_err();
    assert!(e.to_string().starts_with("x.sql:1: not yet supported: DO blocks"), "{e}");
    let e = schema::parse_sql("x.sql", "ALTER TABLE missing ADD COLUMN a int;", ParseOptions::default()).unwrap_err();
    assert!(e.to_string().contains("x.sql:1: ALTER TABLE: table missing does not exist"), "{e}");
    let e =
        schema::parse_sql("x.sql", "CREATE TABLE t (a int);\n\\i other.sql\n", ParseOptions::default()).unwrap_err();
    assert!(e.to_string().starts_with("x.sql:2: not yet supported: psql \\i"), "{e}");

    let ok = schema::parse_sql(
        "seed.sql",
        "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\nALTER TABLE t OWNER TO postgres;\nSET statement_timeout = 0;",
        ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(ok.notes.len(), 3, "{:?}", ok.notes);
    assert!(ok.notes[0].starts_with("seed.sql:2: skipped data statement"), "{:?}", ok.notes);
}

#[test]
fn introspection_reports_objects_it_does_not_cover() {
    let db = unique_db("unsupported");
    let admin = support::client("postgres");
    block_on(admin.batch(&format!("CREATE DATABASE {db}"), "create")).unwrap().unwrap();
    let c = block_on(connect(&params_for(&db))).unwrap().unwrap();
    block_on(c.batch("CREATE TABLE t (a int); CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);", "setup"))
        .unwrap()
        .unwrap();
    let e = block_on(schema::introspect(&c, IntrospectOptions::default())).unwrap().unwrap_err();
    block_on(c.close()).unwrap();
    assert!(matches!(e, Error::Schema(SchemaError::UnsupportedInDatabase { .. })), "{e}");
    assert!(e.to_string().ends_with(&format!("/{db}: not yet supported: aggregate public.my_sum")), "{e}");

    let e = block_on(schema::introspect_url("postgresql://nobody@127.0.0.1:1/none", IntrospectOptions::default()))
        .unwrap()
        .unwrap_err();
    assert!(e.to_string().starts_with("cannot connect to 127.0.0.1:1/none"), "{e}");
}

#[test]
fn the_model_serializes_deterministically_with_dependencies() {
    let sql = "CREATE SCHEMA app;\nCREATE TYPE app.s AS ENUM ('a');\nCREATE TABLE app.t (id int PRIMARY KEY, s app.s);\n\
               CREATE VIEW app.v AS SELECT id FROM app.t;\nCREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT count(*)::int FROM app.v';";
    let a = schema::parse_sql("x.sql", sql, ParseOptions::default()).unwrap();
    let b = schema::parse_sql("x.sql", sql, ParseOptions::default()).unwrap();
    let ja = serde_json::to_string(&a.catalog).unwrap();
    assert_eq!(ja, serde_json::to_string(&b.catalog).unwrap());
    let v: serde_json::Value = serde_json::from_str(&ja).unwrap();
    let deps = v["dependencies"].as_array().unwrap();
    let find = |o: &str| deps.iter().find(|d| d["object"] == o).map(|d| d["depends_on"].clone());
    assert_eq!(find("table app.t").unwrap(), serde_json::json!(["schema app", "type app.s"]));
    assert_eq!(find("view app.v").unwrap(), serde_json::json!(["schema app", "table app.t"]));
    assert_eq!(find("function app.f()").unwrap(), serde_json::json!(["schema app", "view app.v"]));
}

#[test]
fn the_benchmark_schema_reads_the_same_offline_and_online() {
    for variant in [false, true] {
        let sql = common::schema_sql(120, variant);
        let offline = schema::parse_sql("bench.sql", &sql, ParseOptions::default()).unwrap().catalog;
        let db = unique_db("bench");
        let admin = support::client("postgres");
        block_on(admin.batch(&format!("CREATE DATABASE {db}"), "create")).unwrap().unwrap();
        let c = block_on(connect(&params_for(&db))).unwrap().unwrap();
        block_on(c.batch(&sql, "apply")).unwrap().unwrap();
        let online = block_on(schema::introspect(&c, IntrospectOptions::default())).unwrap().unwrap();
        block_on(c.close()).unwrap();
        let (_, steps) = confiture_core::diff::plan(&offline, &online).unwrap();
        assert!(steps.is_empty(), "{steps:#?}");
        assert_eq!(offline.tables.len(), 120);
    }
    let a = schema::parse_sql("a", &common::schema_sql(120, false), ParseOptions::default()).unwrap().catalog;
    let b = schema::parse_sql("b", &common::schema_sql(120, true), ParseOptions::default()).unwrap().catalog;
    let d = confiture_core::diff::diff(&a, &b).unwrap();
    // 12 new columns, 6 views and 6 functions recreated (dropped and created).
    assert_eq!(d.up.len(), 12 + 6 * 2 + 6, "{:#?}", d.up.iter().map(|s| &s.sql).collect::<Vec<_>>());
}

/// Introspection reads half of the catalog through a second connection in the same snapshot;
/// a role allowed one connection gets the same model through its only one.
#[test]
fn introspection_through_one_connection_reads_the_same_model() {
    let sql = common::schema_sql(40, true);
    let offline = schema::parse_sql("bench.sql", &sql, ParseOptions::default()).unwrap().catalog;
    let db = unique_db("oneconn");
    let admin = support::client("postgres");
    block_on(admin.batch(&format!("CREATE DATABASE {db}"), "create")).unwrap().unwrap();
    let owner = support::client(&db);
    block_on(owner.batch(&sql, "apply")).unwrap().unwrap();
    block_on(owner.close()).unwrap();
    let role = format!("one_conn_{}", std::process::id());
    block_on(admin.batch(&format!("CREATE ROLE {role} LOGIN CONNECTION LIMIT 1"), "role")).unwrap().unwrap();
    let mut params = params_for(&db);
    params.user = Some(role.clone());
    let c = block_on(connect(&params)).unwrap().unwrap();
    // The limit holds: no second connection for this role.
    assert!(block_on(connect(&params)).unwrap().is_err());
    let online = block_on(schema::introspect(&c, IntrospectOptions::default())).unwrap().unwrap();
    block_on(c.close()).unwrap();
    let (_, steps) = confiture_core::diff::plan(&offline, &online).unwrap();
    assert!(steps.is_empty(), "{steps:#?}");
    // With connections to spare, the two-connection path gives the same model.
    let two = block_on(schema::introspect(&support::client(&db), IntrospectOptions::default())).unwrap().unwrap();
    assert!(confiture_core::diff::plan(&two, &online).unwrap().1.is_empty());
    block_on(admin.batch(&format!("DROP ROLE IF EXISTS {role}"), "role")).unwrap().ok();
}
