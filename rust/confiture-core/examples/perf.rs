#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
#[path = "../../../benches/common/mod.rs"]
mod common;
use confiture_core::schema::*;
use std::time::Instant;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let a_sql = common::schema_sql(n, false);
    let b_sql = common::schema_sql(n, true);
    println!("bytes {}", a_sql.len());
    let t = Instant::now();
    let a = parse_sql("a", &a_sql, ParseOptions::default()).unwrap().catalog;
    println!("parse+model: {:?}", t.elapsed());
    println!(
        "deparse {}ms json {}ms key {}ms",
        T1.load(std::sync::atomic::Ordering::Relaxed) / 1000000,
        T2.load(std::sync::atomic::Ordering::Relaxed) / 1000000,
        T3.load(std::sync::atomic::Ordering::Relaxed) / 1000000
    );
    let b = parse_sql("b", &b_sql, ParseOptions::default()).unwrap().catalog;
    println!("counts {:?}", a.counts());
    let t = Instant::now();
    let d = confiture_core::diff::diff(&a, &b).unwrap();
    println!("diff: {:?} ({} up steps)", t.elapsed(), d.up.len());
    if let Some(url) = std::env::args().nth(2) {
        let c = confiture_core::db::block_on(confiture_core::db::connect_url(&url)).unwrap().unwrap();
        for _ in 0..3 {
            let t = Instant::now();
            let cat = confiture_core::db::block_on(introspect(&c, IntrospectOptions::default())).unwrap().unwrap();
            println!("introspect: {:?} eq={}", t.elapsed(), cat == a);
        }
    }
}
