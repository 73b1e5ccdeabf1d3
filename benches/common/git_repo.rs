//! A synthetic git repository for the `migrate validate` benchmarks (and the test that checks
//! them): the project of `common::generate_project` (`tables` table files) and `migrations`
//! migrations committed on `main` (also `origin/main`), then a branch `feature` where one table
//! gains a column and a migration adds it, both staged.

#![allow(dead_code, reason = "shared between the bench, an example and a test")]

use std::path::Path;

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature};

pub fn generate_repo(root: &Path, tables: usize, migrations: usize) -> Repository {
    crate::common::generate_project(root, tables);
    let dir = root.join("db/migrations");
    std::fs::create_dir_all(&dir).expect("create migrations dir");
    for m in 1..=migrations {
        let t = (m * 7) % tables.max(1);
        std::fs::write(
            dir.join(format!("{m:03}_comment_t_{t:05}.up.sql")),
            format!("COMMENT ON TABLE app.t_{t:05} IS 'Benchmark table {t}';\n"),
        )
        .expect("write up");
        std::fs::write(
            dir.join(format!("{m:03}_comment_t_{t:05}.down.sql")),
            format!("COMMENT ON TABLE app.t_{t:05} IS NULL;\n"),
        )
        .expect("write down");
    }
    let mut opts = RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(root, &opts).expect("init");
    let main = {
        let mut index = repo.index().expect("index");
        index.add_all(["*"], IndexAddOption::DEFAULT, None).expect("add");
        index.write().expect("write index");
        let tree = repo.find_tree(index.write_tree().expect("tree")).expect("find tree");
        let sig = Signature::now("Bench", "bench@example.com").expect("signature");
        repo.commit(Some("HEAD"), &sig, &sig, "schema and migrations", &tree, &[]).expect("commit")
    };
    repo.reference("refs/remotes/origin/main", main, true, "bench").expect("origin/main");
    let commit = repo.find_commit(main).expect("main commit");
    repo.branch("feature", &commit, false).expect("branch");
    repo.set_head("refs/heads/feature").expect("switch");
    drop(commit);
    repo
}

/// On `feature`: table 1,000 (or the last) gains a column, and migration `migrations + 1` adds
/// it; with `with_migration = false`, only the table changes. Both are staged.
pub fn change_one(repo: &Repository, tables: usize, migrations: usize, with_migration: bool) {
    let root = repo.workdir().expect("workdir").to_path_buf();
    let i = 1_000.min(tables - 1);
    let rel = format!("db/schema/10_tables/{:03}/t_{i:05}.sql", i / 100);
    let ddl = crate::common::table_ddl(i).replacen(
        "    updated_at timestamptz",
        "    updated_at timestamptz,\n    archived_at timestamptz",
        1,
    );
    std::fs::write(root.join(&rel), ddl).expect("write table");
    let mut paths = vec![rel];
    if with_migration {
        let n = migrations + 1;
        let up = format!("db/migrations/{n:03}_archived_at.up.sql");
        let down = format!("db/migrations/{n:03}_archived_at.down.sql");
        std::fs::write(root.join(&up), format!("ALTER TABLE app.t_{i:05} ADD COLUMN archived_at timestamptz;\n"))
            .expect("write up");
        std::fs::write(root.join(&down), format!("ALTER TABLE app.t_{i:05} DROP COLUMN archived_at;\n"))
            .expect("write down");
        paths.push(up);
        paths.push(down);
    }
    let mut index = repo.index().expect("index");
    for p in &paths {
        index.add_path(Path::new(p)).expect("stage");
    }
    index.write().expect("write index");
}
