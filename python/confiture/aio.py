"""Awaitable builds, migrations and syncs for asyncio applications (FraiseQL apps run on asyncio).

The work runs on the engine's own tokio runtime, on its blocking pool — never on the event
loop's thread — and the result comes back to the loop when it is done (through
pyo3-async-runtimes), so other tasks keep running meanwhile::

    from confiture import aio

    report = await aio.build_database("test", database_url=url, recreate=True)
    applied = await aio.migrate_up(url, migrations_dir="db/migrations")
    rows = await aio.sync("production", "staging", SyncConfig(truncate=True))

Call them from inside a running event loop. Cancelling a sync's task cancels the sync (what is
not committed is rolled back); a build or a migration that has started runs to its end (each
migration is atomic), and the cancellation is seen after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from confiture import _core

if TYPE_CHECKING:
    from confiture.config.environment import DatabaseConfig
    from confiture.core.builder import DatabaseBuildReport
    from confiture.core.checksum import ChecksumConfig
    from confiture.core.locking import LockConfig
    from confiture.core.syncer import SyncConfig


async def build_database(
    env: str,
    project_dir: Path | str | None = None,
    *,
    database_url: str | None = None,
    schema_only: bool = False,
    recreate: bool = False,
    use_cache: bool = True,
) -> DatabaseBuildReport:
    """``SchemaBuilder(env, project_dir).build_database(...)``, awaitable."""
    from confiture.core.builder import SchemaBuilder

    builder = SchemaBuilder(
        env, Path(project_dir) if project_dir is not None else None, schema_only=schema_only
    )
    return await builder.build_database_async(database_url, recreate=recreate, use_cache=use_cache)


async def migrate_up(
    database_url: str,
    *,
    migrations_dir: Path | str = "db/migrations",
    target: str | None = None,
    force: bool = False,
    migration_table: str = "tb_confiture",
    lock_config: LockConfig | None = None,
    checksum_config: ChecksumConfig | None = None,
) -> list[str]:
    """Applies pending migrations (``.py`` and ``.up.sql``) to the database at ``database_url``,
    as ``confiture migrate up`` does (its own connection, the advisory lock, checksums); returns
    the versions applied. Python migrations run on an engine thread."""
    from confiture.core._host import MigrationHost
    from confiture.core.checksum import ChecksumConfig, ChecksumMismatchBehavior
    from confiture.core.locking import LockConfig

    checks = checksum_config or ChecksumConfig()
    mismatch = checks.on_mismatch
    options = {
        "target": target,
        "force": force,
        "verify_checksums": checks.enabled,
        "on_mismatch": mismatch.value if isinstance(mismatch, ChecksumMismatchBehavior) else str(mismatch),
    }
    lock = (lock_config or LockConfig())._engine()
    report = await _core.migrate_up_async(
        database_url, str(migrations_dir), migration_table, options, lock, MigrationHost()
    )
    return [d["version"] for d in report["applied"]]


async def sync(
    source: DatabaseConfig | str,
    target: DatabaseConfig | str,
    config: SyncConfig | None = None,
    *,
    project_dir: Path | str | None = None,
) -> dict[str, int]:
    """``ProductionSyncer(source, target).sync(config)``, awaitable: the rows copied per table."""
    from confiture.core.syncer import ProductionSyncer, SyncConfig

    syncer = ProductionSyncer(source, target, project_dir=project_dir)
    return await syncer.sync_async(config or SyncConfig())


__all__ = ["build_database", "migrate_up", "sync"]
