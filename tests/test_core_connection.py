"""confiture.core.connection: config files and psycopg connections against a real server."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from confiture import _core
from confiture.config.environment import DatabaseConfig
from confiture.core.connection import create_connection, database_url_from_config, load_config
from confiture.exceptions import MigrationError


def test_load_config_interpolates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONF_TEST_URL", "postgresql://x/y")
    path = tmp_path / "c.yaml"
    path.write_text("database_url: ${CONF_TEST_URL}\nother: [1, 2]\n")
    assert load_config(path) == {"database_url": "postgresql://x/y", "other": [1, 2]}


def test_load_config_errors_are_migration_errors(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="configuration file not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    with pytest.raises(MigrationError, match=r"invalid YAML in .*bad\.yaml at line 2"):
        load_config(bad)


def test_urls_from_dicts_follow_the_reference_defaults() -> None:
    assert database_url_from_config({"database_url": "postgresql://h/d"}) == "postgresql://h/d"
    assert database_url_from_config({"database": {"host": "db", "database": "shop"}}) == (
        "postgresql://postgres@db:5432/shop"
    )
    assert database_url_from_config({}) == "postgresql://postgres@localhost:5432/postgres"


def test_create_connection_opens_a_transactional_psycopg_connection(confiture_test_server_url: str) -> None:
    conn = create_connection({"database_url": confiture_test_server_url})
    try:
        assert isinstance(conn, psycopg.Connection)
        assert conn.autocommit is False
        assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        conn.close()
    db = DatabaseConfig.from_url(confiture_test_server_url)
    with create_connection(db) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("postgres",)


def test_connection_failures_hide_the_password(confiture_test_server_url: str) -> None:
    bad = _core.url_with_database(confiture_test_server_url, "no_such_db_here")
    bad = bad.replace("postgresql://postgres@", "postgresql://postgres:topsecret@")
    with pytest.raises(MigrationError, match="Failed to connect to database") as info:
        create_connection({"database_url": bad})
    assert "topsecret" not in str(info.value)
