//! criterion: reading the model of a live database of 2,000 tables (about 8,000 relations) from
//! pg_catalog. Starts a throw-away PostgreSQL (or uses CONFITURE_TEST_DATABASE_URL).
//! Run: `cargo bench -p confiture-core --bench introspect`.

#[path = "common/allocator.rs"]
mod allocator;
#[path = "common/mod.rs"]
mod common;

use confiture_core::db::{block_on, connect};
use confiture_core::schema::{IntrospectOptions, introspect};
use confiture_core::testserver::TestServer;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench_introspect(c: &mut Criterion) {
    let server = TestServer::start().expect("start PostgreSQL");
    let mut group = c.benchmark_group("introspect");
    group.sample_size(20);
    for tables in [500usize, 2_000] {
        let db = format!("confiture_bench_introspect_{tables}_{}", std::process::id());
        let admin = block_on(connect(server.params())).expect("runtime").expect("connect");
        block_on(admin.batch(&format!("CREATE DATABASE {db}"), "create")).expect("runtime").expect("create");
        let client = block_on(connect(&server.params().with_dbname(&db))).expect("runtime").expect("connect");
        block_on(client.batch(&common::schema_sql(tables, false), "apply")).expect("runtime").expect("apply");
        group.throughput(Throughput::Elements(tables as u64));
        group.bench_with_input(BenchmarkId::new("catalog→model", tables), &client, |b, client| {
            b.iter(|| {
                block_on(introspect(client, IntrospectOptions::default())).expect("runtime").expect("introspect")
            });
        });
        block_on(client.close()).expect("runtime");
        block_on(admin.batch(&format!("DROP DATABASE {db}"), "drop")).expect("runtime").expect("drop");
    }
    group.finish();
}

criterion_group!(benches, bench_introspect);
criterion_main!(benches);
