//! criterion: DDL → schema model (split, pg_query parse, model) for a generated schema of 2,000
//! tables (about 8,000 relations, plus 1,000 views and 500 functions).
//! Run: `cargo bench -p confiture-core --bench parse`. The same schema is built into PostgreSQL
//! and compared with its introspected model by `tests/schema.rs`.

#[path = "common/allocator.rs"]
mod allocator;
#[path = "common/mod.rs"]
mod common;

use confiture_core::schema::{ParseOptions, parse_sql};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(20);
    for tables in [500usize, 2_000] {
        let sql = common::schema_sql(tables, false);
        group.throughput(Throughput::Bytes(sql.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse+model", tables), &sql, |b, sql| {
            b.iter(|| parse_sql("bench.sql", sql, ParseOptions::default()).expect("parse"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
