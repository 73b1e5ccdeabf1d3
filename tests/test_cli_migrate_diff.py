"""``confiture migrate diff`` end to end: sides, formats, exit codes, generated files that psql
applies, drift against a live database, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from confiture import _core
from confiture.cli.main import app

OLD = "CREATE TABLE users (id int PRIMARY KEY, name text, age int);\n"
NEW = (
    "CREATE TYPE mood AS ENUM ('ok', 'happy');\n"
    "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL DEFAULT '', mood mood DEFAULT 'ok');\n"
    "CREATE VIEW named AS SELECT id, name FROM users WHERE name <> '';\n"
)


def files(tmp_path: Path, **texts: str) -> dict[str, str]:
    out = {}
    for name, text in texts.items():
        path = tmp_path / f"{name}.sql"
        path.write_text(text)
        out[name] = str(path)
    return out


def psql(url: str, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url, "-f", "-"],
        input=sql,
        capture_output=True,
        text=True,
    )


def diff(cli: CliRunner, *args: str, env: dict[str, str] | None = None):
    return cli.invoke(app, ["migrate", "diff", *args], env=env)


def test_text_output_and_exit_codes(cli: CliRunner, tmp_path: Path) -> None:
    f = files(tmp_path, old=OLD, new=NEW)
    result = diff(cli, f["old"], f["new"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "📊 Schema differences detected:" in out
    assert "DROP COLUMN users.age" in out and "ADD ENUM mood" in out
    assert "📈 Total changes: 6" in out
    assert "⚠️  deletes_data: drops column users.age and its values" in out
    assert "the up plan deletes data" in result.stderr

    same = diff(cli, f["old"], f["old"])
    assert same.exit_code == 0 and "✅ No changes detected. Schemas are identical." in same.stdout


def test_json_is_one_document(cli: CliRunner, tmp_path: Path) -> None:
    f = files(tmp_path, old=OLD, new=NEW)
    result = diff(cli, f["old"], f["new"], "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert list(doc) == ["old", "new", "mode", "identical", "destructive", "changes", "up", "down", "notes"]
    assert doc["old"] == {
        "kind": "file",
        "source": f["old"],
        "read": "parsed",
        "objects": {"column": 3, "constraint": 1, "table": 1},
    }
    assert doc["destructive"] is True and doc["identical"] is False and doc["mode"] == "offline"
    step = next(s for s in doc["up"] if s["sql"].startswith('ALTER TABLE "public"."users" DROP COLUMN "age"'))
    assert step["hazards"][0] == {
        "kind": "deletes_data",
        "message": "drops column users.age and its values",
        "safer": step["hazards"][0]["safer"],
    }
    assert {c["type"] for c in doc["changes"]} >= {
        "ADD_ENUM",
        "DROP_COLUMN",
        "ADD_VIEW",
        "CHANGE_COLUMN_NULLABLE",
    }


def test_sql_format_runs_with_psql_and_refuses_data_loss_unless_allowed(
    cli: CliRunner, tmp_path: Path, db_url: str, confiture_test_server_url: str
) -> None:
    f = files(tmp_path, old=OLD, new=NEW)
    refused = diff(cli, f["old"], f["new"], "--format", "sql")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "1 destructive step(s)" in refused.stderr and "--allow-destructive" in refused.stderr

    script = diff(cli, f["old"], f["new"], "--format", "sql", "--allow-destructive")
    assert script.exit_code == 0
    assert (
        script.stdout.startswith("-- HAZARD deletes_data") or "CREATE TYPE" in script.stdout.splitlines()[0]
    )
    _core.create_database(confiture_test_server_url, db_url.rsplit("/", 1)[1].split("?")[0])
    assert psql(db_url, OLD).returncode == 0
    applied = psql(db_url, script.stdout)
    assert applied.returncode == 0, applied.stderr
    # The database now matches the new schema: diffing it against the file finds nothing.
    check = diff(cli, db_url, f["new"])
    assert check.exit_code == 0 and "No changes detected" in check.stdout, check.output


def test_generate_writes_numbered_up_and_down_files(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    f = files(tmp_path, old=OLD, new=NEW)
    migrations = tmp_path / "db" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "007_existing.py").write_text("")
    (migrations / "009_other.up.sql").write_text("SELECT 1;\n")
    missing_name = diff(cli, f["old"], f["new"], "--generate")
    assert missing_name.exit_code == 2 and "--name is required" in missing_name.output
    refused = diff(
        cli, f["old"], f["new"], "--generate", "--name", "moods", "--migrations-dir", str(migrations)
    )
    assert refused.exit_code == 1 and "destructive" in refused.stderr
    assert not (migrations / "010_moods.up.sql").exists()

    ok = diff(
        cli,
        f["old"],
        f["new"],
        "--generate",
        "--name",
        "moods",
        "--migrations-dir",
        str(migrations),
        "--allow-destructive",
    )
    assert ok.exit_code == 0, ok.output
    up, down = migrations / "010_moods.up.sql", migrations / "010_moods.down.sql"
    assert f"✅ Migration generated: {up}" in ok.stdout
    assert up.read_text().startswith("-- Migration 010_moods (up), generated by `confiture migrate diff`.")
    assert "-- HAZARD deletes_data: drops column users.age" in up.read_text()

    name = db_url.rsplit("/", 1)[1]
    _core.create_database(_core.url_with_database(db_url, "postgres"), name)
    assert psql(db_url, OLD).returncode == 0
    for path in (up, down, up):
        r = psql(db_url, path.read_text())
        assert r.returncode == 0, f"{path.name}: {r.stderr}"
    assert diff(cli, db_url, f["new"]).stdout.startswith("✅ No changes detected")


def test_env_sides_and_drift(
    cli: CliRunner,
    simple_project: Path,
    db_url: str,
    db_name: str,
    query: Callable[[str, str], list[tuple]],
) -> None:
    env = {"DATABASE_URL": db_url}
    built = cli.invoke(
        app, ["build", "--project-dir", str(simple_project), "--apply", "--schema-only"], env=env
    )
    assert built.exit_code == 0, built.output
    project = ["--project-dir", str(simple_project)]
    clean = diff(cli, "--env", "local", *project, env=env)
    assert clean.exit_code == 0, clean.output
    assert "✅ No drift" in clean.stdout

    assert psql(db_url, "ALTER TABLE app.users ADD COLUMN nickname text;").returncode == 0
    drifted = diff(cli, "--env", "local", *project, env=env)
    assert drifted.exit_code == 1
    assert "⚠️  Drift:" in drifted.stdout and "DROP COLUMN app.users.nickname" in drifted.stdout

    sides = diff(cli, db_url, "env:local", *project, "--format", "json", env=env)
    assert sides.exit_code == 0
    doc = json.loads(sides.stdout)
    assert doc["old"]["kind"] == "database" and doc["old"]["read"] == "introspected"
    assert doc["new"]["kind"] == "env" and [c["type"] for c in doc["changes"]] == ["DROP_COLUMN"]
    both = diff(cli, "a.sql", "--env", "local", *project)
    assert both.exit_code == 2


V1 = {
    "db/schema/00_schema.sql": "CREATE SCHEMA app;\n",
    "db/schema/10_users.sql": (
        "CREATE TABLE app.users (\n"
        "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  email text NOT NULL UNIQUE\n"
        ");\n"
    ),
    "db/schema/20_posts.sql": (
        "CREATE TABLE app.posts (id bigint PRIMARY KEY, user_id bigint REFERENCES app.users, body text);\n"
    ),
    "db/environments/local.yaml": "database_url: ${DATABASE_URL}\ninclude_dirs:\n  - db/schema\n",
}

V2 = {
    "db/schema/10_users.sql": (
        "CREATE TABLE app.users (\n"
        "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  -- confiture: renamed-from email\n"
        "  contact_email text NOT NULL UNIQUE,\n"
        "  display_name text NOT NULL DEFAULT ''\n"
        ");\n"
        "COMMENT ON TABLE app.users IS 'People who write posts';\n"
    ),
    "db/schema/15_types.sql": "CREATE TYPE app.post_state AS ENUM ('draft', 'published');\n",
    "db/schema/20_posts.sql": (
        "CREATE TABLE app.posts (\n"
        "  id bigint PRIMARY KEY,\n"
        "  user_id bigint REFERENCES app.users,\n"
        "  body text,\n"
        "  state app.post_state NOT NULL DEFAULT 'draft'\n"
        ");\n"
        "CREATE INDEX posts_user_idx ON app.posts (user_id) WHERE state = 'published';\n"
        "CREATE VIEW app.published AS SELECT p.id, u.display_name, p.body FROM app.posts p\n"
        "  JOIN app.users u ON u.id = p.user_id WHERE p.state = 'published';\n"
    ),
}


def test_generated_migration_is_applied_by_migrate_up(
    cli: CliRunner,
    make_project: Callable[..., Path],
    db_url: str,
    query: Callable[[str, str], list[tuple]],
    monkeypatch,
) -> None:
    """The workflow end to end through the CLI: build v1, edit the DDL, diff the live database
    against it with --generate, `migrate up` the files, and the drift check finds nothing (the
    tracking table `migrate up` creates is not part of the schema); `migrate down` brings the
    drift back, `migrate up` removes it again."""
    project = make_project(V1)
    monkeypatch.chdir(project)
    env = {"DATABASE_URL": db_url}
    built = cli.invoke(app, ["build", "--env", "local", "--apply"], env=env)
    assert built.exit_code == 0, built.output
    database = db_url.rsplit("/", 1)[1]
    assert psql(db_url, "INSERT INTO app.users (email) VALUES ('a@example.com');").returncode == 0
    for rel, text in V2.items():
        (project / rel).write_text(text)

    drifted = diff(cli, "--env", "local", env=env)
    assert drifted.exit_code == 1 and "⚠️  Drift:" in drifted.stdout, drifted.output

    generated = diff(cli, db_url, "env:local", "--generate", "--name", "v2", env=env)
    assert generated.exit_code == 0, generated.output
    up = project / "db" / "migrations" / "001_v2.up.sql"
    down = project / "db" / "migrations" / "001_v2.down.sql"
    assert up.is_file() and down.is_file(), generated.output
    assert 'RENAME COLUMN "email" TO "contact_email"' in up.read_text()
    # Numbered like `confiture migrate generate`: the next one is 002.
    nxt = cli.invoke(app, ["migrate", "generate", "after_v2", "--sql"])
    assert nxt.exit_code == 0 and (project / "db" / "migrations" / "002_after_v2.up.sql").is_file()
    (project / "db" / "migrations" / "002_after_v2.up.sql").unlink()
    (project / "db" / "migrations" / "002_after_v2.down.sql").unlink()

    applied = cli.invoke(app, ["migrate", "up", "--env", "local"], env=env)
    assert applied.exit_code == 0, applied.output
    assert "Successfully applied 1 migration(s)" in applied.stdout
    assert query(database, "SELECT contact_email, display_name FROM app.users") == [("a@example.com", "")]

    clean = diff(cli, "--env", "local", env=env)
    assert clean.exit_code == 0, clean.output
    assert "✅ No drift" in clean.stdout

    rolled_back = cli.invoke(app, ["migrate", "down", "--env", "local"], env=env)
    assert rolled_back.exit_code == 0, rolled_back.output
    assert query(database, "SELECT email FROM app.users") == [("a@example.com",)]
    assert diff(cli, "--env", "local", env=env).exit_code == 1
    again = cli.invoke(app, ["migrate", "up", "--env", "local"], env=env)
    assert again.exit_code == 0, again.output
    assert diff(cli, "--env", "local", env=env).exit_code == 0


def test_online_mode_builds_both_sides(
    cli: CliRunner, tmp_path: Path, confiture_test_server_url: str
) -> None:
    f = files(tmp_path, old=OLD, new=NEW)
    env = {"CONFITURE_TEST_DATABASE_URL": confiture_test_server_url}
    result = diff(cli, f["old"], f["new"], "--online", "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["mode"] == "online" and doc["old"]["read"] == "built and introspected"
    offline = json.loads(diff(cli, f["old"], f["new"], "--format", "json").stdout)
    assert [s["object"] for s in doc["up"]] == [s["object"] for s in offline["up"]]

    bad = files(
        tmp_path, bad="CREATE TABLE t (id int);\nCREATE TABLE u (id int DEFAULT no_such_function());\n"
    )
    failed = diff(cli, f["old"], bad["bad"], "--online", env=env)
    assert failed.exit_code == 1
    assert f"{bad['bad']}:2: PostgreSQL rejected it" in failed.stderr


def test_errors_are_one_line_without_traceback(cli: CliRunner, tmp_path: Path) -> None:
    f = files(tmp_path, old=OLD, bad="CREATE TABLE ok (id int);\n\nCREATE TABEL broken (id int);\n")
    syntax = diff(cli, f["old"], f["bad"])
    assert syntax.exit_code == 1 and f"{f['bad']}:3: syntax error" in syntax.stderr
    missing = diff(cli, f["old"], str(tmp_path / "nope.sql"))
    assert missing.exit_code == 1 and "nope.sql: not found" in missing.stderr
    unreachable = diff(cli, "postgresql://nobody@127.0.0.1:1/x", f["old"])
    assert unreachable.exit_code == 1 and "cannot connect to 127.0.0.1:1/x" in unreachable.stderr
    unsupported = files(tmp_path, agg="CREATE AGGREGATE s (int) (sfunc = int4pl, stype = int);\n")
    result = diff(cli, f["old"], unsupported["agg"])
    assert result.exit_code == 1 and "agg.sql:1: not yet supported: CREATE AGGREGATE" in result.stderr
    assert all("Traceback" not in r.output for r in (syntax, missing, unreachable, result))
    usage = diff(cli, f["old"])
    assert usage.exit_code == 2


def test_real_process(tmp_path: Path) -> None:
    f = files(tmp_path, old=OLD, new=NEW)
    r = subprocess.run(
        [sys.executable, "-m", "confiture.cli", "migrate", "diff", f["old"], f["new"], "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and json.loads(r.stdout)["destructive"] is True
