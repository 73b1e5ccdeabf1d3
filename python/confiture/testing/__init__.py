"""Testing toolkit: migration sandboxes, schema snapshots, data checks, the migration loader,
migration round trips, throw-away PostgreSQL servers, and the pytest plugin's fixtures.

Names are imported on first use, so the auto-registered pytest plugin costs nothing in projects
that do not use it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from confiture._core import PostgresServer
    from confiture.exceptions import PreStateSimulationError
    from confiture.testing import roundtrip
    from confiture.testing.fixtures.data_validator import (
        ConstraintViolation,
        DataBaseline,
        DataValidator,
        RowCountChange,
    )
    from confiture.testing.fixtures.schema_snapshotter import (
        ColumnInfo,
        ConstraintInfo,
        ForeignKeyInfo,
        IndexInfo,
        SchemaChange,
        SchemaSnapshot,
        SchemaSnapshotter,
        TableSchema,
    )
    from confiture.testing.loader import (
        MigrationLoadError,
        MigrationNotFoundError,
        find_migration_by_version,
        load_migration,
    )
    from confiture.testing.pytest_plugin import migration_test
    from confiture.testing.roundtrip import RoundTripResult, check_migrations
    from confiture.testing.sandbox import MigrationSandbox

_WHERE = {
    "PostgresServer": "confiture._core",
    "PreStateSimulationError": "confiture.exceptions",
    "MigrationSandbox": "confiture.testing.sandbox",
    "load_migration": "confiture.testing.loader",
    "find_migration_by_version": "confiture.testing.loader",
    "MigrationNotFoundError": "confiture.testing.loader",
    "MigrationLoadError": "confiture.testing.loader",
    "DataValidator": "confiture.testing.fixtures.data_validator",
    "DataBaseline": "confiture.testing.fixtures.data_validator",
    "ConstraintViolation": "confiture.testing.fixtures.data_validator",
    "RowCountChange": "confiture.testing.fixtures.data_validator",
    "SchemaSnapshotter": "confiture.testing.fixtures.schema_snapshotter",
    "SchemaSnapshot": "confiture.testing.fixtures.schema_snapshotter",
    "TableSchema": "confiture.testing.fixtures.schema_snapshotter",
    "ColumnInfo": "confiture.testing.fixtures.schema_snapshotter",
    "ConstraintInfo": "confiture.testing.fixtures.schema_snapshotter",
    "IndexInfo": "confiture.testing.fixtures.schema_snapshotter",
    "ForeignKeyInfo": "confiture.testing.fixtures.schema_snapshotter",
    "SchemaChange": "confiture.testing.fixtures.schema_snapshotter",
    "migration_test": "confiture.testing.pytest_plugin",
    "RoundTripResult": "confiture.testing.roundtrip",
    "check_migrations": "confiture.testing.roundtrip",
}


def __getattr__(name: str) -> Any:
    if name == "roundtrip":
        return import_module("confiture.testing.roundtrip")
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'confiture.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ColumnInfo",
    "ConstraintInfo",
    "ConstraintViolation",
    "DataBaseline",
    "DataValidator",
    "ForeignKeyInfo",
    "IndexInfo",
    "MigrationLoadError",
    "MigrationNotFoundError",
    "MigrationSandbox",
    "PostgresServer",
    "PreStateSimulationError",
    "RoundTripResult",
    "RowCountChange",
    "SchemaChange",
    "SchemaSnapshot",
    "SchemaSnapshotter",
    "TableSchema",
    "check_migrations",
    "find_migration_by_version",
    "load_migration",
    "migration_test",
    "roundtrip",
]
