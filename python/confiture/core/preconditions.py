"""Preconditions: what must hold in the database before a migration runs.

The 16 kinds of fraiseql-confiture, with the same names and fields. Checks run in the engine
(catalog queries, quoted names) on the connection they are given: a psycopg connection, or the
connection a migration gets under the CLI. A custom precondition subclasses ``Precondition`` and
implements ``check``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any

from confiture import _core
from confiture.exceptions import ConfiturError


class PreconditionError(ConfiturError):
    """One precondition does not hold."""

    def __init__(
        self,
        precondition: Precondition | str,
        message: str,
        migration_version: str | None = None,
        migration_name: str | None = None,
    ) -> None:
        self.precondition = precondition
        self.message = message
        self.migration_version = migration_version
        self.migration_name = migration_name
        super().__init__(f"Precondition failed: {precondition}: {message}")


class PreconditionValidationError(ConfiturError):
    """Some preconditions of a migration do not hold."""

    def __init__(
        self,
        failures: list[tuple[Any, str]],
        migration_version: str | None = None,
        migration_name: str | None = None,
    ) -> None:
        self.failures = [tuple(f) for f in failures]
        self.migration_version = migration_version
        self.migration_name = migration_name
        lines = "\n".join(f"  - {p}: {e}" for p, e in self.failures)
        super().__init__(f"Migration preconditions failed ({len(self.failures)} failures):\n{lines}")


class Precondition(ABC):
    """Something that must hold before a migration runs."""

    @abstractmethod
    def check(self, connection: Any) -> tuple[bool, str]:
        """Returns (holds, message)."""

    def __str__(self) -> str:
        return repr(self)


class _EnginePrecondition(Precondition):
    """A precondition the engine knows how to check."""

    def _spec(self) -> dict[str, Any]:
        spec = asdict(self)  # type: ignore[call-overload]
        spec["type"] = type(self).__name__
        return spec

    def check(self, connection: Any) -> tuple[bool, str]:
        return _core.check_precondition(self._spec(), connection)


@dataclass
class TableExists(_EnginePrecondition):
    table: str
    schema: str = "public"


@dataclass
class TableNotExists(_EnginePrecondition):
    table: str
    schema: str = "public"


@dataclass
class ColumnExists(_EnginePrecondition):
    table: str
    column: str
    schema: str = "public"


@dataclass
class ColumnNotExists(_EnginePrecondition):
    table: str
    column: str
    schema: str = "public"


@dataclass
class ColumnType(_EnginePrecondition):
    table: str
    column: str
    expected_type: str
    schema: str = "public"


@dataclass
class ConstraintExists(_EnginePrecondition):
    table: str
    constraint: str
    schema: str = "public"


@dataclass
class ConstraintNotExists(_EnginePrecondition):
    table: str
    constraint: str
    schema: str = "public"


@dataclass
class ForeignKeyExists(_EnginePrecondition):
    table: str
    column: str
    references_table: str
    references_column: str
    schema: str = "public"
    references_schema: str = "public"


@dataclass
class IndexExists(_EnginePrecondition):
    table: str
    index: str
    schema: str = "public"


@dataclass
class IndexNotExists(_EnginePrecondition):
    table: str
    index: str
    schema: str = "public"


@dataclass
class SchemaExists(_EnginePrecondition):
    schema: str


@dataclass
class SchemaNotExists(_EnginePrecondition):
    schema: str


@dataclass
class RowCountEquals(_EnginePrecondition):
    table: str
    expected_count: int
    schema: str = "public"


@dataclass
class RowCountGreaterThan(_EnginePrecondition):
    table: str
    min_count: int
    schema: str = "public"


@dataclass
class TableIsEmpty(_EnginePrecondition):
    table: str
    schema: str = "public"


@dataclass
class CustomSQL(_EnginePrecondition):
    """A query returning one boolean; ``params`` fill ``$1``, ``$2``, …"""

    sql: str
    description: str
    params: tuple = field(default_factory=tuple)

    def _spec(self) -> dict[str, Any]:
        return {
            "type": "CustomSQL",
            "sql": self.sql,
            "description": self.description,
            "params": [None if p is None else str(p) for p in self.params],
        }


class PreconditionValidator:
    """Checks lists of preconditions on a connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def check(self, preconditions: list[Precondition]) -> tuple[bool, list[tuple[Precondition, str]]]:
        failures: list[tuple[Precondition, str]] = []
        for p in preconditions:
            try:
                ok, message = p.check(self.connection)
            except Exception as e:
                ok, message = False, f"Check failed with error: {e}"
            if not ok:
                failures.append((p, message))
        return not failures, failures

    def validate(
        self,
        preconditions: list[Precondition],
        migration_version: str | None = None,
        migration_name: str | None = None,
    ) -> None:
        ok, failures = self.check(preconditions)
        if not ok:
            raise PreconditionValidationError(failures, migration_version, migration_name)

    def validate_single(
        self,
        precondition: Precondition,
        migration_version: str | None = None,
        migration_name: str | None = None,
    ) -> None:
        ok, message = precondition.check(self.connection)
        if not ok:
            raise PreconditionError(precondition, message, migration_version, migration_name)


def from_spec(spec: dict[str, Any]) -> Precondition:
    """A precondition from its YAML/dict form (``{"type": "TableExists", "table": "users"}``)."""
    kinds = {cls.__name__: cls for cls in _EnginePrecondition.__subclasses__()}
    data = dict(spec)
    kind = data.pop("type", None)
    if kind not in kinds:
        raise ValueError(f"unknown precondition type {kind!r}; valid types: {', '.join(sorted(kinds))}")
    try:
        return kinds[kind](**data)
    except TypeError as e:
        raise ValueError(f"invalid {kind} precondition: {e}") from e


__all__ = [
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
