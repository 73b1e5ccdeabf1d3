//! Plans: hazards and safer alternatives, rename annotations, deterministic order, migration
//! files, sides. (The round trip of every object kind through PostgreSQL is `diff_corpus.rs`.)

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

use confiture_core::diff::source::{DiffOptions, Side};
use confiture_core::diff::{self, Diff, DiffError, HazardKind, Step, generate};
use confiture_core::schema::{self, ParseOptions};

fn d(before: &str, after: &str) -> Diff {
    let a = schema::parse_sql("before.sql", before, ParseOptions::default()).unwrap().catalog;
    let b = schema::parse_sql("after.sql", after, ParseOptions::default()).unwrap().catalog;
    diff::diff(&a, &b).unwrap()
}

fn step<'a>(steps: &'a [Step], starts: &str) -> &'a Step {
    steps.iter().find(|s| s.sql.starts_with(starts)).unwrap_or_else(|| panic!("no step {starts:?} in {steps:#?}"))
}

fn kinds(s: &Step) -> Vec<HazardKind> {
    s.hazards.iter().map(|h| h.kind).collect()
}

const T: &str = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);\nCREATE TABLE u (id int PRIMARY KEY);\n";

#[test]
fn hazards_and_safer_alternatives() {
    let x = d(
        T,
        "CREATE TABLE t (id int PRIMARY KEY, a bigint NOT NULL REFERENCES u, c text NOT NULL);\nCREATE INDEX t_a ON t (a);\nCREATE TABLE u (id int PRIMARY KEY);",
    );
    let drop = step(&x.up, "ALTER TABLE \"public\".\"t\" DROP COLUMN \"b\"");
    assert_eq!(kinds(drop), [HazardKind::DeletesData, HazardKind::AccessExclusiveLock]);
    let retype = step(&x.up, "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"a\" TYPE bigint");
    assert!(kinds(retype).contains(&HazardKind::RewritesTable));
    let not_null = step(&x.up, "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"a\" SET NOT NULL");
    assert!(
        not_null.hazards[0].kind == HazardKind::FullScan
            && not_null.hazards[0].safer.as_deref().unwrap().contains("NOT VALID")
    );
    let fk = step(&x.up, "ALTER TABLE \"public\".\"t\" ADD CONSTRAINT \"t_a_fkey\"");
    assert!(
        fk.hazards[0].kind == HazardKind::FullScan
            && fk.hazards[0].safer.as_deref().unwrap().contains("VALIDATE CONSTRAINT")
    );
    let index = step(&x.up, "CREATE INDEX \"t_a\"");
    assert!(
        index.hazards[0].kind == HazardKind::BlocksWrites
            && index.hazards[0].safer.as_deref().unwrap().contains("CONCURRENTLY")
    );
    let add = step(&x.up, "ALTER TABLE \"public\".\"t\" ADD COLUMN \"c\" text NOT NULL");
    assert_eq!(kinds(add), [HazardKind::MayFail]);
    assert_eq!(x.destructive_steps().len(), 1);

    // Indexes and constraints on a table created by the same plan are not hazards.
    let y =
        d("", "CREATE TABLE u (id int PRIMARY KEY);\nCREATE TABLE t (id int REFERENCES u);\nCREATE INDEX ON t (id);");
    assert!(y.up.iter().all(|s| s.hazards.is_empty()), "{:#?}", y.up);
}

#[test]
fn renames_come_from_annotations_only() {
    let before = "CREATE TABLE t (id int, full_name text);";
    let plain = d(before, "CREATE TABLE t (id int, display_name text);");
    assert_eq!(plain.changes.iter().map(|c| c.change_type.as_str()).collect::<Vec<_>>(), ["ADD_COLUMN", "DROP_COLUMN"]);
    assert_eq!(plain.destructive_steps().len(), 1);
    let annotated =
        d(before, "CREATE TABLE t (\n  id int,\n  -- confiture: renamed-from full_name\n  display_name text\n);");
    assert_eq!(annotated.up.len(), 1);
    assert_eq!(annotated.up[0].sql, "ALTER TABLE \"public\".\"t\" RENAME COLUMN \"full_name\" TO \"display_name\";");
    assert_eq!(annotated.down[0].sql, "ALTER TABLE \"public\".\"t\" RENAME COLUMN \"display_name\" TO \"full_name\";");
    assert_eq!(annotated.changes[0].description, "RENAME COLUMN t.full_name TO display_name");
    assert!(annotated.destructive_steps().is_empty());
}

#[test]
fn plans_are_deterministic_and_independent_of_statement_order() {
    let a = "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\nCREATE VIEW v AS SELECT b.id FROM b JOIN a ON a.id = b.a_id;";
    let shuffled = "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY, a_id int);\nCREATE VIEW v AS SELECT b.id FROM b JOIN a ON a.id = b.a_id;\nALTER TABLE b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES a;";
    let one = d("", a);
    let two = d("", a);
    let three = d("", shuffled);
    let sql = |x: &Diff| x.up.iter().map(|s| s.sql.clone()).collect::<Vec<_>>();
    assert_eq!(sql(&one), sql(&two));
    assert_eq!(sql(&one), sql(&three));
    assert!(d(a, shuffled).is_empty());
    // Dependencies decide the order: tables, then the foreign key, then the view; the reverse on the way down.
    let pos = |x: &[Step], p: &str| x.iter().position(|s| s.sql.starts_with(p)).unwrap();
    assert!(
        pos(&one.up, "CREATE TABLE \"public\".\"a\"") < pos(&one.up, "ALTER TABLE \"public\".\"b\" ADD CONSTRAINT")
    );
    assert!(pos(&one.up, "CREATE TABLE \"public\".\"b\"") < pos(&one.up, "CREATE VIEW"));
    assert!(pos(&one.down, "DROP VIEW") < pos(&one.down, "DROP TABLE \"public\".\"a\""));
}

#[test]
fn changing_the_partition_key_is_reported_not_guessed() {
    let a = schema::parse_sql("a", "CREATE TABLE m (a int, b int) PARTITION BY RANGE (a);", ParseOptions::default())
        .unwrap()
        .catalog;
    let b = schema::parse_sql("b", "CREATE TABLE m (a int, b int) PARTITION BY RANGE (b);", ParseOptions::default())
        .unwrap()
        .catalog;
    let e = diff::diff(&a, &b).unwrap_err();
    assert!(matches!(e, DiffError::Unsupported { .. }));
    assert!(e.to_string().starts_with("not yet supported: changing the partitioning of m"), "{e}");
}

#[test]
fn migration_files() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.sql");
    let new = dir.path().join("new.sql");
    std::fs::write(&old, T).unwrap();
    std::fs::write(&new, "CREATE TABLE t (id int PRIMARY KEY, a int);\nCREATE TABLE u (id int PRIMARY KEY, n text);\n")
        .unwrap();
    let options = DiffOptions { project_dir: dir.path().to_path_buf(), ..DiffOptions::default() };
    let report = diff::source::run(
        &Side::parse(old.to_str().unwrap()).unwrap(),
        &Side::parse(new.to_str().unwrap()).unwrap(),
        &options,
    )
    .unwrap();
    assert!(report.destructive && !report.identical);
    let migrations = dir.path().join("db/migrations");
    let e = generate::write(&report, &migrations, "trim", false).unwrap_err();
    assert!(matches!(e, confiture_core::Error::Diff(DiffError::Destructive { count: 1, .. })), "{e}");
    assert!(!migrations.join("001_trim.up.sql").exists());
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(migrations.join("004_old.py"), "").unwrap();
    // An orphaned `NNN_x.sql` (a migration waiting for its `.up.sql` name) counts, as for
    // `confiture migrate generate`: both number through the migrations area.
    std::fs::write(migrations.join("0004_orphan.sql"), "").unwrap();
    let g = generate::write(&report, &migrations, "trim", true).unwrap();
    assert_eq!(g.version, "0005");
    let scan = confiture_core::migrate::scan(&migrations).unwrap();
    assert_eq!(confiture_core::migrate::generate::next_version(&scan), "0006");
    let up = std::fs::read_to_string(&g.up).unwrap();
    assert!(up.starts_with("-- Migration 0005_trim (up), generated by `confiture migrate diff`.\n"), "{up}");
    assert!(up.contains("-- HAZARD deletes_data: drops column t.b and its values\n"), "{up}");
    assert!(up.contains("ALTER TABLE \"public\".\"t\" DROP COLUMN \"b\";\n"), "{up}");
    let down = std::fs::read_to_string(&g.down).unwrap();
    assert!(down.contains("ALTER TABLE \"public\".\"t\" ADD COLUMN \"b\" text;\n"), "{down}");
    let bad = generate::write(&report, &migrations, "bad name", true).unwrap_err();
    assert!(
        matches!(&bad, confiture_core::Error::Migrate(confiture_core::migrate::MigrateError::Usage(m)) if m.contains("invalid migration name")),
        "{bad}"
    );

    let same = diff::source::run(
        &Side::parse(old.to_str().unwrap()).unwrap(),
        &Side::parse(old.to_str().unwrap()).unwrap(),
        &options,
    )
    .unwrap();
    assert!(same.identical && same.up.is_empty());
    assert!(matches!(
        generate::write(&same, &migrations, "none", true),
        Err(confiture_core::Error::Diff(DiffError::NoChanges))
    ));
}

#[test]
fn sides() {
    assert_eq!(Side::parse("env:local").unwrap(), Side::Env("local".into()));
    assert!(matches!(Side::parse("postgresql://u@h/db").unwrap(), Side::Database(_)));
    assert!(matches!(Side::parse("host=h dbname=d").unwrap(), Side::Database(_)));
    assert!(matches!(Side::parse(env!("CARGO_MANIFEST_DIR")).unwrap(), Side::Directory(_)));
    let e = Side::parse("no/such/file.sql").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no/such/file.sql: not found: expected a SQL file, a directory, env:NAME or a database URL"
    );
}
