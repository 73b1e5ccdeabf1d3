"""``confiture migrate …`` and ``confiture verify`` end to end, against a real database."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import psycopg
from click.testing import Result

from _migrations import USERS_DOWN, USERS_UP, Project
from confiture import _core

PYTHON_MIGRATION = """
from confiture.models.migration import Migration


class SeedAdmins(Migration):
    version = "003"
    name = "seed_admins"

    def up(self):
        self.execute("INSERT INTO users (id, email) VALUES (%s, %s)", (1, "root@example.com"))
        with self.connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM users WHERE email = %(e)s", {"e": "root@example.com"})
            (count,) = cur.fetchone()
        self.execute("CREATE TABLE seeded (n int)")
        self.execute("INSERT INTO seeded VALUES (%s)", (count,))

    def down(self):
        self.execute("DROP TABLE seeded")
        self.execute("DELETE FROM users WHERE id = 1")
"""


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    assert "Traceback" not in result.output
    return result


def failed(result: Result, code: int = 1) -> Result:
    assert result.exit_code == code, f"exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output
    return result


# --- status ---------------------------------------------------------------------------------


def test_status_lists_pending_then_applied(project: Project) -> None:
    project.standard()
    out = ok(project.migrate("status")).stdout
    assert re.search(r"001\s+create_users\s+⏳ pending", out)
    assert "📊 Total: 2 migrations (0 applied, 2 pending)" in out

    ok(project.migrate("up"))
    doc = json.loads(ok(project.migrate("status", "--format", "json")).stdout)
    assert doc["applied"] == ["001", "002"]
    assert doc["pending"] == [] and doc["total"] == 2 and doc["current"] == "002"
    assert {m["status"] for m in doc["migrations"]} == {"applied"}
    assert all(m["applied_at"] and m["execution_time_ms"] is not None for m in doc["migrations"])


def test_status_without_a_database_reads_files_only(project: Project, tmp_path: Path) -> None:
    project.standard()
    (project.root / "db/environments/local.yaml").unlink()
    doc = json.loads(ok(project.migrate("status", "--format", "json")).stdout)
    assert doc["total"] == 2 and {m["status"] for m in doc["migrations"]} == {"unknown"}


def test_status_json_to_file_and_missing_directory(project: Project) -> None:
    project.standard()
    result = ok(project.migrate("status", "-f", "json", "-o", "report.json"))
    assert result.stdout == ""
    assert json.loads((project.root / "report.json").read_text())["total"] == 2
    doc = json.loads(ok(project.migrate("status", "--migrations-dir", "nowhere", "-f", "json")).stdout)
    assert "Migrations directory not found" in doc["error"]


# --- up / down ------------------------------------------------------------------------------


def test_up_applies_in_version_order_and_records_each(project: Project) -> None:
    project.standard()
    project.sql("010", "late", "CREATE TABLE late (id int);\n", "DROP TABLE late;\n")
    project.write("003_seed_admins.py", PYTHON_MIGRATION)
    out = ok(project.migrate("up")).stdout
    assert out.index("Applying 001_create_users") < out.index("Applying 002_create_posts")
    assert out.index("Applying 003_seed_admins") < out.index("Applying 010_late")
    assert "✅ Successfully applied 4 migration(s)!" in out
    assert project.applied() == ["001", "002", "003", "010"]
    # The Python migration ran through Confiture's connection: parameters and fetches work.
    assert project.query("SELECT n FROM seeded") == [(1,)]
    rows = project.query("SELECT slug, checksum FROM tb_confiture WHERE version = '003'")
    assert rows[0][0].startswith("003_seed_admins_") and re.fullmatch(r"[0-9a-f]{64}", rows[0][1])

    assert "No pending migrations. Database is up to date." in ok(project.migrate("up")).stdout


def test_up_to_a_target_then_down_by_steps_and_to_a_target(project: Project) -> None:
    project.standard()
    project.sql("003", "tags", "CREATE TABLE tags (id int);\n", "DROP TABLE tags;\n")
    ok(project.migrate("up", "--target", "002"))
    assert project.applied() == ["001", "002"]
    ok(project.migrate("up"))
    out = ok(project.migrate("down")).stdout
    assert "Successfully rolled back 1 migration(s)!" in out
    assert project.applied() == ["001", "002"] and not project.exists("tags")
    ok(project.migrate("down", "--target", "001"))
    assert project.applied() == ["001"] and not project.exists("posts") and project.exists("users")
    ok(project.migrate("down", "--steps", "5"))
    assert project.applied() == [] and not project.exists("users")
    assert "No applied migrations to rollback." in ok(project.migrate("down")).output


def test_down_rejects_zero_steps_and_a_missing_down_file(project: Project) -> None:
    project.sql("001", "no_down", "CREATE TABLE t (id int);\n", None)
    result = failed(project.migrate("up"))
    assert "001_no_down.up.sql has no matching 001_no_down.down.sql" in result.stderr
    assert project.applied() == []
    project.write("001_no_down.down.sql", "DROP TABLE t;\n")
    assert "--steps must be at least 1" in failed(project.migrate("down", "--steps", "0")).stderr
    ok(project.migrate("up"))
    (project.migrations / "001_no_down.down.sql").unlink()
    result = failed(project.migrate("down"))
    assert "001_no_down.down.sql" in result.stderr
    assert project.applied() == ["001"] and project.exists("t")


def test_up_json_is_one_document_with_progress_on_stderr(project: Project) -> None:
    project.standard()
    result = ok(project.migrate("up", "--format", "json"))
    doc = json.loads(result.stdout)
    assert [m["version"] for m in doc["applied"]] == ["001", "002"]
    assert "Applying 001_create_users" in result.stderr
    doc = json.loads(ok(project.migrate("down", "--format", "json", "--steps", "2")).stdout)
    assert [m["version"] for m in doc["rolled_back"]] == ["002", "001"]


def test_a_failing_migration_reports_details_and_leaves_nothing(project: Project) -> None:
    project.sql("001", "create_users", USERS_UP, USERS_DOWN)
    project.sql(
        "002",
        "broken",
        "CREATE TABLE half (id int);\nALTER TABLE users ADD COLUMN age int;\n"
        "ALTER TABLE missing ADD x int;\n",
        "SELECT 1;\n",
    )
    result = failed(project.migrate("up"))
    err = result.stderr
    for expected in ("Migration failed!", "Failed Migration Details:", "Version: 002", "Name: broken"):
        assert expected in err
    assert "SQL Statement:" in err and "ALTER TABLE missing ADD x int" in err
    assert "Database Error:" in err and 'relation "missing" does not exist' in err
    assert "002_broken.up.sql:3" in err
    assert "Traceback" not in result.output
    # 001 committed; 002's transaction rolled back completely.
    assert project.applied() == ["001"] and not project.exists("half")
    assert project.query("SELECT count(*) FROM pg_attribute WHERE attname = 'age'") == [(0,)]


def test_no_transaction_migrations_run_outside_a_transaction(project: Project) -> None:
    project.sql("001", "create_users", USERS_UP, USERS_DOWN)
    project.sql(
        "002",
        "concurrent_index",
        "-- confiture: no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n",
        "-- confiture: no-transaction\nDROP INDEX CONCURRENTLY users_email;\n",
    )
    ok(project.migrate("up"))
    assert project.exists("users_email") and project.applied() == ["001", "002"]
    ok(project.migrate("down"))
    assert not project.exists("users_email")


def test_env_selects_another_environment_file(project: Project) -> None:
    project.standard()
    env_dir = project.root / "db/environments"
    (env_dir / "staging.yaml").write_text((env_dir / "local.yaml").read_text().replace("local", "staging"))
    (env_dir / "local.yaml").write_text("database_url: postgresql://127.0.0.1:1/none\n")
    ok(project.migrate("up", "--env", "staging"))
    assert project.applied() == ["001", "002"]
    result = failed(project.migrate("up", "--env", "nope"))
    assert "Config file not found: db/environments/nope.yaml" in result.stderr


def test_unreachable_database_is_a_clear_error(project: Project) -> None:
    project.standard()
    (project.root / "db/environments/local.yaml").write_text(
        "database_url: postgresql://u:sekrit@127.0.0.1:1/none\n"
    )
    result = failed(project.migrate("up"))
    assert "127.0.0.1" in result.stderr and "sekrit" not in result.output


# --- checksums ------------------------------------------------------------------------------


def test_a_modified_applied_migration_is_refused(project: Project) -> None:
    project.standard()
    ok(project.migrate("up"))
    stored = project.query("SELECT checksum FROM tb_confiture WHERE version = '001'")[0][0]
    path = project.migrations / "001_create_users.up.sql"
    path.write_text(USERS_UP + "-- edited after it was applied\n")
    project.sql("003", "tags", "CREATE TABLE tags (id int);\n", "DROP TABLE tags;\n")

    result = failed(project.migrate("up"))
    assert "Checksum verification failed!" in result.stderr
    assert stored in result.stderr and _core.checksum_file(path) in result.stderr
    assert project.applied() == ["001", "002"] and not project.exists("tags")

    out = ok(project.migrate("up", "--on-checksum-mismatch", "warn")).output
    assert "001" in out and project.applied() == ["001", "002", "003"]

    verify = failed(project.run("verify"))
    assert "Found 1 checksum mismatch(es):" in verify.stderr and stored[:16] in verify.stderr
    assert "Updated 1 checksum(s)" in ok(project.run("verify", "--fix")).stdout
    assert "All migration checksums verified!" in ok(project.run("verify")).stdout
    assert project.query("SELECT checksum FROM tb_confiture WHERE version = '001'")[0][0] == (
        _core.checksum_file(path)
    )


def test_python_migrations_are_checksummed_too(project: Project) -> None:
    project.sql("001", "create_users", USERS_UP, USERS_DOWN)
    path = project.write("003_seed_admins.py", PYTHON_MIGRATION)
    ok(project.migrate("up"))
    path.write_text(PYTHON_MIGRATION + "\n# touched\n")
    assert "003_seed_admins" in failed(project.run("verify")).stderr


# --- locking --------------------------------------------------------------------------------


def test_lock_contention_names_the_holder(project: Project) -> None:
    project.standard()
    lock_id = _core.lock_id(project.url.rsplit("/", 1)[1].split("?")[0])
    with psycopg.connect(project.url, autocommit=True) as holder:
        holder.execute("SET application_name = 'other-deploy'")
        holder.execute("SELECT pg_advisory_lock(%s, %s)", (1751936052, lock_id))
        pid = holder.info.backend_pid
        result = failed(project.migrate("up", "--no-wait"))
        assert "Failed to acquire migration lock" in result.stderr
        assert str(pid) in result.stderr
        result = failed(project.migrate("up", "--lock-timeout", "200"))
        assert "Failed to acquire migration lock" in result.stderr
        assert project.applied() == []
        # Without the lock (explicitly), it proceeds, with a warning.
        result = ok(project.migrate("up", "--no-lock"))
        assert "locking disabled" in result.output
    assert project.applied() == ["001", "002"]


# --- generate / baseline / validate ---------------------------------------------------------


def test_generate_numbers_after_existing_files(project: Project) -> None:
    project.standard()
    project.write("007_orphan.sql", "SELECT 1;\n")
    result = ok(project.migrate("generate", "add_tags"))
    assert "✅ Migration generated successfully!" in result.stdout
    created = project.migrations / "008_add_tags.py"
    assert f"📄 File: {created}" in result.stdout
    text = created.read_text()
    assert 'version = "008"' in text and "NotImplementedError" in text
    ok(project.migrate("generate", "more_tags", "--sql"))
    assert (project.migrations / "009_more_tags.up.sql").exists()
    assert (project.migrations / "009_more_tags.down.sql").exists()
    # A generated Python migration refuses to run until written.
    (project.migrations / "007_orphan.sql").unlink()
    result = failed(project.migrate("up"))
    assert "Version: 008" in result.stderr and "write the forward migration" in result.stderr
    assert project.applied() == ["001", "002"]


def test_baseline_marks_without_running(project: Project) -> None:
    project.standard()
    project.sql("003", "tags", "CREATE TABLE tags (id int);\n", "DROP TABLE tags;\n")
    out = ok(project.migrate("baseline", "--through", "002", "--dry-run")).stdout
    assert "Would mark 2 migration(s) as applied" in out and project.applied() == []
    out = ok(project.migrate("baseline", "--through", "002")).stdout
    assert "Marked 2 migration(s) as applied, skipped 0 already applied" in out
    assert project.applied() == ["001", "002"] and not project.exists("users")
    ok(project.migrate("up"))
    assert project.applied() == ["001", "002", "003"] and project.exists("tags")
    result = failed(project.migrate("baseline", "--through", "999"))
    assert "999" in result.stderr


def test_validate_reports_and_fixes_orphans(project: Project) -> None:
    project.standard()
    project.write("003_forgot_suffix.sql", "CREATE TABLE x (id int);\n")
    result = failed(project.migrate("validate"))
    assert "003_forgot_suffix.sql → rename to: 003_forgot_suffix.up.sql" in result.stdout
    doc = json.loads(failed(project.migrate("validate", "-f", "json")).stdout)
    assert doc["orphaned_files"] == ["003_forgot_suffix.sql"] and doc["status"] == "issues_found"

    # A preview fixes nothing, so the directory still has issues: exit 1.
    out = failed(project.migrate("validate", "--fix-naming", "--dry-run")).stdout
    assert "Would rename: 003_forgot_suffix.sql → 003_forgot_suffix.up.sql" in out
    assert (project.migrations / "003_forgot_suffix.sql").exists()
    ok(project.migrate("validate", "--fix-naming"))
    assert (project.migrations / "003_forgot_suffix.up.sql").exists()
    # The renamed migration still needs its rollback.
    doc = json.loads(failed(project.migrate("validate", "-f", "json")).stdout)
    assert [p["kind"] for p in doc["problems"]] == ["missing_down"]
    project.write("003_forgot_suffix.down.sql", "DROP TABLE x;\n")
    doc = json.loads(ok(project.migrate("validate", "-f", "json")).stdout)
    assert doc["status"] == "ok"


def test_validate_flags_duplicate_versions(project: Project) -> None:
    project.standard()
    project.sql("002", "also_two", "SELECT 1;\n", "SELECT 1;\n")
    result = failed(project.migrate("validate"))
    assert "duplicate version 002" in result.stderr
    result = failed(project.migrate("up"))
    assert "002" in result.stderr and project.applied() == []


def test_strict_mode_refuses_orphans(project: Project) -> None:
    project.standard()
    project.write("003_orphan.sql", "SELECT 1;\n")
    assert "Orphaned migration files" in ok(project.migrate("up")).output
    ok(project.migrate("down", "--steps", "2"))
    result = failed(project.migrate("up", "--strict"))
    assert "003_orphan.sql" in result.stderr and project.applied() == []


# --- dry runs -------------------------------------------------------------------------------


def test_dry_run_analyses_without_touching_the_database(project: Project) -> None:
    project.sql("001", "create_users", USERS_UP, USERS_DOWN)
    ok(project.migrate("up"))
    project.sql(
        "002",
        "risky",
        "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;\nALTER TABLE users DROP COLUMN email;\n",
        "SELECT 1;\n",
    )
    result = ok(project.migrate("up", "--dry-run", "--format", "json"))
    doc = json.loads(result.stdout)
    assert doc["migration_id"] == "dry_run_local"
    assert doc["summary"]["unsafe_count"] >= 1
    assert [m["version"] for m in doc["migrations"]] == ["002"]
    assert project.applied() == ["001"]
    text = ok(project.migrate("up", "--dry-run")).stdout
    assert "DROP COLUMN" in text.upper()


def test_dry_run_execute_rolls_everything_back(project: Project) -> None:
    project.standard()
    project.write("003_seed_admins.py", PYTHON_MIGRATION)
    result = ok(project.migrate("up", "--dry-run-execute", "-f", "json"))
    doc = json.loads(result.stdout)
    assert [m["version"] for m in doc["migrations"]] == ["001", "002", "003"]
    assert all(m["execution"]["error"] is None for m in doc["migrations"])
    assert project.applied() == [] and not project.exists("users") and not project.exists("seeded")

    project.sql("004", "bad", "ALTER TABLE nope ADD x int;\n", "SELECT 1;\n")
    result = failed(project.migrate("up", "--dry-run-execute"))
    assert "nope" in result.output and not project.exists("users")
    assert failed(project.migrate("up", "--dry-run", "--force")).exit_code == 1


def test_down_dry_run_reports_the_rollback(project: Project) -> None:
    project.standard()
    ok(project.migrate("up"))
    doc = json.loads(ok(project.migrate("down", "--dry-run-execute", "-f", "json")).stdout)
    assert doc["migration_id"] == "dry_run_rollback_local"
    assert [m["version"] for m in doc["migrations"]] == ["002"]
    assert project.exists("posts") and project.applied() == ["001", "002"]


def test_config_option_and_unknown_keys(project: Project, tmp_path: Path) -> None:
    project.standard()
    cfg = tmp_path / "elsewhere.yaml"
    cfg.write_text(f"database_url: {project.url}\nmigration_tabel: x\n")
    result = ok(project.migrate("up", "--config", str(cfg)))
    assert "migration_tabel" in result.stderr and "migration_table" in result.stderr
    assert project.applied() == ["001", "002"]
    assert "not both" in failed(project.migrate("up", "--config", str(cfg), "--env", "local")).stderr


def test_custom_tracking_table(project: Project, make_project: Callable[..., Path]) -> None:
    project.standard()
    env = project.root / "db/environments/local.yaml"
    env.write_text(env.read_text() + "migration_table: ops.schema_history\n")
    project.execute("CREATE SCHEMA ops")
    ok(project.migrate("up"))
    assert project.query("SELECT count(*) FROM ops.schema_history") == [(2,)]
    assert not project.exists("tb_confiture")


def test_force_reapplies_and_says_when_there_is_nothing(project: Project) -> None:
    result = ok(project.migrate("up", "--force"))
    assert "skipping migration state checks" in result.output and "No migration files found." in result.output
    project.sql(
        "001",
        "counter",
        "CREATE TABLE IF NOT EXISTS c (n int);\nINSERT INTO c VALUES (1);\n",
        "DROP TABLE c;\n",
    )
    ok(project.migrate("up"))
    ok(project.migrate("up", "--force"))
    assert project.query("SELECT count(*) FROM c") == [(2,)]
    assert project.applied() == ["001"]


def test_names_with_quotes_and_backslashes_are_recorded_verbatim(project: Project) -> None:
    project.sql("001", "it's_a\\b", "CREATE TABLE q (id int);\n", "DROP TABLE q;\n")
    ok(project.migrate("up"))
    assert project.query("SELECT name FROM tb_confiture") == [("it's_a\\b",)]
    ok(project.migrate("down"))
    assert project.applied() == [] and not project.exists("q")


def test_a_deferred_constraint_failing_at_commit_applies_nothing(project: Project) -> None:
    project.sql(
        "001",
        "deferred",
        "CREATE TABLE p (id int PRIMARY KEY);\n"
        "CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
        "INSERT INTO c VALUES (1);\n",
        "DROP TABLE c, p;\n",
    )
    result = failed(project.migrate("up"))
    assert "violates foreign key constraint" in result.stderr and "commit" in result.stderr
    assert project.applied() == [] and not project.exists("p")
