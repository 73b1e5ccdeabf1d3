//! Writes the repository of the `validate` bench: `generate_git_repo DIR TABLES MIGRATIONS`
//! (`main` = `origin/main`, then `feature` with one table changed and its migration, staged).

#![allow(clippy::print_stderr, reason = "a command-line tool")]

#[path = "../../../benches/common/mod.rs"]
mod common;
#[path = "../../../benches/common/git_repo.rs"]
mod git_repo;

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = (args.first(), args.get(1).and_then(|n| n.parse().ok()), args.get(2).and_then(|n| n.parse().ok()));
    let (Some(dir), Some(tables), Some(migrations)) = parsed else {
        eprintln!("usage: generate_git_repo DIR TABLES MIGRATIONS");
        std::process::exit(2);
    };
    let repo = git_repo::generate_repo(&PathBuf::from(dir), tables, migrations);
    git_repo::change_one(&repo, tables, migrations, true);
}
