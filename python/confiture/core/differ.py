"""Schema diff (``confiture.core.differ``): what differs between two schemas and the SQL that
turns one into the other.

Everything happens in the engine: DDL is parsed with PostgreSQL's own parser into a model of every
object kind (tables, constraints, indexes, views, functions, triggers, policies, types, sequences,
…), the models are compared, and the plan is ordered by dependencies with each statement's hazards.
"""

from __future__ import annotations

from confiture import _core
from confiture.models.schema import Column, ColumnType, SchemaDiff, Table


class SchemaDiffer:
    """Compares schemas given as SQL (``compare``) and reads SQL into tables (``parse_sql``).

    Args:
        include_grants: also compare GRANT/REVOKE and ALTER DEFAULT PRIVILEGES.
    """

    def __init__(self, *, include_grants: bool = False) -> None:
        self.include_grants = include_grants

    def parse_sql(self, sql: str) -> list[Table]:
        """The tables ``sql`` creates (schema-qualified unless in ``public``)."""
        model = _core.schema_model(sql, "<sql>", self.include_grants)
        return [
            Table(
                name=t["name"],
                columns=[
                    Column(
                        name=c["name"],
                        type=ColumnType(c["type"]),
                        nullable=c["nullable"],
                        default=c["default"],
                        primary_key=c["primary_key"],
                        unique=c["unique"],
                        length=c["length"],
                        sql_type=c["sql_type"],
                    )
                    for c in t["columns"]
                ],
                indexes=list(t["indexes"]),
                constraints=list(t["constraints"]),
            )
            for t in model["tables"]
        ]

    def compare(self, old_sql: str, new_sql: str) -> SchemaDiff:
        """The changes from ``old_sql`` to ``new_sql``, with the up and down plans."""
        return SchemaDiff._from_report(_core.diff_sql(old_sql, new_sql, self.include_grants))


__all__ = ["SchemaDiffer"]
