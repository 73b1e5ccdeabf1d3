//! The criterion bench's inputs: every strategy anonymizes every one of them, deterministically,
//! and (where it should) changes it.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

#[path = "../../../benches/common/anonymize_inputs.rs"]
mod inputs;

use confiture_core::anonymize::{AnonymizationKey, Anonymizer, STRATEGY_NAMES};

#[test]
fn every_strategy_handles_its_bench_inputs() {
    let key = AnonymizationKey::new("test", b"bench-key-0123456789abcdef").unwrap();
    let cases = inputs::cases(500);
    let mut covered: Vec<&str> = cases.iter().map(|(n, _, _)| *n).collect();
    covered.sort_unstable();
    assert_eq!(covered, STRATEGY_NAMES, "the bench covers every strategy");
    for (name, config, values) in cases {
        let config = config.as_object().cloned().unwrap_or_default();
        let a = Anonymizer::new(name, &config, &key, name, false, &|_| None).unwrap();
        let mut changed = 0;
        for v in &values {
            let out = a.apply(v, 0).unwrap();
            assert_eq!(out, a.apply(v, 0).unwrap(), "{name} is deterministic");
            if out.as_deref() != Some(v.as_str()) {
                changed += 1;
            }
        }
        if name != "preserve" {
            assert_eq!(changed, values.len(), "{name} changes every value");
        }
    }
}
