//! criterion: `migrate validate`'s git-aware checks on a repository of 2,000 table files and 300
//! migrations where, on a branch, one table gained a column and a migration adds it (staged):
//! `--staged --require-migration` (blob ids only), the pre-commit hook's
//! `--staged --check-drift --require-migration`, and `--check-drift` of the working tree against
//! `origin/main`. Run: `cargo bench -p confiture-core --bench validate`.

#[path = "common/allocator.rs"]
mod allocator;
#[path = "common/mod.rs"]
mod common;
#[path = "common/git_repo.rs"]
mod git_repo;

use confiture_core::git::{Compared, ValidateOptions, validate};
use criterion::{Criterion, criterion_group, criterion_main};

const TABLES: usize = 2_000;
const MIGRATIONS: usize = 300;

fn bench_validate(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = git_repo::generate_repo(dir.path(), TABLES, MIGRATIONS);
    git_repo::change_one(&repo, TABLES, MIGRATIONS, true);
    let options = |compared, require_migration, check_drift| ValidateOptions {
        project_dir: dir.path().to_path_buf(),
        compared,
        require_migration,
        check_drift,
        ..ValidateOptions::default()
    };
    let mut group = c.benchmark_group("validate");
    group.sample_size(10);
    let staged = options(Compared::Index, true, false);
    group.bench_function("staged require-migration", |b| {
        b.iter(|| assert!(validate(&staged).expect("validate").violations.is_empty()));
    });
    let hook = options(Compared::Index, true, true);
    group.bench_function("staged drift+require-migration (hook)", |b| {
        b.iter(|| assert!(validate(&hook).expect("validate").violations.is_empty()));
    });
    let drift = options(Compared::Worktree, false, true);
    group.bench_function("worktree drift vs origin/main", |b| {
        b.iter(|| assert!(validate(&drift).expect("validate").violations.is_empty()));
    });
    group.finish();
}

criterion_group!(benches, bench_validate);
criterion_main!(benches);
