"""``confiture lint`` end to end: schema and migration findings with their places, the four
formats, rule selection, exit codes, configuration errors, pending migrations against a real
PostgreSQL, migration files without an environment."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from confiture.cli.main import app

SCHEMA = {
    "db/schema/00_schema.sql": "CREATE SCHEMA app;\n",
    "db/schema/10_users.sql": (
        "CREATE TABLE app.users (\n"
        "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "    email text NOT NULL,\n"
        "    password text -- confiture-lint: ignore sec_001\n"
        ");\n"
        "COMMENT ON TABLE app.users IS 'People';\n"
    ),
    "db/schema/20_orders.sql": (
        "CREATE TABLE app.orders (\n"
        "    id bigint PRIMARY KEY,\n"
        "    user_id bigint NOT NULL REFERENCES app.users,\n"
        "    placed_at timestamp\n"
        ");\n"
        "COMMENT ON TABLE app.orders IS 'Orders';\n"
    ),
    "db/migrations/001_index.up.sql": (
        "SET lock_timeout = '2s';\nCREATE INDEX orders_user_idx ON app.orders (user_id);\n"
    ),
    "db/migrations/001_index.down.sql": "DROP INDEX app.orders_user_idx;\n",
}


def env_yaml(url: str = "postgresql://127.0.0.1:1/none", lint: str = "") -> str:
    return f"database_url: {url}\ninclude_dirs: [db/schema]\n" + lint


@pytest.fixture
def lint_project(make_project: Callable[..., Path]) -> Path:
    return make_project({**SCHEMA, "db/environments/local.yaml": env_yaml()})


def run(cli: CliRunner, project: Path, *args: str):
    return cli.invoke(app, ["lint", "--project-dir", str(project), *args])


def test_table_output_places_and_exit_code(cli: CliRunner, lint_project: Path) -> None:
    result = run(cli, lint_project, "--offline")
    assert result.exit_code == 0, result.output  # warnings and info only
    out = result.stdout
    assert out.startswith("Violations\n\n")
    assert "⚠️  db/schema/20_orders.sql:3:29 warning [fk_001] Foreign Key Without Index" in out
    assert "⚠️  db/schema/20_orders.sql:4:5 warning [type_001] Timestamp Without Time Zone" in out
    assert "db/migrations/001_index.up.sql:2:1 warning [mig_004] Index Created Without CONCURRENTLY" in out
    assert "sec_001" not in out, "suppressed inline"
    assert out.rstrip().endswith("1 suppressed; database: offline)")
    assert "🔍 Linting environment local" in result.stderr
    assert "which migrations are pending is unknown" in result.stderr


def test_json_is_one_document_with_the_reference_keys(cli: CliRunner, lint_project: Path) -> None:
    result = run(cli, lint_project, "--offline", "--format", "json")
    doc = json.loads(result.stdout)
    assert list(doc)[:5] == [
        "schema_name",
        "tables_checked",
        "columns_checked",
        "execution_time_ms",
        "violations",
    ]
    assert doc["schema_name"] == "local" and doc["tables_checked"] == 2 and doc["columns_checked"] == 6
    v = doc["violations"]
    assert v["total"] == len(v["items"]) == v["errors"] + v["warnings"] + v["info"]
    item = next(i for i in v["items"] if i["rule_id"] == "type_001")
    assert list(item)[:5] == ["rule", "severity", "location", "message", "suggested_fix"]
    assert item["rule"] == "Timestamp Without Time Zone" and item["location"] == "app.orders.placed_at"
    assert (item["file"], item["line"], item["column"]) == ("db/schema/20_orders.sql", 4, 5)
    assert doc["failed"] is False


def test_csv_and_sarif_to_a_file(cli: CliRunner, lint_project: Path, tmp_path: Path) -> None:
    result = run(cli, lint_project, "--offline", "-f", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:5] == ["rule_name", "severity", "location", "message", "suggested_fix"]
    assert any(r[0] == "Foreign Key Without Index" and r[5] == "fk_001" for r in rows[1:])

    target = tmp_path / "out" / "lint.sarif"
    result = run(cli, lint_project, "--offline", "-f", "sarif", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert f"📄 Report written to {target}" in result.stderr
    sarif = json.loads(target.read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    fk = next(r for r in results if r["ruleId"] == "fk_001")
    loc = fk["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "db/schema/20_orders.sql", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 3, "startColumn": 29}
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules[fk["ruleIndex"]]["id"] == "fk_001"


def test_selection_and_exit_codes(cli: CliRunner, lint_project: Path) -> None:
    only = run(cli, lint_project, "--offline", "-f", "json", "--select", "type_001,fk")
    ids = {i["rule_id"] for i in json.loads(only.stdout)["violations"]["items"]}
    assert ids == {"type_001", "fk_001"}
    ignored = run(cli, lint_project, "--offline", "-f", "json", "--ignore", "mig", "--ignore", "fk_001")
    ids = {i["rule_id"] for i in json.loads(ignored.stdout)["violations"]["items"]}
    assert "fk_001" not in ids and not any(i.startswith("mig_") for i in ids) and "type_001" in ids

    assert run(cli, lint_project, "--offline", "--fail-on-warning").exit_code == 1
    strict = lint_project / "db/environments/local.yaml"
    strict.write_text(env_yaml(lint="lint:\n  severity: {type_001: error}\n"))
    assert run(cli, lint_project, "--offline").exit_code == 1
    assert run(cli, lint_project, "--offline", "--no-fail-on-error").exit_code == 0

    bad = run(cli, lint_project, "--offline", "--select", "nope_1")
    assert bad.exit_code == 1
    assert 'no rule is called "nope_1"' in bad.stderr and "Traceback" not in bad.output


def test_configuration_errors_are_one_line(cli: CliRunner, lint_project: Path) -> None:
    (lint_project / "db/environments/local.yaml").write_text(
        env_yaml(lint="lint:\n  naming: {style: kebab}\n")
    )
    result = run(cli, lint_project, "--offline")
    assert result.exit_code == 1
    assert 'lint.naming.style: unknown style "kebab"' in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    missing = run(cli, lint_project, "--env", "prod")
    assert missing.exit_code == 1 and "prod" in missing.stderr


def test_list_rules(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["lint", "--list-rules", "-f", "json"])
    rules = json.loads(result.stdout)
    assert len(rules) >= 30
    ids = [r["id"] for r in rules]
    assert {"naming_001", "naming_002", "pk_001", "doc_001", "sec_001", "mig_001", "mig_017"} <= set(ids)
    assert ids == sorted(ids)
    text = cli.invoke(app, ["lint", "--list-rules"]).stdout
    assert "### `pk_001` Missing Primary Key" in text
    target = tmp_path / "rules.md"
    assert cli.invoke(app, ["lint", "--list-rules", "-o", str(target)]).exit_code == 0
    assert target.read_text() == text and [p.name for p in tmp_path.iterdir()] == ["rules.md"]
    doc = (Path(__file__).parent.parent / "docs/guides/lint.md").read_text()
    assert text.strip() in doc, "docs/guides/lint.md embeds `confiture lint --list-rules`"


def test_migration_files_without_an_environment(cli: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "005_backfill.up.sql"
    f.write_text("UPDATE users SET plan = 'free';\nALTER TABLE users ADD COLUMN x int NOT NULL;\n")
    result = cli.invoke(app, ["lint", "--project-dir", str(tmp_path), "--migrations", str(f), "-f", "json"])
    assert result.exit_code == 1  # mig_001 is an error
    items = json.loads(result.stdout)["violations"]["items"]
    assert [(i["rule_id"], i["line"]) for i in items] == [("mig_022", 1), ("mig_015", 2), ("mig_001", 2)]
    assert items[0]["file"] == "005_backfill.up.sql"


def test_pending_migrations_against_the_database(
    cli: CliRunner, make_project: Callable[..., Path], confiture_test_server_url: str
) -> None:
    from confiture import _core

    name = "lint_cli_online"
    _core.drop_database(confiture_test_server_url, name, force=True)
    _core.create_database(confiture_test_server_url, name)
    url = _core.url_with_database(confiture_test_server_url, name)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE SCHEMA app; CREATE TABLE app.orders (id bigint PRIMARY KEY, user_id bigint);"
                "INSERT INTO app.orders SELECT g, g FROM generate_series(1, 50) g; ANALYZE;"
            )
        project = make_project(
            {
                **SCHEMA,
                "db/environments/local.yaml": env_yaml(url),
                "db/migrations/002_tz.up.sql": (
                    "ALTER TABLE app.orders ALTER COLUMN placed_at TYPE timestamptz;\n"
                ),
                "db/migrations/002_tz.down.sql": "SELECT 1;\n",
            }
        )
        assert (
            cli.invoke(
                app,
                [
                    "migrate",
                    "up",
                    "--config",
                    str(project / "db/environments/local.yaml"),
                    "--migrations-dir",
                    str(project / "db/migrations"),
                    "--target",
                    "001",
                ],
            ).exit_code
            == 0
        )
        result = run(cli, project, "-f", "json", "--select", "mig")
        doc = json.loads(result.stdout)
        assert doc["database"].startswith("online (")
        items = doc["violations"]["items"]
        assert {i["file"] for i in items} == {"db/migrations/002_tz.up.sql"}, "001 is applied"
        assert "1 migration(s) already applied: not linted" in doc["notes"]
        assert {i["rule_id"] for i in items} == {"mig_003", "mig_015", "mig_016"}
    finally:
        _core.drop_database(confiture_test_server_url, name, force=True)
