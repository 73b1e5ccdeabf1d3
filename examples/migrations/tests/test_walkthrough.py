"""The walk-through of README.md, step by step, against a fresh database on the test server.

Run with ``pytest`` in this directory: the confiture plugin starts a throw-away PostgreSQL (or uses
the server in ``CONFITURE_TEST_DATABASE_URL``); each test migrates a database of its own.
"""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

EXAMPLE = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_url(confiture_test_server_url: str) -> Iterator[str]:
    name = f"walkthrough_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(confiture_test_server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield psycopg.conninfo.make_conninfo(confiture_test_server_url, dbname=name)
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def confiture(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "confiture.cli", *args],
        cwd=EXAMPLE,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )


def test_the_walkthrough(database_url: str) -> None:
    assert confiture(database_url, "migrate", "validate").returncode == 0

    status = json.loads(confiture(database_url, "migrate", "status", "-f", "json").stdout)
    assert [m["version"] for m in status["migrations"]] == ["001", "002", "003", "004"]
    assert status["pending"] == ["001", "002", "003", "004"]

    # Dry runs change nothing.
    report = json.loads(confiture(database_url, "migrate", "up", "--dry-run-execute", "-f", "json").stdout)
    assert [m["version"] for m in report["migrations"]] == ["001", "002", "003", "004"]
    assert report["migrations"][3]["execution"]["skipped"]  # CONCURRENTLY cannot run in the dry run
    assert json.loads(confiture(database_url, "migrate", "status", "-f", "json").stdout)["applied"] == []

    assert confiture(database_url, "migrate", "up", "--target", "002").returncode == 0
    up = confiture(database_url, "migrate", "up")
    assert up.returncode == 0, up.stderr
    assert "Successfully applied 2 migration(s)!" in up.stdout

    with psycopg.connect(database_url) as conn:
        names = conn.execute("SELECT display_name FROM app.accounts ORDER BY id").fetchall()
        assert names == [("Ada",), ("Grace",), ("Edsger",)]
        index = conn.execute("SELECT to_regclass('app.accounts_display_name') IS NOT NULL").fetchone()
        assert index == (True,)

    assert "All migration checksums verified!" in confiture(database_url, "verify").stdout
    assert confiture(database_url, "migrate", "down", "--steps", "2").returncode == 0
    with psycopg.connect(database_url) as conn:
        nullable = conn.execute(
            "SELECT is_nullable FROM information_schema.columns WHERE column_name = 'display_name'"
        ).fetchone()
        assert nullable == ("YES",)


def test_preconditions_guard_the_second_migration(database_url: str) -> None:
    assert confiture(database_url, "migrate", "up", "--target", "001").returncode == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE app.accounts ADD COLUMN display_name text")
    result = confiture(database_url, "migrate", "up")
    assert result.returncode == 1
    assert "ColumnNotExists" in result.stderr or "display_name" in result.stderr
    status = json.loads(confiture(database_url, "migrate", "status", "-f", "json").stdout)
    assert status["applied"] == ["001"]
