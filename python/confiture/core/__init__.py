"""Core API: schema builder, connections, migrations (``Migrator``), preconditions, checksums,
locking, dry runs and hooks. Re-exports load on first use so importing a submodule stays cheap."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DryRunError": "confiture.core.dry_run",
    "DryRunExecutor": "confiture.core.dry_run",
    "DryRunResult": "confiture.core.dry_run",
    "Migrator": "confiture.core.migrator",
    "SchemaBuilder": "confiture.core.builder",
    **{
        name: "confiture.core.preconditions"
        for name in [
            "ColumnExists",
            "ColumnNotExists",
            "ColumnType",
            "ConstraintExists",
            "ConstraintNotExists",
            "CustomSQL",
            "ForeignKeyExists",
            "IndexExists",
            "IndexNotExists",
            "Precondition",
            "PreconditionError",
            "PreconditionValidationError",
            "PreconditionValidator",
            "RowCountEquals",
            "RowCountGreaterThan",
            "SchemaExists",
            "SchemaNotExists",
            "TableExists",
            "TableIsEmpty",
            "TableNotExists",
        ]
    },
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'confiture.core' has no attribute {name!r}")
    return getattr(import_module(module), name)
