//! criterion: the diff of two models of 2,000 tables (every tenth table gains a column, every
//! twentieth view and function changes): both plans (up and down), ordered, with hazards.
//! Run: `cargo bench -p confiture-core --bench diff`.

#[path = "common/allocator.rs"]
mod allocator;
#[path = "common/mod.rs"]
mod common;

use confiture_core::diff;
use confiture_core::schema::{ParseOptions, parse_sql};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench_diff(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sample_size(20);
    for tables in [500usize, 2_000] {
        let a =
            parse_sql("a.sql", &common::schema_sql(tables, false), ParseOptions::default()).expect("parse a").catalog;
        let b =
            parse_sql("b.sql", &common::schema_sql(tables, true), ParseOptions::default()).expect("parse b").catalog;
        group.throughput(Throughput::Elements(tables as u64));
        group.bench_with_input(BenchmarkId::new("up+down", tables), &(a.clone(), b.clone()), |bench, (a, b)| {
            bench.iter(|| diff::diff(a, b).expect("diff"));
        });
        group.bench_with_input(BenchmarkId::new("identical", tables), &a, |bench, a| {
            bench.iter(|| diff::diff(a, a).expect("diff"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_diff);
criterion_main!(benches);
