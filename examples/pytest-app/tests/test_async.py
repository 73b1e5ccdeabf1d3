"""An asyncio app builds and migrates its databases with ``confiture.aio``: the work runs on
Confiture's engine threads, the event loop stays free."""

import asyncio
import uuid
from pathlib import Path

import psycopg
from app.notes import count_notes

from confiture import _core, aio

PROJECT = Path(__file__).resolve().parent.parent


def test_build_then_query_asynchronously(confiture_test_server_url: str) -> None:
    name = f"notes_async_{uuid.uuid4().hex[:8]}"
    url = _core.url_with_database(confiture_test_server_url, name)

    async def main() -> int:
        await aio.build_database("test", PROJECT, database_url=url)
        async with await psycopg.AsyncConnection.connect(url) as aconn:
            return await count_notes(aconn)

    try:
        assert asyncio.run(main()) == 2
    finally:
        _core.drop_database(confiture_test_server_url, name, force=True)


def test_migrate_an_empty_database_asynchronously(confiture_test_server_url: str) -> None:
    name = f"notes_migrated_{uuid.uuid4().hex[:8]}"
    _core.create_database(confiture_test_server_url, name)
    url = _core.url_with_database(confiture_test_server_url, name)
    try:
        applied = asyncio.run(aio.migrate_up(url, migrations_dir=PROJECT / "db" / "migrations"))
        assert applied == ["001", "002", "003", "004"]
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT to_regclass('notes.feed') IS NOT NULL").fetchone() == (True,)
    finally:
        _core.drop_database(confiture_test_server_url, name, force=True)
