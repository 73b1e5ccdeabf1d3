"""The ``Migrator`` API: migrations on your own psycopg connection.

Everything runs inside the connection you pass: Python migrations use it directly, SQL file
migrations, tracking rows, locks and preconditions go through it from the engine. A migration
opens its own transaction when the connection is idle (and commits it), or a savepoint when you
already have a transaction open (which stays yours to commit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from confiture import _core
from confiture.core._host import MigrationHost
from confiture.core.checksum import ChecksumConfig, ChecksumMismatchBehavior
from confiture.core.dry_run import DryRunResult
from confiture.core.locking import LockConfig


class Migrator:
    def __init__(
        self,
        connection: Any,
        *,
        migration_table: str = "tb_confiture",
        migrations_dir: Path | None = None,
        hook_registry: Any = None,
    ) -> None:
        self.connection = connection
        self.migration_table = migration_table
        self.migrations_dir = Path(migrations_dir) if migrations_dir is not None else Path("db/migrations")
        self.hook_registry = hook_registry

    def _host(self, skip_preconditions: bool = False) -> MigrationHost:
        return MigrationHost(
            connection=self.connection, registry=self.hook_registry, skip_preconditions=skip_preconditions
        )

    def _dir(self, migrations_dir: Path | None) -> str:
        return str(migrations_dir if migrations_dir is not None else self.migrations_dir)

    def initialize(self) -> None:
        """Creates the tracking table if it does not exist."""
        _core.migrator_initialize(self.connection, self.migration_table)

    def apply(
        self,
        migration: Any,
        force: bool = False,
        migration_file: Path | None = None,
        skip_preconditions: bool = False,
    ) -> None:
        """Applies one migration object (``MigrationError`` if already applied, unless ``force``)."""
        host = self._host(skip_preconditions)
        _core.migrator_apply(
            self.connection, self.migration_table, host.spec(migration, migration_file), force, host
        )

    def rollback(self, migration: Any, skip_preconditions: bool = False) -> None:
        """Rolls back one applied migration object."""
        host = self._host(skip_preconditions)
        _core.migrator_rollback(self.connection, self.migration_table, host.spec(migration), host)

    def mark_applied(self, migration_file: Path, reason: str = "baseline") -> str:
        """Records a migration file as applied without running it; returns its version."""
        version = _core.migrator_mark_applied(self.connection, self.migration_table, str(migration_file))
        return version or self._version_from_filename(Path(migration_file).name)

    def get_applied_versions(self) -> list[str]:
        return [row["version"] for row in _core.migrator_applied(self.connection, self.migration_table)]

    def find_migration_files(self, migrations_dir: Path | None = None) -> list[Path]:
        scanned = _core.migrate_scan(self._dir(migrations_dir))
        return [Path(m["kind"].get("up") or m["kind"].get("file")) for m in scanned["migrations"]]

    def find_pending(self, migrations_dir: Path | None = None) -> list[Path]:
        status = _core.migrate_status(self.connection, self._dir(migrations_dir), self.migration_table)
        pending = set(status["pending"])
        return [p for p, v in self._files_with_versions(migrations_dir) if v in pending]

    def _files_with_versions(self, migrations_dir: Path | None) -> list[tuple[Path, str]]:
        scanned = _core.migrate_scan(self._dir(migrations_dir))
        return [
            (Path(m["kind"].get("up") or m["kind"].get("file")), m["version"]) for m in scanned["migrations"]
        ]

    def find_orphaned_sql_files(self, migrations_dir: Path | None = None) -> list[Path]:
        scanned = _core.migrate_scan(self._dir(migrations_dir))
        return [Path(p["file"]) for p in scanned["problems"] if p["kind"] == "orphan"]

    def fix_orphaned_sql_files(
        self, migrations_dir: Path | None = None, dry_run: bool = False
    ) -> dict[str, list]:
        fixed = _core.migrate_fix_naming(self._dir(migrations_dir), dry_run)
        return {
            "renamed": [(Path(a), Path(b)) for a, b in fixed["renamed"]],
            "errors": [(Path(a), msg) for a, msg in fixed["errors"]],
        }

    def migrate_up(
        self,
        force: bool = False,
        migrations_dir: Path | None = None,
        target: str | None = None,
        lock_config: LockConfig | None = None,
        checksum_config: ChecksumConfig | None = None,
    ) -> list[str]:
        """Applies pending migrations (``.py`` and ``.up.sql``); returns the versions applied."""
        checks = checksum_config or ChecksumConfig()
        options = {
            "target": target,
            "force": force,
            "verify_checksums": checks.enabled,
            "on_mismatch": checks.on_mismatch.value
            if isinstance(checks.on_mismatch, ChecksumMismatchBehavior)
            else str(checks.on_mismatch),
        }
        lock = (lock_config or LockConfig())._engine()
        report = _core.migrate_up(
            self.connection, self._dir(migrations_dir), self.migration_table, options, lock, self._host()
        )
        return [d["version"] for d in report["applied"]]

    def dry_run(self, migration: Any) -> DryRunResult:
        """Runs the migration in a transaction that is rolled back and reports what it did."""
        host = self._host()
        report = _core.migrator_dry_run(self.connection, self.migration_table, host.spec(migration), host)
        return DryRunResult._from_report(report)

    def check_preconditions(
        self, migration: Any, direction: str = "up"
    ) -> tuple[bool, list[tuple[object, str]]]:
        from confiture.core.preconditions import PreconditionValidator

        items = getattr(migration, f"{direction}_preconditions", []) or []
        return PreconditionValidator(self.connection).check(items)

    def _version_from_filename(self, filename: str) -> str:
        return filename.removesuffix(".up.sql").removesuffix(".py").split("_", 1)[0]

    def _is_applied(self, version: str) -> bool:
        return version in self.get_applied_versions()

    def _update_checksum(self, version: str, checksum: str) -> None:
        _core.migrator_update_checksum(self.connection, self.migration_table, version, checksum)


__all__ = ["Migrator"]
