//! Writes a synthetic project for benchmarks: `generate_project DIR TABLES`.
//! The same generator feeds the criterion bench and `tests/synthetic_projects.rs`.

#![allow(clippy::print_stderr, reason = "a command-line tool")]

#[path = "../../../benches/common/mod.rs"]
mod common;

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(tables)) = (args.next(), args.next().and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: generate_project DIR TABLES");
        std::process::exit(2);
    };
    common::generate_project(&PathBuf::from(dir), tables);
}
