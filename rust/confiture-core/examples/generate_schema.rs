//! Writes the generated schema of the diff benches as two DDL files: `generate_schema DIR TABLES`
//! gives `DIR/before.sql` and `DIR/after.sql` (the changed copy, see `benches/common`). Used by
//! `benches/e2e_diff.sh`.

#![allow(clippy::print_stderr, reason = "a command-line tool")]

#[path = "../../../benches/common/mod.rs"]
mod common;

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(tables)) = (args.next(), args.next().and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: generate_schema DIR TABLES");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create the output directory");
    std::fs::write(dir.join("before.sql"), common::schema_sql(tables, false)).expect("write before.sql");
    std::fs::write(dir.join("after.sql"), common::schema_sql(tables, true)).expect("write after.sql");
}
