"""``confiture migrate validate`` with its git-aware checks, end to end on real repositories:
branches, staged and unstaged edits, renames, deletions, merges, detached HEAD, clones with and
without the base ref, the pre-commit hook. The repositories are made with the ``git`` command (a
test fixture; the engine itself reads them with libgit2 and never runs git)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from confiture.cli.main import app

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git builds the test repositories")

ROOT = Path(__file__).resolve().parent.parent
USERS = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text NOT NULL\n);\n"
USERS_EMAIL = USERS.replace("NOT NULL\n", "NOT NULL,\n    email text\n")
POSTS = "CREATE TABLE posts (\n    id bigint PRIMARY KEY,\n    user_id bigint REFERENCES users (id)\n);\n"
ADD_EMAIL = "ALTER TABLE users ADD COLUMN email text;\n"
DROP_EMAIL = "ALTER TABLE users DROP COLUMN email;\n"
VIOLATION_KEYS = {"kind", "check", "object", "file", "line", "message"}


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        done = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def write(self, rel: str, text: str) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def add_email_migration(self) -> None:
        self.write("db/migrations/002_email.up.sql", ADD_EMAIL)
        self.write("db/migrations/002_email.down.sql", DROP_EMAIL)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """``main`` with users and posts and their first migration; checked out on ``feature``."""
    r = Repo(tmp_path / "repo")
    r.path.mkdir()
    r.git("init", "-q", "-b", "main")
    r.write("db/schema/10_users.sql", USERS)
    r.write("db/schema/20_posts.sql", POSTS)
    r.write("db/migrations/001_initial.up.sql", USERS + POSTS)
    r.write("db/migrations/001_initial.down.sql", "DROP TABLE posts;\nDROP TABLE users;\n")
    r.commit("initial")
    r.git("checkout", "-q", "-b", "feature")
    monkeypatch.chdir(r.path)
    return r


def validate(*args: str):
    return CliRunner().invoke(app, ["migrate", "validate", *args])


def as_json(*args: str) -> tuple[int, dict]:
    result = validate(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_schema_change_without_migration(repo: Repo) -> None:
    repo.write("db/schema/10_users.sql", USERS_EMAIL)
    result = validate("--check-drift", "--require-migration")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "🔍 Compared the worktree with main" in out
    assert "❌ Schema changed without a migration (1):" in out
    assert "• db/schema/10_users.sql: modified since main" in out
    assert "❌ Drift: DDL changed but no migration does this (1):" in out
    assert "• db/schema/10_users.sql:4: ADD COLUMN users.email" in out
    assert "origin/main not found: comparing with main" in result.stderr

    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 1
    assert list(doc)[:9] == [
        "status",
        "base_ref",
        "base_commit",
        "compared",
        "checks",
        "violations",
        "changed_schema_files",
        "changed_migrations",
        "notes",
    ]
    assert doc["status"] == "issues_found" and doc["base_ref"] == "main" and doc["compared"] == "worktree"
    assert doc["base_commit"] == repo.git("rev-parse", "main").strip()
    assert doc["checks"] == ["naming", "require_migration", "drift"]
    assert all(set(v) == VIOLATION_KEYS for v in doc["violations"])
    assert [(v["kind"], v["object"], v["file"], v["line"]) for v in doc["violations"]] == [
        ("missing_migration", None, "db/schema/10_users.sql", None),
        ("ddl_without_migration", "users.email", "db/schema/10_users.sql", 4),
    ]

    # Each check on its own.
    code, doc = as_json("--require-migration")
    assert code == 1 and [v["kind"] for v in doc["violations"]] == ["missing_migration"]
    code, doc = as_json("--check-drift")
    assert code == 1 and [v["kind"] for v in doc["violations"]] == ["ddl_without_migration"]


def test_accompanied_change_is_clean(repo: Repo) -> None:
    repo.write("db/schema/10_users.sql", USERS_EMAIL)
    repo.add_email_migration()
    result = validate("--check-drift", "--require-migration")
    assert result.exit_code == 0, result.output
    assert "✅ No problems found (naming, require migration, drift)" in result.stdout
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 0 and doc["status"] == "ok" and doc["violations"] == []
    assert doc["changed_schema_files"] == ["db/schema/10_users.sql"]
    assert doc["changed_migrations"] == ["db/migrations/002_email.up.sql"]


def test_migration_that_the_ddl_does_not_say(repo: Repo) -> None:
    repo.add_email_migration()
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 1
    (v,) = doc["violations"]
    assert v["kind"] == "migration_without_ddl" and v["object"] == "users.email"
    assert (v["file"], v["line"]) == ("db/migrations/002_email.up.sql", 1)
    assert "migration does this but DDL doesn't say so: ADD COLUMN users.email" in v["message"]


def test_staged_compares_the_index(repo: Repo) -> None:
    repo.write("db/schema/10_users.sql", USERS_EMAIL)
    repo.add_email_migration()
    repo.git("add", "db")
    # Not staged: another column without a migration.
    repo.write("db/schema/10_users.sql", USERS_EMAIL.replace("email text\n", "email text,\n    age int\n"))
    code, doc = as_json("--staged", "--check-drift", "--require-migration")
    assert code == 0, doc
    assert doc["compared"] == "index"
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 1
    assert [(v["kind"], v["object"]) for v in doc["violations"]] == [("ddl_without_migration", "users.age")]

    # Staged DDL whose migration is only on disk.
    repo.git("reset", "-q")
    repo.git("add", "db/schema")
    code, doc = as_json("--staged", "--require-migration")
    assert code == 1 and [v["kind"] for v in doc["violations"]] == ["missing_migration"]


def test_renamed_and_deleted_files(repo: Repo) -> None:
    repo.git("mv", "db/schema/20_posts.sql", "db/schema/30_posts.sql")
    repo.commit("rename")
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 0, doc
    assert doc["changed_schema_files"] == ["db/schema/30_posts.sql"]

    repo.git("rm", "-q", "db/schema/30_posts.sql")
    code, doc = as_json("--staged", "--check-drift", "--require-migration")
    assert code == 1
    drop = next(v for v in doc["violations"] if v["kind"] == "ddl_without_migration")
    assert drop["object"] == "posts" and "DROP TABLE posts" in drop["message"]
    assert (drop["file"], drop["line"]) == ("db/schema/20_posts.sql", 1)
    repo.write("db/migrations/002_drop_posts.up.sql", "DROP TABLE posts;\n")
    repo.write("db/migrations/002_drop_posts.down.sql", POSTS)
    repo.git("add", "db/migrations")
    code, doc = as_json("--staged", "--check-drift", "--require-migration")
    assert code == 0, doc


def test_merge_commit_and_detached_head(repo: Repo) -> None:
    repo.write("db/schema/10_users.sql", USERS_EMAIL)
    repo.add_email_migration()
    repo.commit("email")
    repo.git("checkout", "-q", "main")
    repo.write("db/schema/30_tags.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n")
    repo.write("db/migrations/003_tags.up.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n")
    repo.write("db/migrations/003_tags.down.sql", "DROP TABLE tags;\n")
    main = repo.commit("tags")
    repo.git("checkout", "-q", "feature")
    # main moved on: its tags are not the branch's drift (the merge base is the base).
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 0, doc
    assert doc["base_commit"] != main and any("merge base" in n for n in doc["notes"])

    repo.git("merge", "-q", "--no-edit", "main")
    assert len(repo.git("log", "-1", "--format=%P").split()) == 2
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 0, doc
    assert doc["base_commit"] == main and doc["changed_migrations"] == ["db/migrations/002_email.up.sql"]

    repo.git("checkout", "-q", "--detach", "HEAD")
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 0, doc
    repo.write("db/schema/30_tags.sql", "CREATE TABLE tags (id bigint PRIMARY KEY, label text);\n")
    code, doc = as_json("--check-drift")
    assert code == 1 and [v["object"] for v in doc["violations"]] == ["tags.label"]


def test_clone_uses_origin_main(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.git("checkout", "-q", "main")
    clone = Repo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone.path)], check=True)
    clone.git("checkout", "-q", "-b", "work")
    clone.write("db/schema/10_users.sql", USERS_EMAIL)
    monkeypatch.chdir(clone.path)
    result = validate("--check-drift", "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["base_ref"] == "origin/main" and doc["notes"] == []
    assert "origin/main not found" not in result.stderr

    # A tag or a commit id works as well.
    clone.git("tag", "v1", "origin/main")
    code, doc = as_json("--check-drift", "--base-ref", "v1")
    assert code == 1 and doc["base_ref"] == "v1"


def test_shallow_clone_without_the_base_ref(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("db/schema/10_users.sql", USERS_EMAIL)
    repo.add_email_migration()
    repo.commit("email")
    clone = tmp_path / "shallow"
    url = repo.path.as_uri()
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature", url, str(clone)], check=True)
    monkeypatch.chdir(clone)
    result = validate("--check-drift", "--require-migration")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "base ref origin/main not found (nor main)" in result.stderr
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    result = validate("--check-drift", "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["status"] == "error" and doc["kind"] == "unknown_ref" and "shallow clone" in doc["error"]


def test_repository_errors_exit_2(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = validate("--check-drift", "--base-ref", "no-such-branch")
    assert result.exit_code == 2
    assert "base ref no-such-branch not found" in result.stderr

    outside = tmp_path / "plain"
    (outside / "db" / "migrations").mkdir(parents=True)
    monkeypatch.chdir(outside)
    result = validate("--require-migration")
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr
    # Naming alone needs no repository (0.3.9's behaviour).
    assert validate().exit_code == 0


def test_naming_problems_in_the_same_run_and_fix_naming(repo: Repo) -> None:
    repo.write("db/schema/10_users.sql", USERS_EMAIL)
    repo.write("db/migrations/002_email.sql", ADD_EMAIL)
    repo.write("db/migrations/002_email.down.sql", DROP_EMAIL)
    code, doc = as_json("--check-drift", "--require-migration")
    assert code == 1
    # The orphan does not count as a migration; the change has none.
    kinds = sorted(v["kind"] for v in doc["violations"])
    assert kinds == ["ddl_without_migration", "down_without_up", "missing_migration", "orphan"]
    assert doc["orphaned_files"] == ["002_email.sql"]

    preview = validate("--check-drift", "--require-migration", "--fix-naming", "--dry-run")
    assert preview.exit_code == 1 and (repo.path / "db/migrations/002_email.sql").exists()
    code, doc = as_json("--check-drift", "--require-migration", "--fix-naming")
    assert code == 0, doc
    assert doc["status"] == "fixed" and doc["fixed"] == [["002_email.sql", "002_email.up.sql"]]
    assert (repo.path / "db/migrations/002_email.up.sql").exists()


def test_env_schema_directories_and_output_file(repo: Repo, tmp_path: Path) -> None:
    repo.write("db/environments/ci.yaml", "database_url: postgresql:///unused\ninclude_dirs:\n  - db/ddl\n")
    repo.write("db/ddl/users.sql", USERS)
    repo.commit("ddl elsewhere")
    repo.git("branch", "-f", "main", "HEAD")
    repo.write("db/ddl/users.sql", USERS_EMAIL)
    # db/schema did not change: without --env nothing is found.
    assert validate("--check-drift", "--require-migration").exit_code == 0
    report = tmp_path / "report.json"
    result = validate("--check-drift", "--env", "ci", "--format", "json", "--output", str(report))
    assert result.exit_code == 1
    assert result.stdout == ""
    doc = json.loads(report.read_text())
    assert [(v["object"], v["file"]) for v in doc["violations"]] == [("users.email", "db/ddl/users.sql")]


def test_pre_commit_hook(repo: Repo) -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    entry = next(line.split(":", 1)[1].strip() for line in hooks.splitlines() if "entry:" in line)
    assert entry == "confiture migrate validate --staged --check-drift --require-migration"
    assert "id: confiture-validate" in hooks
    # The hook as pre-commit runs it: the entry in the repository, as a process.
    confiture = Path(sys.executable).parent / "confiture"
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {confiture} {entry.removeprefix('confiture ')}\n")
    hook.chmod(0o755)

    repo.write("db/schema/10_users.sql", USERS_EMAIL)
    repo.git("add", "db")
    refused = subprocess.run(["git", "commit", "-qm", "email"], cwd=repo.path, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "Schema changed without a migration" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr

    repo.add_email_migration()
    repo.git("add", "db")
    repo.git("commit", "-q", "-m", "email with its migration")
    assert "002_email.up.sql" in repo.git("show", "--name-only", "HEAD")
