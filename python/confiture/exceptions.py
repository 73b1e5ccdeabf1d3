"""Exceptions raised by Confiture.

Class names and constructors match fraiseql-confiture (note the spelling ``ConfiturError``).
Errors coming from the engine carry structured attributes (file, line, SQLSTATE, …) next to the
message, so callers never need to parse text.
"""

from __future__ import annotations

from typing import Any


class ConfiturError(Exception):
    """Base class of every Confiture error."""


class ConfigurationError(ConfiturError):
    """An environment file is missing, unreadable or invalid."""


class MigrationError(ConfiturError):
    """A migration could not be loaded, applied or rolled back."""

    def __init__(self, message: str, version: str | None = None, migration_name: str | None = None) -> None:
        super().__init__(message)
        self.version = version
        self.migration_name = migration_name


class SchemaError(ConfiturError):
    """The schema files could not be found, read or built."""


class SchemaApplyError(SchemaError):
    """A statement failed while building a database; nothing was left half-built.

    Attributes: ``file`` (relative to the build's base directory), ``line``, ``column`` (or None),
    ``statement``, ``sqlstate``, ``detail``, ``hint``, ``context``.
    """

    file: str
    line: int
    column: int | None
    statement: str
    sqlstate: str
    detail: str | None
    hint: str | None
    context: str | None


class SyncError(ConfiturError):
    """Copying data between databases failed or was refused.

    Attributes when they apply: ``problems`` (everything that stops a sync from starting),
    ``tables`` (non-empty target tables), ``table``, ``column``, ``sqlstate``.
    """


class AnonymizationError(ConfiturError, ValueError):
    """Anonymization cannot run: no key, an unknown strategy, an invalid config, or a value a
    strategy cannot handle (the value itself is never shown)."""


class AnonymizationProfileError(ConfigurationError, ValueError):
    """An anonymization profile is invalid; ``problems`` lists every problem found. A
    ``ValueError``, as fraiseql-confiture raised."""


class ProfileNotFoundError(ConfigurationError, FileNotFoundError):
    """An anonymization profile file does not exist (``filename``). A ``FileNotFoundError``, as
    fraiseql-confiture raised."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CoordinationError(ConfiturError, ValueError):
    """A coordination request was refused: bad input, unknown intent or conflict, or a status
    change the intent's current status does not allow (a ``ValueError``, as in 0.3.9)."""


class DifferError(ConfiturError):
    """Two schemas could not be compared."""


class ValidationError(ConfiturError):
    """Validation found a problem."""


class RollbackError(ConfiturError):
    """A rollback failed."""


class SQLError(ConfiturError):
    """A SQL statement failed (kept for fraiseql-confiture compatibility)."""

    def __init__(self, sql: str, params: Any, original_error: Exception) -> None:
        self.sql = sql
        self.params = params
        self.original_error = original_error
        preview = sql if len(sql) <= 100 else sql[:100] + "[...]"
        parts = [f"SQL execution failed | SQL: {preview}"]
        if params:
            parts.append(f"Parameters: {params}")
        parts.append(f"Error: {original_error}")
        super().__init__(" | ".join(parts))


class DatabaseError(ConfiturError):
    """PostgreSQL reported an error. Attributes: ``sqlstate``, ``detail``, ``hint``."""

    sqlstate: str | None
    detail: str | None
    hint: str | None


class DatabaseConnectionError(DatabaseError):
    """A database could not be reached (the message names host:port/database, never a password)."""


class TemporaryServerError(ConfiturError):
    """A throw-away PostgreSQL server could not be started or stopped."""


class PreStateSimulationError(ConfiturError):
    """``MigrationSandbox.simulate_pre_state`` could not run a migration's ``down`` (the database
    is not in the migration's post-state, or the down migration is broken)."""


class ConfigurationWarning(UserWarning):
    """Something in an environment file was ignored (e.g. an unknown key)."""


_LAZY = {
    "PreconditionError": "confiture.core.preconditions",
    "PreconditionValidationError": "confiture.core.preconditions",
}


def __getattr__(name: str) -> Any:
    """fraiseql-confiture re-exported these from here; they live with the preconditions."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'confiture.exceptions' has no attribute {name!r}")


__all__ = [
    "AnonymizationError",
    "AnonymizationProfileError",
    "ConfigurationError",
    "ConfigurationWarning",
    "ConfiturError",
    "DatabaseConnectionError",
    "DatabaseError",
    "DifferError",
    "MigrationError",
    "PreStateSimulationError",
    "ProfileNotFoundError",
    "RollbackError",
    "SQLError",
    "SchemaApplyError",
    "SchemaError",
    "SyncError",
    "TemporaryServerError",
    "ValidationError",
]
