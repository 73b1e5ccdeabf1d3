"""``confiture.core.schema_to_schema``: fraiseql-confiture's ``SchemaToSchemaMigrator`` on psycopg
connections (real host, port and credentials), and the workflow methods behind the CLI."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from confiture.core import schema_to_schema as s2s
from confiture.core.schema_to_schema import SchemaToSchemaMigrator
from confiture.exceptions import MigrationError
from sync_support import Pair, make_pair

SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE people (id int PRIMARY KEY, full_name text NOT NULL, mail text);
"""
DATA = "INSERT INTO users SELECT i, 'Name ' || i, 'U' || i || '@X.ORG' FROM generate_series(1, {n}) i;"


@pytest.fixture
def pair(confiture_test_server_url: str) -> Iterator[Pair]:
    yield from make_pair(confiture_test_server_url, rows=50, schema=SCHEMA, data=DATA)


@pytest.fixture
def migrator(pair: Pair) -> Iterator[SchemaToSchemaMigrator]:
    with psycopg.connect(pair.source_url) as source, psycopg.connect(pair.target_url) as target:
        yield SchemaToSchemaMigrator(source, target)


def test_constants_match_fraiseql_confiture() -> None:
    assert s2s.DEFAULT_FOREIGN_SCHEMA_NAME == "old_schema"
    assert s2s.DEFAULT_SERVER_NAME == "confiture_source_server"
    assert (s2s.DEFAULT_HOST, s2s.DEFAULT_PORT) == ("localhost", "5432")
    assert (s2s.LARGE_TABLE_THRESHOLD, s2s.FDW_THROUGHPUT, s2s.COPY_THROUGHPUT) == (
        10_000_000,
        500_000,
        6_000_000,
    )


def test_reference_methods_on_psycopg_connections(pair: Pair, migrator: SchemaToSchemaMigrator) -> None:
    migrator.setup_fdw()
    port = psycopg.conninfo.conninfo_to_dict(pair.source_url)["port"]
    options = pair.query(
        "target", "SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'confiture_source_server'"
    )
    assert f"port={port}" in options[0][0] and f"dbname={pair.source}" in options[0][0]
    assert pair.query("target", "SELECT count(*) FROM old_schema.users") == [(50,)]

    assert migrator.migrate_table("users", "people", {"id": "id", "name": "full_name", "email": "mail"}) == 50
    assert pair.query("target", "SELECT full_name, mail FROM people WHERE id = 3") == [("Name 3", "U3@X.ORG")]
    # As in fraiseql-confiture, migrating again inserts again: here the primary key refuses.
    with pytest.raises(MigrationError, match="duplicate key"):
        migrator.migrate_table("users", "people", {"id": "id", "name": "full_name"})

    assert migrator.migrate_table_copy("users", "users", {"id": "id", "name": "name", "email": "email"}) == 50
    assert migrator.verify_migration(["users"]) == {
        "users": {"source_count": 50, "target_count": 50, "match": True, "difference": 0}
    }
    pair.execute("source", "DELETE FROM users WHERE id > 45")
    assert migrator.verify_migration(["users"])["users"]["difference"] == 5

    analysis = migrator.analyze_tables()
    assert analysis["users"]["strategy"] == "fdw" and analysis["users"]["row_count"] == 45
    assert analysis["users"]["estimated_seconds"] > 0

    with pytest.raises(MigrationError, match="column_mapping is empty"):
        migrator.migrate_table("users", "people", {})

    migrator.cleanup_fdw()
    assert pair.query("target", "SELECT count(*) FROM pg_foreign_server") == [(0,)]
    assert pair.query("target", "SELECT to_regnamespace('old_schema')") == [(None,)]


def test_workflow_methods_with_a_mapping_dict(pair: Pair, migrator: SchemaToSchemaMigrator) -> None:
    mapping = {
        "tables": {
            "people": {"from": "users", "columns": {"id": "id", "full_name": "upper(name)", "mail": "email"}}
        }
    }
    setup = migrator.setup(mapping, capture=True)
    assert setup["capture"]["tables"] == ["users"]
    report = migrator.migrate(mapping, strategy="copy", batch_rows=10)
    assert report["rows"] == 50 and report["tables"][0]["batches"] == 5
    pair.execute("source", "UPDATE users SET name = 'changed' WHERE id = 1; DELETE FROM users WHERE id = 2")
    assert not migrator.verify()["ok"]
    caught = migrator.catch_up()
    assert caught["tables"] == [{"table": "people", "keys": 2, "upserted": 1, "deleted": 1}]
    assert migrator.verify(tables=["people"])["ok"]
    assert migrator.cutover(lock_timeout_ms=2000)["ok"]
    assert pair.query("target", "SELECT full_name FROM people WHERE id = 1") == [("CHANGED",)]
    migrator.cleanup()
    assert pair.query("source", "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'confiture%'") == [(0,)]


def test_errors_are_migration_errors_with_details(pair: Pair, migrator: SchemaToSchemaMigrator) -> None:
    with pytest.raises(MigrationError) as e:
        migrator.migrate({"tables": {"people": {"from": "nope"}}})
    assert e.value.problems == ["people: source table nope does not exist on the source"]  # type: ignore[attr-defined]
    with pytest.raises(
        MigrationError, match=r"mapping: tables\.people\.columns\.mail: .*expected one expression"
    ):
        migrator.migrate({"tables": {"people": {"from": "users", "columns": {"mail": "a, b"}}}})
    with pytest.raises(TypeError):
        SchemaToSchemaMigrator(object(), object()).setup_fdw()


def test_progress_bars_and_a_thread_that_keeps_running(pair: Pair) -> None:
    """The progress-bar path renders while the engine works without the GIL."""
    import threading

    ticks = 0
    stop = threading.Event()

    def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            stop.wait(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        mapping = {"tables": {"people": {"from": "users", "columns": {"id": "id", "full_name": "name"}}}}
        request = {
            "source": pair.source_url,
            "target": pair.target_url,
            "mapping": mapping,
            "strategy": "copy",
        }
        report = s2s.run_step("migrate", request, show_progress=True)
    finally:
        stop.set()
        thread.join()
    assert report["rows"] == 50
    assert ticks > 5
