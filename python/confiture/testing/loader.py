"""Loading migration classes by name or version, for tests.

``load_migration("003_add_users")`` or ``load_migration(version="003")`` returns the migration's
class — the ``Migration`` subclass of a ``.py`` file, or a ``FileSQLMigration`` class for an
``.up.sql``/``.down.sql`` pair — ready to instantiate with a connection. Versions compare as the
engine compares them (``3`` finds ``003``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from confiture.exceptions import MigrationError

if TYPE_CHECKING:
    from confiture.models.migration import Migration


class MigrationNotFoundError(MigrationError):
    """No migration file matches the name or version (or several match the version)."""


class MigrationLoadError(MigrationError):
    """The migration file exists but cannot be loaded (import error, no ``Migration`` class, no
    ``.down.sql`` for an ``.up.sql``)."""


def _directory(migrations_dir: Path | str | None) -> Path:
    return Path(migrations_dir) if migrations_dir is not None else Path("db/migrations")


def _matches(directory: Path, name: str | None, version: str | None) -> list[dict[str, Any]]:
    from confiture import _core

    return _core.migrate_find(str(directory), version, name)


def _file_of(found: dict[str, Any]) -> Path:
    kind = found["kind"]
    return Path(kind.get("up") or kind.get("file"))


def load_migration(
    name: str | None = None,
    *,
    version: str | None = None,
    migrations_dir: Path | str | None = None,
) -> type[Migration]:
    """The class of migration ``name`` (``003_add_users``, without extension) or ``version``.

    Raises ``MigrationNotFoundError`` when nothing (or, for a version, more than one file)
    matches, ``MigrationLoadError`` when the file cannot be loaded, ``ValueError`` unless exactly
    one of ``name`` and ``version`` is given.
    """
    if (name is None) == (version is None):
        raise ValueError("give either 'name' or 'version' (exactly one)")
    directory = _directory(migrations_dir)
    if not directory.is_dir():
        raise MigrationNotFoundError(f"Migrations directory not found: {directory.absolute()}")
    if name is not None:
        for suffix in (".up.sql", ".py"):
            name = name.removesuffix(suffix)
    found = _matches(directory, name, version)
    if not found:
        wanted = f"named {name!r}" if name is not None else f"with version {version!r}"
        raise MigrationNotFoundError(
            f"No migration {wanted} in {directory}\n"
            "Hint: migration files are named like '003_add_users.py' or '003_add_users.up.sql'; "
            "give the name without extension, or version='003'"
        )
    if len(found) > 1:
        files = [_file_of(f).name for f in found]
        raise MigrationNotFoundError(
            f"Several migrations have version {version!r} in {directory}: {files}\n"
            "Hint: give the full name instead (load_migration('003_add_users'))"
        )
    return _load_class(found[0])


def _load_class(found: dict[str, Any]) -> type[Migration]:
    from confiture.core.connection import load_migration_class

    path = _file_of(found)
    kind = found["kind"]
    if kind["type"] == "sql" and not kind.get("down"):
        raise MigrationLoadError(
            f"Cannot load migration {path.name}: it has no .down.sql file "
            f"(expected {path.name.removesuffix('.up.sql')}.down.sql next to it)",
            version=found["version"],
            migration_name=found["name"],
        )
    try:
        return load_migration_class(path)
    except Exception as e:
        raise MigrationLoadError(
            f"Cannot load migration from {path}: {e}\n"
            "Hint: the file must define exactly one Migration subclass",
            version=found["version"],
            migration_name=found["name"],
        ) from e


def find_migration_by_version(version: str, migrations_dir: Path | str | None = None) -> Path | None:
    """The file of the migration with this version (``.py`` or ``.up.sql``); None when no file or
    several files have it."""
    directory = _directory(migrations_dir)
    if not directory.is_dir():
        return None
    found = _matches(directory, None, version)
    return _file_of(found[0]) if len(found) == 1 else None


__all__ = ["MigrationLoadError", "MigrationNotFoundError", "find_migration_by_version", "load_migration"]
