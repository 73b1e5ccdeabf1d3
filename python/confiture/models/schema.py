"""Schema models with fraiseql-confiture's names (``confiture.models.schema``).

``Column``, ``Table`` and ``Schema`` describe tables the way 0.3.9 did (a coarse ``ColumnType``);
``SchemaChange`` and ``SchemaDiff`` carry a diff. Diffs made by the engine also carry the plan:
``SchemaDiff.up`` and ``SchemaDiff.down`` (ordered SQL statements with their hazards) and the
engine's full report, which ``MigrationGenerator`` turns into migration files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ColumnType(str, Enum):  # noqa: UP042 -- fraiseql-confiture's base classes (str() differs from StrEnum)
    SMALLINT = "SMALLINT"
    INTEGER = "INTEGER"
    BIGINT = "BIGINT"
    SERIAL = "SERIAL"
    BIGSERIAL = "BIGSERIAL"
    NUMERIC = "NUMERIC"
    DECIMAL = "DECIMAL"
    REAL = "REAL"
    DOUBLE_PRECISION = "DOUBLE PRECISION"
    VARCHAR = "VARCHAR"
    CHAR = "CHAR"
    TEXT = "TEXT"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    TIME = "TIME"
    TIMESTAMP = "TIMESTAMP"
    TIMESTAMPTZ = "TIMESTAMPTZ"
    UUID = "UUID"
    JSON = "JSON"
    JSONB = "JSONB"
    BYTEA = "BYTEA"
    UNKNOWN = "UNKNOWN"


@dataclass
class Column:
    """A table column. ``sql_type`` (new) is the exact type, e.g. ``character varying(20)``."""

    name: str
    type: ColumnType
    nullable: bool = True
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    length: int | None = None
    sql_type: str | None = None

    def __hash__(self) -> int:
        return hash(
            (self.name, self.type, self.nullable, self.default, self.primary_key, self.unique, self.length)
        )


@dataclass
class Table:
    name: str
    columns: list[Column] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)

    def get_column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def has_column(self, name: str) -> bool:
        return self.get_column(name) is not None


@dataclass
class Schema:
    tables: list[Table] = field(default_factory=list)

    def get_table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def has_table(self, name: str) -> bool:
        return self.get_table(name) is not None

    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]


@dataclass
class Hazard:
    """What can go wrong when a plan step runs (``kind``: ``deletes_data``, ``rewrites_table``, …)."""

    kind: str
    message: str
    safer: str | None = None


@dataclass
class PlanStep:
    """One SQL statement of a plan."""

    sql: str
    action: str
    kind: str
    object: str
    hazards: list[Hazard] = field(default_factory=list)

    @property
    def destructive(self) -> bool:
        return any(h.kind == "deletes_data" for h in self.hazards)


@dataclass
class SchemaChange:
    """One change. ``type`` is e.g. ``ADD_TABLE``, ``CHANGE_COLUMN_TYPE``, ``ADD_INDEX``."""

    type: str
    table: str | None = None
    column: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    details: dict[str, str] | None = None
    kind: str | None = None
    object: str | None = None
    description: str | None = None

    def __str__(self) -> str:
        if self.description:
            return self.description
        # fraiseql-confiture's forms, for changes built by hand.
        words = self.type.replace("_", " ")
        target = (
            f"{self.table}.{self.column}" if self.table and self.column else (self.table or self.object or "")
        )
        if self.type in ("RENAME_TABLE", "RENAME_COLUMN"):
            return f"{words} {target} TO {self.new_value}"
        if self.type in ("CHANGE_COLUMN_TYPE", "CHANGE_COLUMN_NULLABLE"):
            return f"{words} {target} FROM {self.old_value} TO {self.new_value}"
        return f"{words} {target}".rstrip()


@dataclass
class SchemaDiff:
    """The changes between two schemas; from the engine, also the plans (``up``, ``down``)."""

    changes: list[SchemaChange] = field(default_factory=list)
    up: list[PlanStep] = field(default_factory=list)
    down: list[PlanStep] = field(default_factory=list)
    report: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def has_changes(self) -> bool:
        return len(self.changes) > 0

    def count_by_type(self, change_type: str) -> int:
        return sum(1 for c in self.changes if c.type == change_type)

    @property
    def destructive(self) -> bool:
        return any(s.destructive for s in self.up)

    def __str__(self) -> str:
        if not self.changes:
            return "No changes"
        return "\n".join(str(c) for c in self.changes)

    @classmethod
    def _from_report(cls, report: dict[str, Any]) -> SchemaDiff:
        def steps(items: list[dict[str, Any]]) -> list[PlanStep]:
            return [
                PlanStep(
                    sql=s["sql"],
                    action=s["action"],
                    kind=s["kind"],
                    object=s["object"],
                    hazards=[Hazard(**h) for h in s["hazards"]],
                )
                for s in items
            ]

        changes = [
            SchemaChange(
                type=c["type"],
                table=c.get("table"),
                column=c.get("column"),
                old_value=c.get("old_value"),
                new_value=c.get("new_value"),
                details=c.get("details") or None,
                kind=c["kind"],
                object=c["object"],
                description=c["description"],
            )
            for c in report["changes"]
        ]
        return cls(changes=changes, up=steps(report["up"]), down=steps(report["down"]), report=report)


__all__ = [
    "Column",
    "ColumnType",
    "Hazard",
    "PlanStep",
    "Schema",
    "SchemaChange",
    "SchemaDiff",
    "Table",
]
