"""confiture.aio: awaitable build, migrate up and sync. The work runs off the event loop: a ticker
task keeps running while it is in progress."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from confiture import _core, aio
from confiture.core.syncer import ProductionSyncer, SyncConfig
from confiture.exceptions import DatabaseConnectionError, MigrationError, SyncError


async def run_with_ticker(work: Awaitable[Any]) -> tuple[Any, int, float]:
    """Awaits ``work`` while a task ticks every 10 ms; returns its result, the ticks seen while it
    ran, and how long it took."""
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    start = time.perf_counter()
    try:
        result = await work
    finally:
        done.set()
        await task
    return result, ticks, time.perf_counter() - start


def run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(coro_fn())  # type: ignore[arg-type]


def sleepy_project(make_project: Callable[..., Path]) -> Path:
    return make_project(
        {
            "db/environments/local.yaml": "include_dirs: [db/schema]\n",
            "db/schema/t.sql": "CREATE TABLE t (id int PRIMARY KEY);\nSELECT pg_sleep(0.4);\n",
            "db/migrations/001_slow.up.sql": "CREATE TABLE slow (id int);\nSELECT pg_sleep(0.4);\n",
            "db/migrations/001_slow.down.sql": "DROP TABLE slow;\n",
            "db/migrations/002_py.py": (
                "from confiture.models.migration import Migration\n\n"
                "class Py(Migration):\n"
                "    version = '002'\n    name = 'py'\n\n"
                "    def up(self):\n        self.execute('CREATE TABLE from_python (id int)')\n\n"
                "    def down(self):\n        self.execute('DROP TABLE from_python')\n"
            ),
        }
    )


def test_build_and_migrate_do_not_block_the_event_loop(
    make_project: Callable[..., Path], db_url: str
) -> None:
    project = sleepy_project(make_project)

    async def main() -> tuple[Any, ...]:
        report, build_ticks, build_s = await run_with_ticker(
            aio.build_database("local", project, database_url=db_url, use_cache=False)
        )
        applied, migrate_ticks, migrate_s = await run_with_ticker(
            aio.migrate_up(db_url, migrations_dir=project / "db" / "migrations")
        )
        return report, build_ticks, build_s, applied, migrate_ticks, migrate_s

    report, build_ticks, build_s, applied, migrate_ticks, migrate_s = run(main)
    assert report.action == "created" and report.database
    assert applied == ["001", "002"]
    # Each took at least the 0.4 s of pg_sleep; a blocked loop would not have ticked meanwhile.
    assert build_s >= 0.4 and migrate_s >= 0.4
    assert build_ticks >= 15 and migrate_ticks >= 15, (build_ticks, migrate_ticks)
    with psycopg.connect(db_url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"t", "slow", "from_python", "tb_confiture"} <= tables
    # Nothing left to apply; the same runtime serves a second event loop.
    assert run(lambda: aio.migrate_up(db_url, migrations_dir=project / "db" / "migrations")) == []


def test_errors_arrive_as_confiture_exceptions(make_project: Callable[..., Path], db_url: str) -> None:
    project = sleepy_project(make_project)
    (project / "db/migrations/003_bad.up.sql").write_text("SELECT * FROM no_such_table;\n")
    (project / "db/migrations/003_bad.down.sql").write_text("SELECT 1;\n")
    run(lambda: aio.build_database("local", project, database_url=db_url, use_cache=False))
    with pytest.raises(MigrationError, match="no_such_table") as e:
        run(lambda: aio.migrate_up(db_url, migrations_dir=project / "db" / "migrations"))
    assert e.value.version == "003"
    missing = db_url.rsplit("/", 1)[0] + "/no_such_database_here"
    with pytest.raises(DatabaseConnectionError, match="no_such_database_here"):
        run(lambda: aio.migrate_up(missing, migrations_dir=project / "db" / "migrations"))


def test_awaitables_need_a_running_loop() -> None:
    with pytest.raises(RuntimeError, match="no running event loop"):
        _core.migrate_up_async("postgresql://localhost/x", "db/migrations", "tb_confiture", {})


@pytest.fixture
def two_databases(confiture_test_server_url: str, db_name: str) -> tuple[str, str]:
    urls = []
    for suffix in ("src", "dst"):
        name = f"{db_name}_{suffix}"
        _core.create_database(confiture_test_server_url, name)
        url = _core.url_with_database(confiture_test_server_url, name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE users (id int PRIMARY KEY, email text)")
            if suffix == "src":
                conn.execute(
                    "INSERT INTO users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 5000) g"
                )
        urls.append(url)
    yield urls[0], urls[1]
    for suffix in ("src", "dst"):
        _core.drop_database(confiture_test_server_url, f"{db_name}_{suffix}", force=True)


def test_sync(two_databases: tuple[str, str]) -> None:
    source, target = two_databases
    rows = run(lambda: aio.sync(source, target))
    assert rows == {"users": 5000}
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT count(*), max(id) FROM users").fetchone() == (5000, 5000)
    # A second sync into the non-empty target is refused, as the synchronous one is.
    with pytest.raises(SyncError, match="non-empty table"):
        run(lambda: ProductionSyncer(source, target).sync_async(SyncConfig()))


def test_cancelling_a_sync_task_cancels_the_sync(two_databases: tuple[str, str]) -> None:
    source, target = two_databases
    # 12 MB: the copy checks for cancellation between its 512 KiB chunks.
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("TRUNCATE users")
        conn.execute("INSERT INTO users SELECT g, repeat('x', 600) FROM generate_series(1, 20000) g")

    async def main() -> None:
        task = asyncio.create_task(aio.sync(source, target))
        await asyncio.sleep(0.005)  # the engine is connecting and planning
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main)
    # The sync stops at its first chunk and rolls back: wait until its sessions are gone.
    deadline = time.monotonic() + 20
    while True:
        with psycopg.connect(target) as conn:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            count = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        if busy == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert busy == 0, "the cancelled sync is still running"
    assert count == 0, "the cancelled sync copied nothing"
