"""The connection a Python migration gets under the CLI.

The CLI runs migrations on Confiture's own connection, in each migration's transaction together
with its tracking row. ``EngineConnection`` gives Python migrations a psycopg-like face over it:
``execute``, ``cursor()`` with ``execute``/``fetchone``/``fetchall``/``fetchmany``/``rowcount``.
Parameters use psycopg's ``%s`` / ``%(name)s`` placeholders. Booleans, integers, floats and JSON
come back as such; other types (numeric, dates, …) come back as their text form. Transaction
control belongs to the runner, so ``commit``/``rollback`` raise.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from confiture.exceptions import MigrationError


def _plain(value: Any) -> Any:
    """Values the engine understands: lists, dicts and scalars; other types as text."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [_plain(v) for v in value]
    return str(value)


class EngineCursor:
    def __init__(self, connection: EngineConnection) -> None:
        self.connection = connection
        self.rowcount = -1
        self.description: list[tuple[str, None, None, None, None, None, None]] | None = None
        self._rows: list[tuple[Any, ...]] = []
        self._position = 0

    def execute(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> EngineCursor:
        result = self.connection._handle.run(str(query), None if params is None else _plain(params))
        self._rows = [tuple(r) for r in result["rows"]]
        self._position = 0
        self.rowcount = result["rowcount"]
        self.description = [(c, None, None, None, None, None, None) for c in result["columns"]] or None
        return self

    def executemany(self, query: str, params_seq: Sequence[Sequence[Any] | Mapping[str, Any]]) -> None:
        total = 0
        for params in params_seq:
            self.execute(query, params)
            total += max(self.rowcount, 0)
        self.rowcount = total

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._position >= len(self._rows):
            return None
        row = self._rows[self._position]
        self._position += 1
        return row

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        rows = self._rows[self._position : self._position + size]
        self._position += len(rows)
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows[self._position :]
        self._position = len(self._rows)
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row

    def close(self) -> None:
        self._rows = []

    def __enter__(self) -> EngineCursor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class EngineConnection:
    """psycopg-like access to the migration's transaction on Confiture's connection."""

    autocommit = False

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def cursor(self) -> EngineCursor:
        return EngineCursor(self)

    def execute(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> EngineCursor:
        return self.cursor().execute(query, params)

    def commit(self) -> None:
        raise MigrationError(
            "a migration must not commit: the runner commits it together with its tracking row"
        )

    def rollback(self) -> None:
        raise MigrationError(
            "a migration must not roll back: raise an exception and the runner rolls it back"
        )


__all__ = ["EngineConnection", "EngineCursor"]
