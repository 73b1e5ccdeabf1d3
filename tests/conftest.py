"""Shared fixtures for Confiture's own test suite.

The database fixtures come from Confiture's own pytest plugin (``confiture_test_server_url``: a
throw-away PostgreSQL for the session, or the server in ``CONFITURE_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from _migrations import Project
from confiture import _core

pytest_plugins = ["pytester"]


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Writes files (relative path → text) into a fresh project directory and returns it."""

    def make(files: dict[str, str], root: Path | None = None) -> Path:
        base = root or tmp_path / "project"
        for rel, text in files.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        base.mkdir(parents=True, exist_ok=True)
        return base

    return make


@pytest.fixture
def db_name() -> str:
    """A database name for this test."""
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def db_url(confiture_test_server_url: str, db_name: str) -> Iterator[str]:
    """URL of a database name for this test on the test server; dropped afterwards."""
    yield _core.url_with_database(confiture_test_server_url, db_name)
    _core.drop_database(confiture_test_server_url, db_name, force=True)


@pytest.fixture
def query(confiture_test_server_url: str) -> Callable[[str, str], list[tuple]]:
    """Runs a query against a database of the test server and returns its rows."""

    def run(database: str, sql: str) -> list[tuple]:
        with psycopg.connect(_core.url_with_database(confiture_test_server_url, database)) as conn:
            return conn.execute(sql).fetchall()

    return run


@pytest.fixture
def database_exists(confiture_test_server_url: str) -> Callable[[str], bool]:
    def exists(name: str) -> bool:
        with psycopg.connect(confiture_test_server_url) as conn:
            return (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
            )

    return exists


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


SIMPLE_SCHEMA = {
    "db/schema/00_common/schema.sql": "CREATE SCHEMA app;\n",
    "db/schema/10_tables/01_users.sql": (
        "CREATE TABLE app.users (\n"
        "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  email text NOT NULL UNIQUE\n"
        ");\n"
    ),
    "db/schema/10_tables/02_posts.sql": (
        "CREATE TABLE app.posts (id bigint PRIMARY KEY, user_id bigint REFERENCES app.users);\n"
    ),
    "db/seeds/common/users.sql": (
        "INSERT INTO app.users (email) VALUES ('a@example.com'), ('b@example.com');\n"
    ),
    "db/environments/local.yaml": (
        "database_url: ${DATABASE_URL:-postgresql://localhost/unused}\n"
        "include_dirs:\n  - db/schema\n  - db/seeds/common\n"
    ),
}


@pytest.fixture
def simple_project(make_project: Callable[..., Path]) -> Path:
    """A small project; its schema hash is unique to the test, so template caching between tests
    never hides what a test does."""
    files = dict(SIMPLE_SCHEMA)
    files["db/seeds/common/users.sql"] = f"-- {uuid.uuid4()}\n" + files["db/seeds/common/users.sql"]
    return make_project(files)


@pytest.fixture
def project(
    tmp_path: Path, confiture_test_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Project]:
    """A migrations project on a fresh database of its own; the working directory is its root."""
    name = f"cm_{uuid.uuid4().hex[:10]}"
    _core.create_database(confiture_test_server_url, name)
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)
    yield Project(root, _core.url_with_database(confiture_test_server_url, name))
    _core.drop_database(confiture_test_server_url, name, force=True)
