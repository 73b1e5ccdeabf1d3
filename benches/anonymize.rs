//! criterion: every anonymization strategy on 10,000 realistic values (one thread, one value at a
//! time, as the sync's batches run them). Run: `cargo bench -p confiture-core --bench anonymize`.
//! Inputs come from `common/anonymize_inputs.rs`, which `tests/anonymize_inputs.rs` also runs.

#[path = "common/allocator.rs"]
mod allocator;
#[path = "common/anonymize_inputs.rs"]
mod inputs;

use confiture_core::anonymize::{AnonymizationKey, Anonymizer};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench_strategies(c: &mut Criterion) {
    let key = AnonymizationKey::new("bench", b"bench-key-0123456789abcdef").expect("key");
    let mut group = c.benchmark_group("anonymize");
    group.sample_size(20);
    for (name, config, values) in inputs::cases(10_000) {
        let config = config.as_object().cloned().unwrap_or_default();
        let a = Anonymizer::new(name, &config, &key, name, false, &|_| None).expect("strategy");
        group.throughput(Throughput::Elements(values.len() as u64));
        group.bench_with_input(BenchmarkId::new(name, values.len()), &values, |b, values| {
            b.iter(|| {
                for v in values {
                    std::hint::black_box(a.apply(v, 0).expect("anonymize"));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_strategies);
criterion_main!(benches);
