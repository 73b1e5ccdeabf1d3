//! criterion: discovery + reading + hashing + assembly of a schema, for 1,000 / 5,000 / 20,000 files.
//! Run: `cargo bench -p confiture-core --bench build`. Inputs come from `common::generate_project`,
//! which `tests/synthetic_projects.rs` also builds into a real database.

#[path = "common/allocator.rs"]
mod allocator;
#[path = "common/mod.rs"]
mod common;

use std::path::Path;

use confiture_core::build;
use confiture_core::config::Environment;
use confiture_core::project::{DiscoverOptions, discover, hash_files, read_texts};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn environment(root: &Path) -> Environment {
    Environment::load("local", root, &|_| None).expect("load env").environment
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(20);
    for files in [1_000usize, 5_000, 20_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        common::generate_project(dir.path(), files);
        let env = environment(dir.path());
        let bytes: u64 = discover(&env, DiscoverOptions::default())
            .expect("discover")
            .files
            .iter()
            .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
            .sum();
        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(BenchmarkId::new("discover", files), &env, |b, env| {
            b.iter(|| discover(env, DiscoverOptions::default()).expect("discover"));
        });
        let discovery = discover(&env, DiscoverOptions::default()).expect("discover");
        group.bench_with_input(BenchmarkId::new("read+hash", files), &discovery, |b, d| {
            b.iter(|| {
                let texts = read_texts(&d.files).expect("read");
                hash_files(&d.files, &texts)
            });
        });
        group.bench_with_input(BenchmarkId::new("discover+read+hash+assemble", files), &env, |b, env| {
            b.iter(|| {
                let built = build::load(env, DiscoverOptions::default()).expect("load");
                built.render("2026-01-01T00:00:00")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_build);
criterion_main!(benches);
