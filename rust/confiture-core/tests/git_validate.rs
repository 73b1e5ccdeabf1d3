//! `migrate validate`'s git-aware checks on real repositories built with git2: commits,
//! branches, staged and unstaged edits, renames, deletions, merges, detached HEAD, missing or
//! shallow base refs.

#![allow(clippy::unwrap_used, reason = "integration tests fail loudly")]

use std::path::Path;

use confiture_core::git::{Compared, GitError, ValidateOptions, ValidateReport, validate};
use git2::{IndexAddOption, Oid, Repository, RepositoryInitOptions, Signature};

const USERS: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text NOT NULL\n);\n";
const USERS_EMAIL: &str =
    "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text NOT NULL,\n    email text\n);\n";
const POSTS: &str = "CREATE TABLE posts (\n    id bigint PRIMARY KEY,\n    user_id bigint REFERENCES users (id)\n);\n";
const ADD_EMAIL: &str = "ALTER TABLE users ADD COLUMN email text;\n";

struct TestRepo {
    dir: tempfile::TempDir,
    repo: Repository,
}

impl TestRepo {
    /// A repository whose `main` has users + posts and migration 001.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(dir.path(), &opts).unwrap();
        let t = Self { dir, repo };
        t.write("db/schema/10_users.sql", USERS);
        t.write("db/schema/20_posts.sql", POSTS);
        t.write("db/migrations/001_initial.up.sql", &format!("{USERS}{POSTS}"));
        t.write("db/migrations/001_initial.down.sql", "DROP TABLE posts;\nDROP TABLE users;\n");
        t.commit("initial");
        t
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path().join(rel)).unwrap();
    }

    fn stage(&self, paths: &[&str]) {
        let mut index = self.repo.index().unwrap();
        for p in paths {
            if self.path().join(p).exists() {
                index.add_path(Path::new(p)).unwrap();
            } else {
                index.remove_path(Path::new(p)).unwrap();
            }
        }
        index.write().unwrap();
    }

    fn stage_all(&self) {
        let mut index = self.repo.index().unwrap();
        index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
    }

    fn commit_with_parents(&self, message: &str, parents: &[Oid]) -> Oid {
        self.stage_all();
        let mut index = self.repo.index().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::now("Test", "test@example.com").unwrap();
        let parents: Vec<git2::Commit> = parents.iter().map(|p| self.repo.find_commit(*p).unwrap()).collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        self.repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &refs).unwrap()
    }

    fn commit(&self, message: &str) -> Oid {
        let parents: Vec<Oid> = self.head().into_iter().collect();
        self.commit_with_parents(message, &parents)
    }

    fn head(&self) -> Option<Oid> {
        self.repo.head().ok().and_then(|h| h.target())
    }

    /// Creates `name` at HEAD and switches to it.
    fn branch(&self, name: &str) {
        let head = self.repo.find_commit(self.head().unwrap()).unwrap();
        self.repo.branch(name, &head, false).unwrap();
        self.switch(name);
    }

    fn switch(&self, name: &str) {
        self.repo.set_head(&format!("refs/heads/{name}")).unwrap();
        self.repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force())).unwrap();
    }

    fn check(&self, staged: bool, base_ref: Option<&str>) -> ValidateReport {
        self.try_check(staged, base_ref).unwrap()
    }

    fn try_check(&self, staged: bool, base_ref: Option<&str>) -> Result<ValidateReport, confiture_core::Error> {
        validate(&ValidateOptions {
            project_dir: self.path().to_path_buf(),
            base_ref: base_ref.map(str::to_string),
            compared: if staged { Compared::Index } else { Compared::Worktree },
            require_migration: true,
            check_drift: true,
            ..ValidateOptions::default()
        })
    }
}

/// (kind, object, file, line) of each violation.
type Found = (String, Option<String>, Option<String>, Option<usize>);

fn kinds(r: &ValidateReport) -> Vec<Found> {
    r.violations.iter().map(|v| (v.kind.clone(), v.object.clone(), v.file.clone(), v.line)).collect()
}

#[test]
fn clean_branch_and_accompanied_change() {
    let t = TestRepo::new();
    t.branch("feature");
    let r = t.check(false, None);
    assert_eq!(r.status, "ok", "{r:?}");
    assert_eq!(r.base_ref.as_deref(), Some("main"));
    assert!(r.notes.iter().any(|n| n.contains("origin/main not found")), "{:?}", r.notes);
    assert_eq!(r.checks, vec!["naming", "require_migration", "drift"]);

    t.write("db/schema/10_users.sql", USERS_EMAIL);
    t.write("db/migrations/002_email.up.sql", ADD_EMAIL);
    t.write("db/migrations/002_email.down.sql", "ALTER TABLE users DROP COLUMN email;\n");
    let r = t.check(false, None);
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert_eq!(r.changed_schema_files, vec!["db/schema/10_users.sql"]);
    assert_eq!(r.changed_migrations, vec!["db/migrations/002_email.up.sql"]);
}

#[test]
fn ddl_change_without_migration() {
    let t = TestRepo::new();
    t.branch("feature");
    t.write("db/schema/10_users.sql", USERS_EMAIL);
    let r = t.check(false, Some("main"));
    assert_eq!(r.status, "issues_found");
    assert!(r.notes.iter().all(|n| !n.contains("origin/main")), "an explicit ref needs no fallback: {:?}", r.notes);
    let k = kinds(&r);
    assert!(k.contains(&("missing_migration".into(), None, Some("db/schema/10_users.sql".into()), None)), "{k:?}");
    assert!(
        k.contains(&(
            "ddl_without_migration".into(),
            Some("users.email".into()),
            Some("db/schema/10_users.sql".into()),
            Some(4)
        )),
        "{k:?}"
    );
    let v = r.violations.iter().find(|v| v.kind == "ddl_without_migration").unwrap();
    assert!(v.message.starts_with("DDL changed but no migration does this: ADD COLUMN users.email"), "{}", v.message);
}

#[test]
fn migration_without_ddl_and_mismatch() {
    let t = TestRepo::new();
    t.branch("feature");
    t.write("db/migrations/002_email.up.sql", "\n\n".to_string().as_str());
    t.write("db/migrations/002_email.up.sql", &format!("-- adds email\n\n{ADD_EMAIL}"));
    t.write("db/migrations/002_email.down.sql", "ALTER TABLE users DROP COLUMN email;\n");
    let r = t.check(false, None);
    let v: Vec<_> = r.violations.iter().filter(|v| v.check == "drift").collect();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].kind, "migration_without_ddl");
    assert_eq!(v[0].object.as_deref(), Some("users.email"));
    assert_eq!(v[0].file.as_deref(), Some("db/migrations/002_email.up.sql"));
    assert_eq!(v[0].line, Some(3));
    assert!(
        v[0].message.contains("migration does this but DDL doesn't say so: ADD COLUMN users.email"),
        "{}",
        v[0].message
    );
    assert!(r.violations.iter().all(|v| v.kind != "missing_migration"), "a migration was added");

    // The DDL says email is varchar(100); the migration made it text.
    t.write(
        "db/schema/10_users.sql",
        "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text NOT NULL,\n    email varchar(100)\n);\n",
    );
    let r = t.check(false, None);
    let v: Vec<_> = r.violations.iter().filter(|v| v.check == "drift").collect();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].kind, "ddl_migration_mismatch");
    assert_eq!(v[0].file.as_deref(), Some("db/schema/10_users.sql"));
}

#[test]
fn staged_and_unstaged_edits() {
    let t = TestRepo::new();
    t.branch("feature");
    t.write("db/schema/10_users.sql", USERS_EMAIL);
    t.write("db/migrations/002_email.up.sql", ADD_EMAIL);
    t.write("db/migrations/002_email.down.sql", "ALTER TABLE users DROP COLUMN email;\n");
    t.stage(&["db/schema/10_users.sql", "db/migrations/002_email.up.sql", "db/migrations/002_email.down.sql"]);
    // Not staged: a new column that no migration adds.
    t.write(
        "db/schema/10_users.sql",
        "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text NOT NULL,\n    email text,\n    age int\n);\n",
    );
    let staged = t.check(true, None);
    assert!(staged.violations.is_empty(), "{:?}", staged.violations);
    assert_eq!(staged.compared.as_deref(), Some("index"));
    let worktree = t.check(false, None);
    let k = kinds(&worktree);
    assert_eq!(
        k,
        vec![(
            "ddl_without_migration".into(),
            Some("users.age".into()),
            Some("db/schema/10_users.sql".into()),
            Some(5)
        )]
    );

    // Staged without its migration; the migration only exists on disk.
    let t = TestRepo::new();
    t.branch("feature");
    t.write("db/schema/10_users.sql", USERS_EMAIL);
    t.stage(&["db/schema/10_users.sql"]);
    t.write("db/migrations/002_email.up.sql", ADD_EMAIL);
    t.write("db/migrations/002_email.down.sql", "ALTER TABLE users DROP COLUMN email;\n");
    assert!(t.check(false, None).violations.is_empty());
    let staged = t.check(true, None);
    let k: Vec<String> = staged.violations.iter().map(|v| v.kind.clone()).collect();
    assert_eq!(k, vec!["missing_migration", "ddl_without_migration"], "{:?}", staged.violations);
}

#[test]
fn renamed_and_deleted_files() {
    let t = TestRepo::new();
    t.branch("feature");
    // A pure rename keeps the model: no migration needed.
    std::fs::rename(t.path().join("db/schema/20_posts.sql"), t.path().join("db/schema/30_posts.sql")).unwrap();
    t.commit("rename");
    let r = t.check(false, None);
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert_eq!(r.changed_schema_files, vec!["db/schema/30_posts.sql"]);

    // Deleting a table's file without a migration: the DDL drops it.
    t.remove("db/schema/30_posts.sql");
    t.commit("drop posts");
    let r = t.check(false, None);
    let k = kinds(&r);
    assert!(k.contains(&("missing_migration".into(), None, Some("db/schema/20_posts.sql".into()), None)), "{k:?}");
    let drop = r.violations.iter().find(|v| v.kind == "ddl_without_migration").unwrap();
    assert_eq!(drop.object.as_deref(), Some("posts"));
    assert_eq!((drop.file.as_deref(), drop.line), (Some("db/schema/20_posts.sql"), Some(1)));
    assert!(drop.message.contains("DROP TABLE posts") && drop.message.contains("defined at main"), "{}", drop.message);

    t.write("db/migrations/002_drop_posts.up.sql", "DROP TABLE posts;\n");
    t.write("db/migrations/002_drop_posts.down.sql", POSTS);
    assert!(t.check(false, None).violations.is_empty());
}

#[test]
fn merge_commits_and_a_moving_base() {
    let t = TestRepo::new();
    t.branch("feature");
    t.write("db/schema/10_users.sql", USERS_EMAIL);
    t.write("db/migrations/002_email.up.sql", ADD_EMAIL);
    t.write("db/migrations/002_email.down.sql", "ALTER TABLE users DROP COLUMN email;\n");
    let feature = t.commit("email");

    // Meanwhile main gets a table of its own.
    t.switch("main");
    t.write("db/schema/30_tags.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n");
    t.write("db/migrations/003_tags.up.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n");
    t.write("db/migrations/003_tags.down.sql", "DROP TABLE tags;\n");
    let main = t.commit("tags");

    // Not merged yet: main's own change is not the branch's drift (merge base).
    t.switch("feature");
    let r = t.check(false, None);
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert_eq!(r.base_commit.as_deref(), Some(t.repo.merge_base(feature, main).unwrap().to_string().as_str()));

    // Merged: main's work is in; the base is main itself.
    t.write("db/schema/30_tags.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n");
    t.write("db/migrations/003_tags.up.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n");
    t.write("db/migrations/003_tags.down.sql", "DROP TABLE tags;\n");
    t.commit_with_parents("merge main", &[feature, main]);
    let r = t.check(false, None);
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert_eq!(r.base_commit.as_deref(), Some(main.to_string().as_str()));
    assert_eq!(r.changed_migrations, vec!["db/migrations/002_email.up.sql"]);

    // Detached HEAD at the merge: same answer.
    let merge = t.head().unwrap();
    t.repo.set_head_detached(merge).unwrap();
    let r = t.check(false, None);
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    t.write("db/schema/30_tags.sql", "CREATE TABLE tags (id bigint PRIMARY KEY, label text);\n");
    let r = t.check(false, None);
    assert_eq!(kinds(&r).iter().filter(|k| k.0 == "ddl_without_migration").count(), 1, "{:?}", r.violations);
}

#[test]
fn remote_tracking_base_and_errors() {
    let t = TestRepo::new();
    let first = t.head().unwrap();
    t.branch("feature");
    t.repo.reference("refs/remotes/origin/main", first, true, "test").unwrap();
    let r = t.check(false, None);
    assert_eq!(r.base_ref.as_deref(), Some("origin/main"));
    assert!(r.notes.is_empty(), "{:?}", r.notes);

    let e = t.try_check(false, Some("nope")).unwrap_err();
    assert!(matches!(e, confiture_core::Error::Git(GitError::UnknownRef { .. })), "{e}");
    assert!(e.to_string().contains("base ref nope not found"), "{e}");

    // No origin/main and no main.
    let t = TestRepo::new();
    t.branch("trunk");
    t.repo.find_branch("main", git2::BranchType::Local).unwrap().delete().unwrap();
    let e = t.try_check(false, None).unwrap_err().to_string();
    assert!(e.contains("base ref origin/main not found (nor main)") && e.contains("git fetch origin main"), "{e}");

    // A shallow clone: the history is cut, so the base cannot be found.
    std::fs::write(t.path().join(".git/shallow"), format!("{}\n", t.head().unwrap())).unwrap();
    let e = t.try_check(false, Some("origin/main")).unwrap_err().to_string();
    assert!(e.contains("shallow clone") && e.contains("fetch-depth: 0"), "{e}");

    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("db/migrations")).unwrap();
    let e = validate(&ValidateOptions {
        project_dir: outside.path().to_path_buf(),
        check_drift: true,
        ..ValidateOptions::default()
    })
    .unwrap_err();
    assert!(matches!(e, confiture_core::Error::Git(GitError::NotARepository { .. })), "{e}");
}

#[test]
fn shallow_history_without_merge_base() {
    let t = TestRepo::new();
    t.branch("feature");
    t.write("db/schema/10_users.sql", USERS_EMAIL);
    let c1 = t.commit("one");
    t.write("db/migrations/002_email.up.sql", ADD_EMAIL);
    t.commit("two");
    // main moves on; the clone only has feature's last commit.
    t.switch("main");
    t.write("db/schema/30_tags.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n");
    t.commit("tags");
    t.switch("feature");
    std::fs::write(t.path().join(".git/shallow"), format!("{}\n", c1)).unwrap();
    let e = t.try_check(false, None).unwrap_err().to_string();
    assert!(e.contains("share no history") && e.contains("shallow clone"), "{e}");
}

#[test]
fn naming_problems_in_the_same_run_and_subdirectory_runs() {
    let t = TestRepo::new();
    t.branch("feature");
    t.write("db/migrations/002_orphan.sql", "SELECT 1;\n");
    let r = t.check(false, None);
    let k: Vec<(&str, Option<&str>)> = r.violations.iter().map(|v| (v.kind.as_str(), v.file.as_deref())).collect();
    assert_eq!(k, vec![("orphan", Some("db/migrations/002_orphan.sql"))]);

    // Run from a sub-directory: paths are relative to it.
    let t = TestRepo::new();
    std::fs::rename(t.path().join("db"), t.path().join("sub")).unwrap();
    std::fs::create_dir_all(t.path().join("app")).unwrap();
    std::fs::rename(t.path().join("sub"), t.path().join("app/db")).unwrap();
    t.commit("move into app/");
    t.branch("feature");
    t.write("app/db/schema/10_users.sql", USERS_EMAIL);
    let r = validate(&ValidateOptions {
        project_dir: t.path().join("app"),
        require_migration: true,
        check_drift: true,
        ..ValidateOptions::default()
    })
    .unwrap();
    let k = kinds(&r);
    assert!(
        k.contains(&(
            "ddl_without_migration".into(),
            Some("users.email".into()),
            Some("db/schema/10_users.sql".into()),
            Some(4)
        )),
        "{k:?}"
    );
}

#[test]
fn unparsable_ddl_is_a_violation_with_its_line() {
    let t = TestRepo::new();
    t.branch("feature");
    t.write(
        "db/schema/10_users.sql",
        "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text NOT NULL,,\n);\n",
    );
    t.write("db/migrations/002_x.up.sql", "SELECT 1;\n");
    t.write("db/migrations/002_x.down.sql", "SELECT 1;\n");
    let r = t.check(false, None);
    let k = kinds(&r);
    assert_eq!(k.len(), 1, "{k:?}");
    assert_eq!(k[0].0, "invalid_sql");
    assert_eq!(k[0].2.as_deref(), Some("db/schema/10_users.sql"));
    assert!(k[0].3.is_some());
}

#[path = "../../../benches/common/mod.rs"]
mod common;
#[path = "../../../benches/common/git_repo.rs"]
mod git_repo;

/// The bench's repository (smaller): clean with the migration, flagged without it.
#[test]
fn bench_repository_is_what_the_bench_claims() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git_repo::generate_repo(dir.path(), 30, 12);
    let options = |compared| ValidateOptions {
        project_dir: dir.path().to_path_buf(),
        compared,
        require_migration: true,
        check_drift: true,
        ..ValidateOptions::default()
    };
    let r = validate(&options(Compared::Index)).unwrap();
    assert!(r.violations.is_empty() && r.changed_schema_files.is_empty(), "{r:?}");
    assert_eq!(r.base_ref.as_deref(), Some("origin/main"));
    git_repo::change_one(&repo, 30, 12, false);
    let r = validate(&options(Compared::Index)).unwrap();
    let k: Vec<&str> = r.violations.iter().map(|v| v.kind.as_str()).collect();
    assert_eq!(k, vec!["missing_migration", "ddl_without_migration"]);
    git_repo::change_one(&repo, 30, 12, true);
    for compared in [Compared::Index, Compared::Worktree] {
        let r = validate(&options(compared)).unwrap();
        assert!(r.violations.is_empty(), "{:?}", r.violations);
        assert_eq!(r.changed_schema_files, vec!["db/schema/10_tables/000/t_00029.sql"]);
        assert_eq!(r.changed_migrations, vec!["db/migrations/013_archived_at.up.sql"]);
    }
}

/// `--env`: the environment's directories, also when the project is reached through a symlink.
#[test]
fn environment_directories_through_a_symlink() {
    let t = TestRepo::new();
    t.write("db/environments/ci.yaml", "database_url: postgresql:///unused\ninclude_dirs:\n  - db/ddl\n");
    t.write("db/ddl/users.sql", USERS);
    t.commit("ddl elsewhere");
    t.branch("feature");
    t.write("db/ddl/users.sql", USERS_EMAIL);
    let links = tempfile::tempdir().unwrap();
    let link = links.path().join("project");
    std::os::unix::fs::symlink(t.path(), &link).unwrap();
    let r = validate(&ValidateOptions {
        project_dir: link,
        env: Some("ci".into()),
        require_migration: true,
        check_drift: true,
        ..ValidateOptions::default()
    })
    .unwrap();
    let k = kinds(&r);
    assert_eq!(
        k,
        vec![
            ("missing_migration".into(), None, Some("db/ddl/users.sql".into()), None),
            ("ddl_without_migration".into(), Some("users.email".into()), Some("db/ddl/users.sql".into()), Some(4)),
        ]
    );
}
