//! The benchmark corpus is real: a generated project builds into PostgreSQL, in order.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

#[path = "../../../benches/common/mod.rs"]
mod common;
mod support;

use confiture_core::build::{self, ApplyOptions};
use confiture_core::db::block_on;
use confiture_core::project::DiscoverOptions;

#[test]
fn a_generated_project_builds_in_order() {
    let dir = tempfile::tempdir().unwrap();
    common::generate_project(dir.path(), 250);
    let env = confiture_core::config::Environment::load("local", dir.path(), &|_| None).unwrap().environment;
    let built = build::load(&env, DiscoverOptions::default()).unwrap();
    assert_eq!(built.files().len(), 251);
    // Files from different hundreds-directories stay in numeric order.
    assert!(built.files()[1].rel.ends_with("000/t_00000.sql"));
    assert!(built.files()[250].rel.ends_with("002/t_00249.sql"));
    let db = support::unique_db("synthetic");
    let options = ApplyOptions {
        target: support::params_for(&db),
        recreate: false,
        use_cache: false,
        lineage: build::lineage(dir.path(), "local", false),
    };
    let report = block_on(build::apply(&built, &options)).unwrap().unwrap();
    assert_eq!(report.statements, 1 + 250 * 3);
    let tables = support::strings(
        &db,
        "SELECT count(*)::text FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relkind = 'r'",
    );
    assert_eq!(tables, vec!["250"]);
}
