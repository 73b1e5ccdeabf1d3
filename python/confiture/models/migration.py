"""Migration classes: subclass ``Migration`` (``version``, ``name``, ``up``, ``down``) or
``SQLMigration`` (``up_sql``, ``down_sql``). Under the CLI, ``self.connection`` is Confiture's own
connection inside the migration's transaction (see ``confiture.core.engine_connection``); through
``Migrator(connection=conn)`` it is your psycopg connection."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from confiture.exceptions import SQLError

if TYPE_CHECKING:
    from confiture.core.hooks import Hook
    from confiture.core.preconditions import Precondition


class Migration(ABC):
    version: ClassVar[str]
    name: ClassVar[str]
    #: False runs the migration outside a transaction (e.g. CREATE INDEX CONCURRENTLY).
    transactional: ClassVar[bool] = True
    strict_mode: ClassVar[bool] = False
    up_preconditions: ClassVar[list[Precondition]] = []
    down_preconditions: ClassVar[list[Precondition]] = []
    before_validation_hooks: ClassVar[list[Hook]] = []
    before_ddl_hooks: ClassVar[list[Hook]] = []
    after_ddl_hooks: ClassVar[list[Hook]] = []
    after_validation_hooks: ClassVar[list[Hook]] = []
    cleanup_hooks: ClassVar[list[Hook]] = []
    error_hooks: ClassVar[list[Hook]] = []

    def __init__(self, connection: Any) -> None:
        for attr in ("version", "name"):
            if not getattr(type(self), attr, None):
                raise TypeError(f"{type(self).__name__} must define the class attribute {attr!r}")
        self.connection = connection

    @abstractmethod
    def up(self) -> None: ...

    @abstractmethod
    def down(self) -> None: ...

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] | None = None) -> None:
        """Runs SQL on the migration's connection; failures raise ``SQLError``."""
        try:
            with self.connection.cursor() as cursor:
                if params:
                    cursor.execute(sql, params)
                else:
                    cursor.execute(sql)
        except Exception as e:
            raise SQLError(sql, params, e) from e


class SQLMigration(Migration):
    """A migration written as two SQL strings."""

    up_sql: ClassVar[str]
    down_sql: ClassVar[str]

    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        for attr in ("up_sql", "down_sql"):
            if not isinstance(getattr(type(self), attr, None), str):
                raise TypeError(f"{type(self).__name__} must define the class attribute {attr!r}")

    def up(self) -> None:
        self.execute(self.up_sql)

    def down(self) -> None:
        self.execute(self.down_sql)


__all__ = ["Migration", "SQLMigration"]
