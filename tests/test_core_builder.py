"""confiture.core.builder.SchemaBuilder against real files and a real PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from confiture.core.builder import SchemaBuilder
from confiture.exceptions import ConfigurationError, SchemaApplyError, SchemaError


def test_files_order_hash_and_base_dir(simple_project: Path) -> None:
    b = SchemaBuilder("local", simple_project)
    assert b.include_dirs == [simple_project / "db/schema", simple_project / "db/seeds/common"]
    assert b.base_dir == simple_project / "db"
    assert b.include_configs[0]["include"] == ["**/*.sql"]
    assert [p.relative_to(simple_project).as_posix() for p in b.find_sql_files()] == [
        "db/schema/00_common/schema.sql",
        "db/schema/10_tables/01_users.sql",
        "db/schema/10_tables/02_posts.sql",
        "db/seeds/common/users.sql",
    ]
    # The documented hash: sha256 over the per-file digests of (relative path, NUL, bytes, NUL).
    outer = hashlib.sha256()
    for f in b.find_sql_files():
        rel = f.relative_to(b.base_dir).as_posix()
        outer.update(hashlib.sha256(rel.encode() + b"\0" + f.read_bytes() + b"\0").digest())
    assert b.compute_hash() == outer.hexdigest()


def test_build_returns_and_writes_the_schema(simple_project: Path, tmp_path: Path) -> None:
    b = SchemaBuilder("local", simple_project)
    out = tmp_path / "out" / "schema.sql"
    text = b.build(out)
    assert out.read_text() == text
    assert f"-- Schema Hash: {b.compute_hash()}\n" in text
    assert "-- Files Included: 4\n" in text
    assert "\n-- File: schema/10_tables/01_users.sql\n" in text
    assert text.index("01_users.sql") < text.index("02_posts.sql") < text.index("seeds/common/users.sql")


def test_schema_only_and_mutated_include_dirs(simple_project: Path) -> None:
    b = SchemaBuilder("local", simple_project, schema_only=True)
    assert all("seeds" not in p.parts for p in b.find_sql_files())
    full = SchemaBuilder("local", simple_project)
    assert full.compute_hash() != b.compute_hash()
    # Changing include_configs changes discovery, as in fraiseql-confiture.
    full.include_configs = full.include_configs[1:]
    assert [p.name for p in full.find_sql_files()] == ["users.sql"]


def test_unreadable_and_non_utf8_files_are_named(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {
            "db/environments/local.yaml": "include_dirs: [db/schema]\n",
            "db/schema/a.sql": "SELECT 1;\n",
        }
    )
    (root / "db/schema/b.sql").write_bytes(b"SELECT 1;\nSELECT '\xff';\n")
    with pytest.raises(SchemaError, match=r"b\.sql:2: file is not valid UTF-8"):
        SchemaBuilder("local", root).build()
    (root / "db/schema/b.sql").unlink()
    (root / "db/schema/c.sql").symlink_to(root / "nowhere.sql")
    with pytest.raises(SchemaError, match=r"c\.sql"):
        SchemaBuilder("local", root).build()


def test_no_files_and_missing_env(make_project: Callable[..., Path]) -> None:
    root = make_project(
        {"db/environments/local.yaml": "include_dirs: [db/schema]\n", "db/schema/readme.txt": "x"}
    )
    with pytest.raises(SchemaError, match="No SQL files found in include directories"):
        SchemaBuilder("local", root).find_sql_files()
    with pytest.raises(ConfigurationError, match="available environments: local"):
        SchemaBuilder("staging", root)


def test_build_database_then_clone_from_template(
    simple_project: Path, db_url: str, db_name: str, query: Callable[[str, str], list[tuple]]
) -> None:
    b = SchemaBuilder("local", simple_project)
    cold = b.build_database(db_url)
    assert (cold.action, cold.database, cold.files, cold.statements) == ("created", db_name, 4, 4)
    assert cold.template_created and cold.from_template is None
    assert {o.kind: o.count for o in cold.objects}["tables"] == 2
    assert query(db_name, "SELECT email FROM app.users ORDER BY 1") == [
        ("a@example.com",),
        ("b@example.com",),
    ]

    with pytest.raises(SchemaError, match="not empty"):
        b.build_database(db_url)
    warm = b.build_database(db_url, recreate=True)
    assert warm.action == "recreated" and warm.from_template == cold.template_created
    assert query(db_name, "SELECT count(*) FROM app.users") == [(2,)]


def test_build_database_errors_carry_their_location(
    make_project: Callable[..., Path], db_url: str, db_name: str, database_exists: Callable[[str], bool]
) -> None:
    root = make_project(
        {
            "db/environments/local.yaml": "include_dirs: [db/schema]\n",
            "db/schema/1.sql": "CREATE TABLE t (id int);\n",
            "db/schema/2.sql": "\n\nCREATE TABLE u (\n  id int,\n  t_id int REFERENCES t (nope)\n);\n",
        }
    )
    with pytest.raises(SchemaApplyError) as info:
        SchemaBuilder("local", root).build_database(db_url)
    e = info.value
    assert (e.file, e.line, e.sqlstate) == ("2.sql", 3, "42703")
    assert e.statement.startswith("CREATE TABLE u (")
    assert "removed" in str(e)
    assert not database_exists(db_name)


def test_the_gil_is_released_during_engine_work(make_project: Callable[..., Path], db_url: str) -> None:
    root = make_project(
        {
            "db/environments/local.yaml": "include_dirs: [db/schema]\n",
            "db/schema/slow.sql": "SELECT pg_sleep(0.4);\nCREATE TABLE t (id int);\n",
        }
    )
    builder = SchemaBuilder("local", root)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (builder.build_database(db_url, use_cache=False), done.set()))
    ticks = 0
    started = time.monotonic()
    worker.start()
    while not done.is_set() and time.monotonic() - started < 30:
        ticks += 1
    worker.join()
    assert done.is_set()
    # Holding the GIL for 0.4 s would leave this thread a handful of switch intervals at most.
    assert ticks > 100_000, ticks
