//! Schema-to-schema migration against real PostgreSQL: two databases on the test server, both
//! strategies, key-range batches, catch-up of inserts, updates and deletes, checksums that notice
//! a changed value, and a plan that reports every problem at once.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

mod support;

use confiture_core::Error;
use confiture_core::db::block_on;
use confiture_core::fdw::{self, FdwError, Mapping, S2sOptions, Strategy};
use confiture_core::sync::{Endpoint, Progress};
use support::{client, params_for, strings, unique_db};

fn database(ddl: &str) -> String {
    let name = unique_db("fdw");
    block_on(client("postgres").batch(&format!("CREATE DATABASE {name}"), "create")).unwrap().unwrap();
    block_on(client(&name).batch(ddl, "schema")).unwrap().unwrap();
    name
}

fn endpoint(db: &str) -> Endpoint {
    let params = params_for(db);
    Endpoint { label: params.to_redacted_url(), params, environment: None }
}

const SOURCE: &str = "CREATE TABLE accounts (id bigint PRIMARY KEY, \"Full Name\" text, cents int, closed boolean);
INSERT INTO accounts SELECT i, 'A' || i || ' B' || i, i * 100, i % 5 = 0 FROM generate_series(1, 2000) i;";
const TARGET: &str =
    "CREATE TABLE \"Clients\" (id bigint PRIMARY KEY, given text, family text, amount numeric(12, 2));";
const MAPPING: &str = r#"{"tables": {"\"Clients\"": {"from": "accounts", "where": "NOT closed",
  "columns": {"id": "id", "given": "split_part(\"Full Name\", ' ', 1)", "family": "split_part(\"Full Name\", ' ', 2)",
              "amount": "cents / 100.0"}}}}"#;

fn options(source: &str, target: &str, strategy: Strategy) -> S2sOptions {
    let mut o = S2sOptions::new(endpoint(source), endpoint(target));
    o.mapping = Some(Mapping::parse(serde_json::from_str(MAPPING).unwrap(), "mapping").unwrap());
    o.strategy = strategy;
    o.batch_rows = 300;
    o.capture = true;
    o
}

#[test]
fn both_strategies_copy_batches_catch_up_and_verify() {
    for strategy in [Strategy::Fdw, Strategy::Copy] {
        let (source, target) = (database(SOURCE), database(TARGET));
        let o = options(&source, &target, strategy);
        block_on(fdw::setup(&o)).unwrap().unwrap();
        let report = block_on(fdw::migrate(&o, &Progress::new())).unwrap().unwrap();
        assert_eq!(report.rows, 1600);
        assert_eq!(report.tables[0].strategy, strategy.name());
        assert!(report.tables[0].batches >= 6, "{:?}", report.tables[0]);
        assert_eq!(
            strings(&target, "SELECT given || '/' || family || '/' || amount FROM \"Clients\" WHERE id = 7"),
            ["A7/B7/7.00"]
        );
        assert!(block_on(fdw::verify(&o)).unwrap().unwrap().ok);

        block_on(client(&source).batch(
            "UPDATE accounts SET cents = 1 WHERE id = 1; UPDATE accounts SET closed = true WHERE id = 2; \
             DELETE FROM accounts WHERE id = 3; INSERT INTO accounts VALUES (5001, 'N M', 5, false)",
            "change",
        ))
        .unwrap()
        .unwrap();
        let stale = block_on(fdw::verify(&o)).unwrap().unwrap();
        assert!(!stale.ok);
        let keys: Vec<(&str, &str)> =
            stale.tables[0].differing_keys.iter().map(|d| (d.key.as_str(), d.problem.as_str())).collect();
        assert!(keys.contains(&(r#"{"id": 1}"#, "different")), "{keys:?}");
        assert!(keys.contains(&(r#"{"id": 2}"#, "extra_in_target")), "{keys:?}");
        assert!(keys.contains(&(r#"{"id": 5001}"#, "missing_in_target")), "{keys:?}");

        let caught = block_on(fdw::catch_up(&o, &Progress::new())).unwrap().unwrap();
        assert_eq!((caught.tables[0].upserted, caught.tables[0].deleted), (2, 2));
        assert!(block_on(fdw::verify(&o)).unwrap().unwrap().ok);
        // Migrating again copies nothing: every batch is recorded as done.
        let again = block_on(fdw::migrate(&o, &Progress::new())).unwrap().unwrap();
        assert_eq!((again.rows, again.tables[0].status.as_str()), (0, "skipped"));
        block_on(fdw::cleanup(&o)).unwrap().unwrap();
        assert_eq!(strings(&target, "SELECT count(*)::text FROM pg_foreign_server"), ["0"]);
    }
}

#[test]
fn plan_reports_every_problem() {
    let (source, target) = (database(SOURCE), database(TARGET));
    let mut o = options(&source, &target, Strategy::Copy);
    o.mapping = Some(
        Mapping::parse(
            serde_json::json!({"tables": {
                "\"Clients\"": {"from": "accounts", "columns": {"id": "id", "given": "nosuch", "ghost": "id"}},
                "missing": "accounts"
            }}),
            "m.yaml",
        )
        .unwrap(),
    );
    let Err(Error::Fdw(FdwError::Plan { problems })) = block_on(fdw::migrate(&o, &Progress::new())).unwrap() else {
        panic!("expected a plan error");
    };
    // Tables and columns in name order (the mapping is read as a JSON object).
    assert_eq!(
        problems,
        [
            "\"Clients\": target column \"ghost\" does not exist",
            "\"Clients\".given: source table accounts has no column \"nosuch\"",
            "target table missing does not exist on the target",
        ]
    );
}
