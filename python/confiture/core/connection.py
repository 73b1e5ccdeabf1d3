"""Connections for the Python API: configuration files and psycopg connections.

``load_config`` reads a YAML configuration file (with ``${VAR}`` interpolation, in the engine);
``create_connection`` opens a psycopg connection (autocommit off) from it.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from confiture import _core
from confiture.config.environment import DatabaseConfig
from confiture.exceptions import ConfigurationError, MigrationError

if TYPE_CHECKING:
    import psycopg


def load_config(config_file: Path) -> dict[str, Any]:
    """Reads a configuration file (``db/environments/<env>.yaml``) as a dict."""
    try:
        data = _core.load_yaml(str(config_file))
    except ConfigurationError as e:
        # fraiseql-confiture raised MigrationError here; callers catch it.
        raise MigrationError(str(e)) from e
    if not isinstance(data, dict):
        raise MigrationError(f"Invalid YAML configuration: {config_file}: the top level must be a mapping")
    return data


def database_url_from_config(config: dict[str, Any] | DatabaseConfig) -> str:
    """The connection URL of a config dict (``database_url``, else the ``database:`` mapping)."""
    if isinstance(config, DatabaseConfig):
        return config.to_url()
    return _core.database_url_from_config(config)


def create_connection(config: dict[str, Any] | DatabaseConfig) -> psycopg.Connection:
    """Opens a psycopg connection (autocommit off)."""
    import psycopg

    url = database_url_from_config(config)
    try:
        return psycopg.connect(url, autocommit=False)
    except psycopg.Error as e:
        raise MigrationError(f"Failed to connect to database {_core.redact_url(url)}: {e}") from e


def load_migration_module(migration_file: Path) -> ModuleType:
    """Imports a Python migration file (registered in ``sys.modules`` under its stem)."""
    import importlib.util
    import sys

    path = Path(migration_file)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise MigrationError(f"Cannot load migration module: {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[path.stem]
        raise MigrationError(f"Failed to import migration {path.name}: {type(e).__name__}: {e}") from e
    return module


def get_migration_class(module: ModuleType) -> type:
    """The ``Migration`` subclass defined in the module (exactly one)."""
    from confiture.models.migration import Migration, SQLMigration

    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, Migration)
        and obj not in (Migration, SQLMigration)
        and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        what = "no Migration subclass" if not found else f"{len(found)} Migration subclasses"
        raise MigrationError(f"{module.__file__}: expected one Migration subclass, found {what}")
    return found[0]


def load_migration_class(migration_file: Path) -> type:
    """The migration class of a ``.py`` file, or a ``FileSQLMigration`` class for ``.up.sql``."""
    path = Path(migration_file)
    if path.suffix == ".py":
        return get_migration_class(load_migration_module(path))
    if path.name.endswith(".up.sql"):
        from confiture.models.sql_file_migration import FileSQLMigration

        down = path.with_name(path.name.removesuffix(".up.sql") + ".down.sql")
        if not down.exists():
            raise MigrationError(
                f"SQL migration {path.name} has no matching .down.sql file.\n"
                f"Expected: {down}\nHint: Create {down.name} with the rollback SQL"
            )
        return FileSQLMigration.from_files(path, down)
    raise MigrationError(f"Unknown migration file type: {path.name} (expected .py or .up.sql)")


__all__ = [
    "create_connection",
    "database_url_from_config",
    "get_migration_class",
    "load_config",
    "load_migration_class",
    "load_migration_module",
]
