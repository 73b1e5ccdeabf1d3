"""``confiture build`` end to end: the file, the hash, errors, and databases built from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from confiture.cli.main import app


def build(cli: CliRunner, project: Path, *args: str, env: dict[str, str] | None = None):
    return cli.invoke(app, ["build", "--project-dir", str(project), *args], env=env)


def test_build_writes_the_reference_output(cli: CliRunner, simple_project: Path) -> None:
    result = build(cli, simple_project, "--show-hash")
    assert result.exit_code == 0, result.output
    out = simple_project / "db/generated/schema_local.sql"
    lines = result.stdout.splitlines()
    assert lines[0] == "🔨 Building schema for environment: local"
    assert "📄 Found 4 SQL files" in lines
    assert "✅ Schema built successfully!" in lines
    assert f"📁 Output: {out.resolve()}" in lines
    assert f"📏 Size: {out.stat().st_size:,} bytes" in lines
    hash_line = next(line for line in lines if line.startswith("🔐 Hash: "))
    assert f"-- Schema Hash: {hash_line.removeprefix('🔐 Hash: ')}\n" in out.read_text()


def test_output_option_and_schema_only(cli: CliRunner, simple_project: Path, tmp_path: Path) -> None:
    target = tmp_path / "nested" / "dir" / "s.sql"
    result = build(cli, simple_project, "-o", str(target), "--schema-only")
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert "-- Files Included: 3\n" in text and "INSERT INTO" not in text


def test_json_output_is_one_clean_document(cli: CliRunner, simple_project: Path) -> None:
    result = build(cli, simple_project, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["environment"] == "local" and len(doc["files"]) == 4 and len(doc["hash"]) == 64
    assert doc["database"] is None


def test_errors_are_one_line_no_traceback_and_no_partial_output(
    cli: CliRunner, simple_project: Path, make_project: Callable[..., Path]
) -> None:
    result = build(cli, simple_project, "--env", "prod")
    assert result.exit_code == 1
    assert "available environments: local" in result.stderr
    assert "Traceback" not in result.output

    out = simple_project / "db/generated/schema_local.sql"
    assert build(cli, simple_project).exit_code == 0
    before = out.read_bytes()
    (simple_project / "db/schema/10_tables/03_bad.sql").write_bytes(b"SELECT '\xff';\n")
    result = build(cli, simple_project)
    assert result.exit_code == 1
    assert "03_bad.sql:1: file is not valid UTF-8" in result.stderr
    assert out.read_bytes() == before, "a failed build leaves the previous output untouched"
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_real_cli_process_exit_codes(simple_project: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "confiture.cli", *args], capture_output=True, text=True, cwd=simple_project
        )

    bad = run("build", "--env", "nope")
    assert bad.returncode == 1 and bad.stdout.startswith("🔨") and "❌ Error:" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert run("build", "--format", "xml").returncode == 2
    assert run().returncode in (0, 2)
    assert "build" in run("--help").stdout and "init" in run("--help").stdout
    ok = run("build", "-e", "local")
    assert ok.returncode == 0 and ok.stderr == ""


def test_apply_creates_then_refuses_then_recreates_from_the_template(
    cli: CliRunner, simple_project: Path, db_url: str, db_name: str, query: Callable[[str, str], list[tuple]]
) -> None:
    env = {"DATABASE_URL": db_url}
    first = build(cli, simple_project, "--apply", env=env)
    assert first.exit_code == 0, first.output
    assert f"Database {db_name} created" in first.stdout
    assert "4 statements from 4 files" in first.stdout
    assert "tables" in first.stdout and "app.posts, app.users" in first.stdout
    assert query(db_name, "SELECT count(*) FROM app.users") == [(2,)]

    refused = build(cli, simple_project, "--apply", env=env)
    assert refused.exit_code == 1
    assert (
        "already exists and is not empty (1 schema, 2 tables" in refused.stderr
        and "--recreate" in refused.stderr
    )

    again = build(cli, simple_project, "--apply", "--recreate", env=env)
    assert again.exit_code == 0, again.output
    assert "cloned from template confiture_tpl_" in again.stdout

    uncached = build(cli, simple_project, "--apply", "--recreate", "--no-cache", env=env)
    assert uncached.exit_code == 0 and "cloned" not in uncached.stdout


def test_database_url_implies_apply_and_json_reports_it(
    cli: CliRunner, simple_project: Path, db_url: str, db_name: str
) -> None:
    result = build(cli, simple_project, "--database-url", db_url, "--format", "json", "--no-cache")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["database"]["database"] == db_name and doc["database"]["action"] == "created"
    assert doc["database"]["statements"] == 4


def test_sql_errors_name_file_line_statement(
    cli: CliRunner,
    make_project: Callable[..., Path],
    db_url: str,
    db_name: str,
    database_exists: Callable[[str], bool],
) -> None:
    root = make_project(
        {
            "db/environments/local.yaml": "include_dirs: [db/schema]\n",
            "db/schema/10_tables/t.sql": "CREATE TABLE t (\n  id int,\n  name txet\n);\n",
        }
    )
    result = build(cli, root, "--database-url", db_url)
    assert result.exit_code == 1
    err = result.stderr
    assert '10_tables/t.sql:3:8: type "txet" does not exist [42704]' in err, err
    assert "statement: CREATE TABLE t (" in err
    assert "nothing was built" in err
    assert not database_exists(db_name)


def test_unreachable_database_is_a_clear_error(cli: CliRunner, simple_project: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://user:pa55word@127.0.0.1:{port}/x"
    result = build(cli, simple_project, "--database-url", url)
    assert result.exit_code == 1
    assert f"cannot connect to 127.0.0.1:{port}/postgres" in result.stderr
    assert "pa55word" not in result.output
    assert "Traceback" not in result.output


def test_no_database_configured(cli: CliRunner, make_project: Callable[..., Path]) -> None:
    root = make_project(
        {"db/environments/local.yaml": "include_dirs: [db/schema]\n", "db/schema/a.sql": "SELECT 1;\n"}
    )
    result = build(cli, root, "--apply", env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    assert result.exit_code == 1
    assert "no database configured; set `database_url`" in result.stderr
