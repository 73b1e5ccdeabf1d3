//! criterion: `confiture lint` hot paths.
//! - the schema of 2,000 tables (about 8,000 relations, 1,000 views, 500 functions) as one text:
//!   parse into the model, then every schema rule;
//! - the same schema as a project of 2,000 files (`lint::run`: discovery, reading, parsing, rules,
//!   suppressions, report), what `confiture lint --offline` does for the schema;
//! - the 71 migration snippets of the lint corpus (`tests/fixtures/lint/migrations`).
//!
//! Run: `cargo bench -p confiture-core --bench lint`. The same inputs are linted by
//! `tests/lint.rs` (`bench_schema_findings`) and `tests/lint_corpus.rs`.

#[path = "common/allocator.rs"]
mod allocator;
#[path = "common/mod.rs"]
mod common;

use std::path::Path;
use std::time::Duration;

use confiture_core::config::Environment;
use confiture_core::lint::{
    LintConfig, LintOptions, MigrationScope, MigrationSource, Request, SchemaScope, lint_migrations, lint_schema, run,
};
use confiture_core::schema::Source;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench_lint(c: &mut Criterion) {
    let mut group = c.benchmark_group("lint");
    group.sample_size(20);
    let config = LintConfig::default();
    for tables in [500usize, 2_000] {
        let sources = [Source { name: "schema.sql".into(), text: common::schema_sql(tables, false) }];
        group.throughput(Throughput::Elements(tables as u64));
        group.bench_with_input(BenchmarkId::new("schema text", tables), &sources, |b, s| {
            b.iter(|| lint_schema(s, &config).expect("lint"));
        });
    }

    let dir = tempfile::tempdir().expect("tempdir");
    common::generate_project(dir.path(), 2_000);
    let env = Environment::load("local", dir.path(), &|_| None).expect("env").environment;
    group.throughput(Throughput::Elements(2_000));
    group.bench_function(BenchmarkId::new("project files", 2_000), |b| {
        b.iter(|| {
            run(&Request {
                env: Some(&env),
                project_dir: dir.path().to_path_buf(),
                options: LintOptions::default(),
                schema: SchemaScope::Environment,
                migrations: MigrationScope::None,
                database: false,
                connect_timeout: Duration::from_secs(1),
            })
            .expect("lint")
        });
    });

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint/migrations");
    let mut paths: Vec<_> = std::fs::read_dir(&corpus).expect("corpus").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    let migrations: Vec<MigrationSource> = paths
        .iter()
        .map(|p| MigrationSource {
            file: p.display().to_string(),
            version: None,
            text: std::fs::read_to_string(p).expect("read"),
        })
        .collect();
    group.throughput(Throughput::Elements(migrations.len() as u64));
    group.bench_function(BenchmarkId::new("migration corpus", migrations.len()), |b| {
        b.iter(|| lint_migrations(&migrations, None, &config));
    });
    group.finish();
}

criterion_group!(benches, bench_lint);
criterion_main!(benches);
