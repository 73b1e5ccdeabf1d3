//! Realistic inputs for every anonymization strategy (and its config), shared by the criterion
//! bench `benches/anonymize.rs` and the test `tests/anonymize_inputs.rs`, so the bench never
//! times a strategy that fails on its inputs.

#![allow(dead_code, reason = "shared between the bench and a test")]

use serde_json::{Value, json};

/// (strategy, config, inputs).
pub fn cases(n: usize) -> Vec<(&'static str, Value, Vec<String>)> {
    let emails = (0..n).map(|i| format!("First.Last{i}@Example{}.com", i % 97)).collect();
    let names = (0..n).map(|i| format!("Firstname{i} Lastname{}", i % 1013)).collect();
    let phones = (0..n).map(|i| format!("+1 (212) 555-{:04}", i % 10_000)).collect();
    let texts = (0..n)
        .map(|i| {
            format!("Customer {i} wrote from jane{i}@mail.example, call +1 212 555 {:04} about order {i}", i % 10_000)
        })
        .collect();
    let dates = (0..n)
        .map(|i| format!("{}-{:02}-{:02} 10:{:02}:00+00", 1950 + i % 70, 1 + i % 12, 1 + i % 28, i % 60))
        .collect();
    let addresses = (0..n).map(|i| format!("{i} Main Street, Springfield, IL {:05}, USA", i % 100_000)).collect();
    let cards =
        (0..n).map(|i| if i % 2 == 0 { "4111 1111 1111 1111".into() } else { "5500-0000-0000-0004".into() }).collect();
    let ips = (0..n).map(|i| format!("10.{}.{}.{}", i % 256, (i / 256) % 256, i % 251)).collect();
    let ids = (0..n).map(|i| format!("customer-{i:08}")).collect::<Vec<String>>();
    vec![
        ("email", json!({}), emails),
        ("phone", json!({}), phones),
        ("name", json!({}), names),
        ("hash", json!({"length": 16}), ids.clone()),
        ("salted_hashing", json!({"salt": "pepper"}), ids.clone()),
        ("tokenization", json!({}), ids.clone()),
        ("redact", json!({}), ids.clone()),
        ("masking_retention", json!({"preserve_end_chars": 4}), ids.clone()),
        ("text_redaction", json!({"patterns": ["email", "phone"]}), texts),
        ("date", json!({}), dates),
        ("address", json!({}), addresses),
        ("credit_card", json!({}), cards),
        ("ip_address", json!({}), ips),
        ("faker", json!({"kind": "name"}), ids.clone()),
        ("constant", json!({"value": "n/a"}), ids.clone()),
        ("null", json!({}), ids.clone()),
        ("preserve", json!({}), ids),
    ]
}
