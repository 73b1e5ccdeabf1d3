"""Schema-to-schema migration through postgres_fdw: move rows from the old database into one built
from the new DDL while the old one keeps serving, then catch up and cut over.

``SchemaToSchemaMigrator`` keeps fraiseql-confiture's names and constants; its connections are
psycopg connections (or URLs / ``DatabaseConfig``), whose real host, port, user and password are
used — for the postgres_fdw server too. The work runs in the engine without the GIL;
``confiture migrate schema-to-schema`` is the same engine call (``run_step``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from confiture import _core
from confiture.config.environment import DatabaseConfig
from confiture.exceptions import MigrationError

DEFAULT_FOREIGN_SCHEMA_NAME = "old_schema"
DEFAULT_SERVER_NAME = "confiture_source_server"
# fraiseql-confiture's values, kept for compatibility: the server now uses the source's real
# host and port; these apply only when a connection does not say.
DEFAULT_HOST = "localhost"
DEFAULT_PORT = "5432"
# ``analyze_tables`` picks ``copy`` from this many rows up, and estimates with these
# throughputs (rows/s) when no sample could be measured.
LARGE_TABLE_THRESHOLD = 10_000_000
FDW_THROUGHPUT = 500_000
COPY_THROUGHPUT = 6_000_000

Endpoint = str | dict[str, Any]


def endpoint(value: Any) -> Endpoint:
    """An environment name or URL as is; a ``DatabaseConfig`` as its URL; a psycopg connection as
    its real connection parameters (password included: it goes to the engine, never printed)."""
    if isinstance(value, str):
        return value
    if isinstance(value, DatabaseConfig):
        return value.to_url()
    info = getattr(value, "info", None)
    if info is None:
        raise TypeError(
            f"expected a psycopg connection, a URL or a DatabaseConfig, not {type(value).__name__}"
        )
    host = info.host or DEFAULT_HOST
    params: dict[str, Any] = {
        "hosts": [host],
        "ports": [int(info.port or DEFAULT_PORT)],
        "dbname": info.dbname,
        "user": info.user,
    }
    if info.password:
        params["password"] = info.password
    return params


def run_step(command: str, request: dict[str, Any], show_progress: bool = False) -> dict[str, Any]:
    """Runs one step (``setup``, ``analyze``, ``migrate``, ``catch-up``, ``verify``, ``cutover``,
    ``cleanup``, ``status``, ``one-shot``) in the engine and returns its report."""
    from confiture.core.syncer import follow

    return follow(_core.s2s_start(command, request), show_progress)


def _mapping(mapping: str | Path | dict[str, Any] | None) -> dict[str, Any]:
    if mapping is None:
        return {}
    if isinstance(mapping, dict):
        return {"mapping": mapping}
    return {"mapping_file": str(mapping)}


class SchemaToSchemaMigrator:
    """Migrates data from ``source_connection``'s database into ``target_connection``'s, where
    the postgres_fdw server ``server_name`` and foreign schema ``foreign_schema_name`` live."""

    def __init__(
        self,
        source_connection: Any,
        target_connection: Any,
        foreign_schema_name: str = DEFAULT_FOREIGN_SCHEMA_NAME,
        server_name: str = DEFAULT_SERVER_NAME,
    ) -> None:
        self.source_connection = source_connection
        self.target_connection = target_connection
        self.foreign_schema_name = foreign_schema_name
        self.server_name = server_name

    def _request(self, **extra: Any) -> dict[str, Any]:
        return {
            "source": endpoint(self.source_connection),
            "target": endpoint(self.target_connection),
            "server_name": self.server_name,
            "foreign_schema": self.foreign_schema_name,
            **{k: v for k, v in extra.items() if v is not None},
        }

    # fraiseql-confiture's methods

    def setup_fdw(self, skip_import: bool = False) -> None:
        """Creates the server (the source's real host, port and database), the user mapping (its
        user and password) and the foreign schema with the source's ``public`` tables."""
        run_step("setup", self._request(skip_import=skip_import))

    def cleanup_fdw(self) -> None:
        """Drops the foreign schema, the user mapping, the server, and any change capture."""
        run_step("cleanup", self._request())

    def _copy_one(
        self, source_table: str, target_table: str, column_mapping: dict[str, str], strategy: str
    ) -> int:
        if not column_mapping:
            raise MigrationError(f"column_mapping is empty: map at least one column of {source_table}")
        mapping = {
            "tables": {
                target_table: {
                    "from": source_table,
                    "columns": {dst: src for src, dst in column_mapping.items()},
                }
            }
        }
        report = run_step("migrate", self._request(mapping=mapping, strategy=strategy, restart=True))
        return int(report["rows"])

    def migrate_table(self, source_table: str, target_table: str, column_mapping: dict[str, str]) -> int:
        """Copies ``source_table`` into ``target_table`` through postgres_fdw
        (``column_mapping``: source column → target column); returns the rows inserted."""
        return self._copy_one(source_table, target_table, column_mapping, "fdw")

    def migrate_table_copy(self, source_table: str, target_table: str, column_mapping: dict[str, str]) -> int:
        """The same with streaming COPY (bounded memory); returns the rows inserted."""
        return self._copy_one(source_table, target_table, column_mapping, "copy")

    def analyze_tables(self, schema: str = "public") -> dict[str, dict[str, Any]]:
        """Per table of ``schema`` present on both sides: ``strategy``, ``row_count`` and
        ``estimated_seconds`` (measured on a sample; ``copy`` from ``LARGE_TABLE_THRESHOLD`` rows)."""
        report = run_step("analyze", self._request(schemas=[schema], copy_threshold=LARGE_TABLE_THRESHOLD))
        out: dict[str, dict[str, Any]] = {}
        for t in report["tables"]:
            seconds = t["estimated_seconds"]
            if not seconds and t["rows"] > 0:
                rate = COPY_THROUGHPUT if t["strategy"] == "copy" else FDW_THROUGHPUT
                seconds = max(round(t["rows"] / rate, 3), 0.001)
            out[t["table"]] = {
                "strategy": t["strategy"],
                "row_count": t["rows"],
                "estimated_seconds": seconds,
            }
        return out

    def verify_migration(
        self, tables: list[str], source_schema: str = "old_schema", target_schema: str = "public"
    ) -> dict[str, dict[str, Any]]:
        """``count(*)`` of each table in ``source_schema`` (the foreign tables) and ``target_schema``:
        ``{source_count, target_count, match, difference}`` (difference = target - source)."""
        return _core.s2s_count_compare(self._request(), list(tables), source_schema, target_schema)

    # The full workflow (what the CLI runs)

    def setup(
        self,
        mapping: str | Path | dict[str, Any] | None = None,
        *,
        capture: bool = False,
        schemas: list[str] | None = None,
    ) -> dict[str, Any]:
        """``setup_fdw`` importing only the mapped tables, plus change capture with ``capture``."""
        return run_step("setup", self._request(capture=capture, schemas=schemas, **_mapping(mapping)))

    def analyze(self, mapping: str | Path | dict[str, Any] | None = None) -> dict[str, Any]:
        return run_step("analyze", self._request(**_mapping(mapping)))

    def migrate(
        self,
        mapping: str | Path | dict[str, Any],
        *,
        strategy: str = "auto",
        jobs: int = 1,
        batch_rows: int | None = None,
        truncate: bool = False,
        show_progress: bool = False,
    ) -> dict[str, Any]:
        """The bulk copy, in foreign-key order and key-range batches; resumes where it stopped."""
        request = self._request(
            strategy=strategy, jobs=jobs, batch_rows=batch_rows, truncate=truncate, **_mapping(mapping)
        )
        return run_step("migrate", request, show_progress)

    def catch_up(self, mapping: str | Path | dict[str, Any] | None = None) -> dict[str, Any]:
        return run_step("catch-up", self._request(**_mapping(mapping)))

    def verify(
        self, mapping: str | Path | dict[str, Any] | None = None, tables: list[str] | None = None
    ) -> dict[str, Any]:
        return run_step("verify", self._request(tables=tables, **_mapping(mapping)))

    def cutover(
        self,
        mapping: str | Path | dict[str, Any] | None = None,
        *,
        lock_timeout_ms: int | None = None,
        verify: bool = True,
    ) -> dict[str, Any]:
        return run_step(
            "cutover",
            self._request(lock_timeout_ms=lock_timeout_ms, no_verify=not verify, **_mapping(mapping)),
        )

    def cleanup(self) -> dict[str, Any]:
        return run_step("cleanup", self._request())

    def status(self) -> dict[str, Any]:
        """The server, the bulk copy's batches per table, the changes waiting for catch-up."""
        return run_step("status", self._request())


__all__ = [
    "COPY_THROUGHPUT",
    "DEFAULT_FOREIGN_SCHEMA_NAME",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_SERVER_NAME",
    "FDW_THROUGHPUT",
    "LARGE_TABLE_THRESHOLD",
    "SchemaToSchemaMigrator",
    "run_step",
]
