//! In-process timings of the schema model and diff on the generated schema of the diff benches
//! (`benches/common`): `diff_timings TABLES [RUNS] [DATABASE_URL]`. Prints the median and the
//! minimum of RUNS runs (default 11) of: DDL → model (split, pg_query, model; one side, then both
//! sides at once as `migrate diff OLD NEW` reads them), the diff of two
//! such models (up and down plans), and — with a URL of a database holding the first schema —
//! introspection of that database. Used by `benches/e2e_diff.sh`; criterion benches
//! (`parse`, `diff`, `introspect`) measure the same paths with statistics.

#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a command-line tool")]

#[path = "../../../benches/common/allocator.rs"]
mod allocator;
#[path = "../../../benches/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use confiture_core::db::{block_on, connect_url};
use confiture_core::diff;
use confiture_core::schema::{IntrospectOptions, ParseOptions, introspect, parse_sql};

/// CPU time of every thread of this process so far (Linux: `/proc/self/task/*/schedstat`). On a
/// shared machine wall times move with other work; CPU time says how much work a step is.
fn cpu_time() -> Duration {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        total += stat.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
    }
    Duration::from_nanos(total)
}

struct Timing {
    median: Duration,
    min: Duration,
    cpu: Duration,
}

fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Timing, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    let cpu_before = cpu_time();
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f());
        times.push(started.elapsed());
    }
    let cpu = (cpu_time().saturating_sub(cpu_before)) / u32::try_from(runs).unwrap_or(u32::MAX);
    times.sort();
    (Timing { median: times[times.len() / 2], min: times[0], cpu }, last.expect("at least one run"))
}

fn report(what: &str, t: &Timing) {
    println!("{what:<32} median {:>7.1} ms   min {:>7.1} ms   cpu/run {:>7.1} ms", ms(t.median), ms(t.min), ms(t.cpu));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(tables) = args.next().and_then(|n| n.parse::<usize>().ok()) else {
        eprintln!("usage: diff_timings TABLES [RUNS] [DATABASE_URL]");
        std::process::exit(2);
    };
    let runs = args.next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(11).max(1);
    let url = args.next();

    let (a_sql, b_sql) = (common::schema_sql(tables, false), common::schema_sql(tables, true));
    let parse = |name: &str, sql: &str| parse_sql(name, sql, ParseOptions::default()).expect("parse").catalog;
    let (t, a) = timed(runs, || parse("a.sql", &a_sql));
    let b = parse("b.sql", &b_sql);
    let counts: Vec<String> = a.counts().into_iter().map(|(k, n)| format!("{n} {}", k.kind_name())).collect();
    println!("schema: {tables} tables, {} bytes of DDL: {}", a_sql.len(), counts.join(", "));
    report("parse + model", &t);
    // What `confiture migrate diff OLD NEW` does: both sides at once.
    let (t, _) = timed(runs, || rayon::join(|| parse("a.sql", &a_sql), || parse("b.sql", &b_sql)));
    report("parse two sides at once", &t);
    let (t, d) = timed(runs, || diff::diff(&a, &b).expect("diff"));
    report(&format!("diff (up {} + down {} steps)", d.up.len(), d.down.len()), &t);
    let (t, _) = timed(runs, || diff::diff(&a, &a).expect("diff"));
    report("diff of identical models", &t);
    if let Some(url) = url {
        let client = block_on(connect_url(&url)).expect("runtime").expect("connect");
        let (t, online) = timed(runs, || {
            block_on(introspect(&client, IntrospectOptions::default())).expect("runtime").expect("introspect")
        });
        report("introspect (client side cpu)", &t);
        let same = diff::plan(&online, &a).expect("diff").1.is_empty();
        println!("introspected model equals the parsed one: {same}");
    }
}
