//! The testing toolkit's engine side against a real PostgreSQL: introspection through an
//! executor, snapshots, data checks, migration round trips and clone pools.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use confiture_core::db::{Executor, NativeExecutor, SharedExecutor, admin, block_on, connect};
use confiture_core::migrate::{NoHost, Runner, scan};
use confiture_core::schema::{IntrospectOptions, introspect, introspect_exec};
use confiture_core::testkit::pool::{ClonePool, PoolOptions};
use confiture_core::testkit::{TestkitError, compare, data, roundtrip, snapshot};
use support::{database_exists, strings, unique_db};

fn fresh_db(sql: &str) -> String {
    let db = unique_db("tk");
    let admin = support::client("postgres");
    block_on(admin::create_database(&admin, &db, None)).unwrap().unwrap();
    if !sql.is_empty() {
        let c = support::client(&db);
        block_on(c.batch(sql, "setup")).unwrap().unwrap();
        block_on(c.close()).unwrap();
    }
    db
}

fn native(db: &str) -> NativeExecutor {
    NativeExecutor::new(block_on(connect(&support::params_for(db))).unwrap().unwrap())
}

fn shared(db: &str) -> SharedExecutor {
    Arc::new(Mutex::new(Box::new(native(db)) as Box<dyn Executor>))
}

const SCHEMA: &str = "
    CREATE SCHEMA app;
    CREATE TYPE app.mood AS ENUM ('happy', 'sad');
    CREATE DOMAIN app.positive AS int CHECK (VALUE > 0);
    CREATE TABLE app.users (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email varchar(200) NOT NULL UNIQUE,
        mood app.mood DEFAULT 'happy',
        score app.positive,
        tags text[] NOT NULL DEFAULT '{}'
    );
    COMMENT ON TABLE app.users IS 'people';
    CREATE TABLE app.posts (
        id serial PRIMARY KEY,
        user_id bigint REFERENCES app.users (id) ON DELETE CASCADE,
        title text CHECK (length(title) > 0)
    );
    CREATE INDEX posts_title_lower ON app.posts (lower(title)) WHERE title IS NOT NULL;
    CREATE VIEW app.recent AS SELECT id, title FROM app.posts WHERE id > 10;
    CREATE MATERIALIZED VIEW app.counts AS SELECT user_id, count(*) AS n FROM app.posts GROUP BY user_id;
    CREATE FUNCTION app.touch(p int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN p + 1; END $$;
    CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
";

#[test]
fn introspection_through_an_executor_gives_the_same_model() {
    let db = fresh_db(SCHEMA);
    let client = support::client(&db);
    let typed = block_on(introspect(&client, IntrospectOptions { include_grants: true, ..Default::default() }))
        .unwrap()
        .unwrap();
    let mut exec = native(&db);
    let through_exec =
        introspect_exec(&mut exec, IntrospectOptions { include_grants: true, ..Default::default() }).unwrap();
    assert_eq!(typed, through_exec);
    assert!(typed.tables.len() >= 4, "{:?}", typed.tables.keys());
    // The executor's connection is still usable: nothing was left open.
    exec.execute("CREATE TABLE after_introspection (id int)").unwrap();
    assert_eq!(strings(&db, "SELECT relname::text FROM pg_class WHERE relname = 'after_introspection'").len(), 1);
}

#[test]
fn unsupported_objects_fail_unless_skipped() {
    let db = fresh_db("CREATE TABLE t (id int); CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);");
    let mut exec = native(&db);
    let err = introspect_exec(&mut exec, IntrospectOptions::default()).unwrap_err().to_string();
    assert!(err.contains("not yet supported: aggregate"), "{err}");
    let cat = introspect_exec(&mut exec, IntrospectOptions { skip_unsupported: true, ..Default::default() }).unwrap();
    assert!(cat.tables.keys().any(|k| k.name == "t"));
}

#[test]
fn snapshots_see_the_schema_and_compare_finds_changes() {
    let db = fresh_db(SCHEMA);
    let mut exec = native(&db);
    let before = snapshot::capture(&mut exec).unwrap();
    let users = &before.tables["app.users"];
    let email = users.columns.iter().find(|c| c.name == "email").unwrap();
    assert_eq!((email.data_type.as_str(), email.is_nullable), ("character varying(200)", false));
    assert!(users.indexes.iter().any(|i| i.name == "users_email_key" && i.is_unique));
    let posts = &before.tables["app.posts"];
    assert_eq!(posts.foreign_keys[0].referenced_table, "users");
    assert!(posts.indexes.iter().any(|i| i.name == "posts_title_lower" && i.columns == ["(lower(title))"]));
    assert!(before.views.contains("app.recent") && before.materialized_views.contains("app.counts"));
    assert!(before.functions.contains("app.touch"));
    assert!(before.tables.contains_key("events") && before.tables.contains_key("events_2024"));

    exec.execute(
        "CREATE TABLE app.products (id int PRIMARY KEY);
         ALTER TABLE app.users ADD COLUMN bio text, ALTER COLUMN email TYPE text;
         ALTER TABLE app.posts DROP CONSTRAINT posts_title_check;
         CREATE INDEX users_bio ON app.users (bio);
         DROP VIEW app.recent;",
    )
    .unwrap();
    let after = snapshot::capture(&mut exec).unwrap();
    let c = compare(&before, &after);
    assert!(c.has_changes);
    assert_eq!(c.tables_added, ["app.products"]);
    assert_eq!(c.views_removed, ["app.recent"]);
    let users = c.tables_modified.iter().find(|t| t.table == "app.users").unwrap();
    assert_eq!(users.columns_added, ["bio"]);
    assert_eq!(users.columns_modified[0].after_type, "text");
    assert_eq!(users.indexes_added, ["users_bio"]);
    let posts = c.tables_modified.iter().find(|t| t.table == "app.posts").unwrap();
    assert_eq!(posts.constraints_removed, ["posts_title_check"]);
    assert!(!compare(&after, &after).has_changes);
}

#[test]
fn baselines_count_rows_exactly_and_find_broken_constraints() {
    let db = fresh_db(
        "CREATE TABLE parent (a int, b int, PRIMARY KEY (a, b));
         CREATE TABLE simple (id int PRIMARY KEY);
         CREATE TABLE child (id int, pid int REFERENCES simple (id), a int, b int,
             FOREIGN KEY (a, b) REFERENCES parent (a, b) MATCH FULL);
         CREATE TABLE prices (p int);
         CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
         CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         INSERT INTO simple VALUES (1);
         INSERT INTO parent VALUES (1, 1);
         INSERT INTO child VALUES (1, 1, 1, 1), (2, NULL, NULL, NULL);
         INSERT INTO prices VALUES (5), (-1), (NULL);
         INSERT INTO events VALUES (1, '2024-02-01'), (2, '2024-03-01');",
    );
    let mut exec = native(&db);
    let clean = data::baseline(&mut exec).unwrap();
    assert_eq!(clean.table_row_counts["public.child"], 2);
    assert_eq!(clean.table_row_counts["public.events"], 2, "a partitioned table counts its partitions' rows");
    assert_eq!(clean.table_row_counts["public.events_2024"], 2);
    assert_eq!((clean.foreign_key_violations, clean.constraint_violations), (0, 0));
    assert!(data::violations(&mut exec).unwrap().is_empty());

    // Rows that break keys get in with triggers off; a NOT VALID check does not look at old rows.
    exec.execute(
        "SET session_replication_role = replica;
         INSERT INTO child VALUES (3, 99, NULL, NULL), (4, NULL, 1, NULL), (5, NULL, 7, 7);
         SET session_replication_role = origin;
         ALTER TABLE prices ADD CONSTRAINT positive CHECK (p > 0) NOT VALID;",
    )
    .unwrap();
    let broken = data::violations(&mut exec).unwrap();
    let found: Vec<(&str, &str, i64)> =
        broken.iter().map(|v| (v.kind.as_str(), v.constraint.as_str(), v.rows)).collect();
    // child_a_b_fkey: (1, NULL) breaks MATCH FULL, (7, 7) has no parent; child_pid_fkey: 99.
    assert_eq!(
        found,
        [("foreign_key", "child_a_b_fkey", 2), ("foreign_key", "child_pid_fkey", 1), ("check", "positive", 1)]
    );
    let b = data::baseline(&mut exec).unwrap();
    assert_eq!((b.foreign_key_violations, b.constraint_violations, b.null_violations), (3, 1, 0));
    assert_eq!(b.table_row_counts["public.child"], 5);

    let on_pid = data::foreign_key_violations(&mut exec, "child", "pid").unwrap();
    assert_eq!(on_pid.len(), 1);
    assert_eq!(on_pid[0].rows, 1);
    let err = data::foreign_key_violations(&mut exec, "public.child", "id").unwrap_err();
    assert!(matches!(err, confiture_core::Error::Testkit(TestkitError::NoForeignKey { .. })), "{err}");

    exec.execute("DELETE FROM child WHERE id >= 3").unwrap();
    let changes = data::count_changes(&b, &data::baseline(&mut exec).unwrap(), true);
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0].table.as_str(), changes[0].before, changes[0].after), ("public.child", 5, Some(2)));
}

#[test]
fn row_counts_and_invalid_indexes() {
    let db = fresh_db(
        "CREATE SCHEMA \"My Schema\"; CREATE TABLE \"My Schema\".\"Odd Name\" (v int);
         INSERT INTO \"My Schema\".\"Odd Name\" VALUES (1), (1), (2);",
    );
    let mut exec = native(&db);
    assert_eq!(data::row_count(&mut exec, Some("My Schema"), "Odd Name").unwrap(), 3);
    assert_eq!(data::row_count(&mut exec, None, "My Schema.Odd Name").unwrap(), 3);
    let err = data::row_count(&mut exec, Some("public"), "missing").unwrap_err().to_string();
    assert_eq!(err, "table public.missing does not exist");
    assert!(data::invalid_indexes(&mut exec).unwrap().is_empty());
    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind.
    assert!(exec.execute("CREATE UNIQUE INDEX CONCURRENTLY odd_v ON \"My Schema\".\"Odd Name\" (v)").is_err());
    assert_eq!(data::invalid_indexes(&mut exec).unwrap(), ["My Schema.Odd Name.odd_v"]);
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn round_trip(db: &str, dir: &Path, version: &str) -> Result<roundtrip::RoundTripReport, confiture_core::Error> {
    let mut host = NoHost::default();
    let mut runner = Runner::new(shared(db), &mut host, "tb_confiture").unwrap();
    roundtrip::check(&mut runner, &scan(dir).unwrap(), version)
}

const GOOD: [(&str, &str); 4] = [
    ("001_users.up.sql", "CREATE TABLE users (id int PRIMARY KEY, email text);"),
    ("001_users.down.sql", "DROP TABLE users;"),
    (
        "002_email_index.up.sql",
        "CREATE UNIQUE INDEX users_email ON users (email); COMMENT ON COLUMN users.email IS 'login';",
    ),
    ("002_email_index.down.sql", "COMMENT ON COLUMN users.email IS NULL; DROP INDEX users_email;"),
];

#[test]
fn round_trips_pass_for_reversible_migrations_and_prepare_what_comes_before() {
    let db = fresh_db("");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &GOOD);
    let first = round_trip(&db, dir.path(), "001").unwrap();
    assert!(first.ok, "{}", first.message);
    assert!(first.reapplied && first.prepared.is_empty());
    let second = round_trip(&db, dir.path(), "002").unwrap();
    assert!(second.ok, "{}", second.message);
    assert!(second.message.contains("002_email_index"), "{}", second.message);
    // The database is left with both applied.
    assert_eq!(strings(&db, "SELECT version::text FROM tb_confiture ORDER BY 1"), ["001", "002"]);

    // On a fresh database, 002 first applies 001.
    let other = fresh_db("");
    let report = round_trip(&other, dir.path(), "002").unwrap();
    assert_eq!(report.prepared, ["001"]);
    assert!(report.ok);
    // A database already past it is refused.
    let err = round_trip(&other, dir.path(), "001").unwrap_err();
    assert!(matches!(err, confiture_core::Error::Testkit(TestkitError::AlreadyPast { .. })), "{err}");
    let err = round_trip(&other, dir.path(), "777").unwrap_err().to_string();
    assert!(err.contains("no migration with version 777"), "{err}");
}

#[test]
fn round_trips_name_what_down_leaves_behind() {
    let db = fresh_db("");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            GOOD[0],
            GOOD[1],
            (
                "002_forgetful.up.sql",
                "ALTER TABLE users ADD COLUMN age int CHECK (age > 0); CREATE INDEX users_age ON users (age);",
            ),
            ("002_forgetful.down.sql", "ALTER TABLE users DROP CONSTRAINT users_age_check;"),
        ],
    );
    let report = round_trip(&db, dir.path(), "002").unwrap();
    assert!(!report.ok);
    assert!(!report.reapplied, "up is not run again over a schema down did not restore");
    let text = report.down_differences.join("\n");
    assert!(text.contains("age"), "{text}");
    let missing = report.down_missing_sql.join("\n");
    assert!(missing.contains("DROP COLUMN \"age\"") || missing.contains("DROP INDEX"), "{missing}");
    assert!(report.message.contains("down does not restore the schema"), "{}", report.message);
}

#[test]
fn round_trips_notice_an_up_that_gives_a_different_schema_the_second_time() {
    let db = fresh_db("");
    let dir = tempfile::tempdir().unwrap();
    // Up names a column after a counter that down does not reset (data-dependent DDL).
    write(
        dir.path(),
        &[
            (
                "001_counter.up.sql",
                "CREATE TABLE counter (n int); INSERT INTO counter VALUES (1); CREATE TABLE t (id int);",
            ),
            ("001_counter.down.sql", "DROP TABLE t; DROP TABLE counter;"),
            (
                "002_dynamic.up.sql",
                "DO $$ BEGIN EXECUTE format('ALTER TABLE t ADD COLUMN c%s int', (SELECT n FROM counter)); \
                 UPDATE counter SET n = n + 1; END $$;",
            ),
            (
                "002_dynamic.down.sql",
                "DO $$ BEGIN EXECUTE format('ALTER TABLE t DROP COLUMN c%s', (SELECT n - 1 FROM counter)); END $$;",
            ),
        ],
    );
    let report = round_trip(&db, dir.path(), "002").unwrap();
    assert!(!report.ok);
    assert!(report.down_differences.is_empty() && report.reapplied);
    let text = report.reapply_differences.join("\n");
    assert!(text.contains("c1") && text.contains("c2"), "{text}");
    assert!(report.message.contains("up after down gives a different schema"), "{}", report.message);
}

#[test]
fn clone_pools_hand_out_fresh_copies_and_clean_up() {
    let template = fresh_db("CREATE TABLE items (id int); INSERT INTO items VALUES (1);");
    let server = support::server().params().clone();
    let prefix = format!("{}_", unique_db("tkpool"));
    let pool = ClonePool::new(server.clone(), &template, PoolOptions { ahead: 2, prefix: prefix.clone() }).unwrap();
    let a = block_on(pool.take()).unwrap().unwrap();
    let b = block_on(pool.take()).unwrap().unwrap();
    assert_ne!(a, b);
    assert!(a.starts_with(&prefix));
    for db in [&a, &b] {
        assert_eq!(strings(db, "SELECT count(*)::text FROM items"), ["1"]);
    }
    // A clone is the test's own: changes do not show up in the next one.
    let c = support::client(&a);
    block_on(c.batch("INSERT INTO items VALUES (2)", "insert")).unwrap().unwrap();
    // An open session does not stop the drop.
    pool.give_back(a.clone()).unwrap();
    let next = block_on(pool.take()).unwrap().unwrap();
    assert_eq!(strings(&next, "SELECT count(*)::text FROM items"), ["1"]);
    pool.give_back(b.clone()).unwrap();
    pool.give_back(next.clone()).unwrap();
    block_on(pool.close()).unwrap().unwrap();
    drop(c);
    let like = format!("SELECT datname::text FROM pg_database WHERE starts_with(datname, '{prefix}')");
    assert!(strings("postgres", &like).is_empty(), "every clone was dropped");
    assert!(block_on(pool.take()).unwrap().is_err(), "a closed pool hands out nothing");
    assert!(database_exists(&template));

    // Without look-ahead each clone is made on demand; a missing template is reported.
    let lazy = ClonePool::new(server.clone(), &template, PoolOptions { ahead: 0, prefix: prefix.clone() }).unwrap();
    assert_eq!(lazy.ready(), 0);
    let one = block_on(lazy.take()).unwrap().unwrap();
    lazy.give_back(one).unwrap();
    block_on(lazy.close()).unwrap().unwrap();
    let missing = ClonePool::new(server, "no_such_template_db", PoolOptions { ahead: 1, prefix }).unwrap();
    let err = block_on(missing.take()).unwrap().unwrap_err().to_string();
    assert!(err.contains("no_such_template_db"), "{err}");
    block_on(missing.close()).unwrap().unwrap();
}
