"""``MigrationSandbox``: run migrations against a real database and throw the result away.

URL mode opens its own connection; connection mode works inside yours. Either way everything
happens in one transaction block (a savepoint when your connection already has a transaction
open) that is always rolled back on exit, and ``commit()`` inside it is refused by psycopg, so a
sandbox never leaves anything behind::

    with MigrationSandbox(db_url, migrations_dir=Path("db/migrations")) as sandbox:
        migration = sandbox.load("003_add_user_bio")
        baseline = sandbox.capture_baseline()
        migration.up()
        sandbox.assert_no_data_loss(baseline)
        sandbox.assert_constraints_valid()
        assert sandbox.column_exists("users", "bio")

Migrations that must run outside a transaction (``CREATE INDEX CONCURRENTLY``) cannot run in a
sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confiture import _core
from confiture.exceptions import PreStateSimulationError

if TYPE_CHECKING:
    from confiture.models.migration import Migration
    from confiture.testing.fixtures.data_validator import DataBaseline, DataValidator
    from confiture.testing.fixtures.schema_snapshotter import SchemaSnapshotter

_SAVEPOINT = "confiture_sandbox"


class MigrationSandbox:
    """A database sandbox for migration tests (a context manager).

    Args:
        db_url: connect to this database (URL mode).
        connection: work inside this psycopg connection instead (connection mode).
        migrations_dir: where ``load`` finds migrations (default ``db/migrations``).
    """

    def __init__(
        self,
        db_url: str | None = None,
        *,
        connection: Any = None,
        migrations_dir: Path | str | None = None,
    ) -> None:
        if (db_url is None) == (connection is None):
            raise ValueError("give either 'db_url' or 'connection' (exactly one)")
        self._db_url = db_url
        self._external = connection
        self._owns_connection = db_url is not None
        self.migrations_dir = Path(migrations_dir) if migrations_dir is not None else Path("db/migrations")
        self.connection: Any = None
        self._transaction: Any = None
        self._validator: DataValidator | None = None
        self._snapshotter: SchemaSnapshotter | None = None
        self._pre_state_simulated = False
        self._simulated_migration: Migration | None = None

    # -- context --------------------------------------------------------------------------------

    def __enter__(self) -> MigrationSandbox:
        if self._owns_connection:
            import psycopg

            self.connection = psycopg.connect(self._db_url, autocommit=False)
        else:
            self.connection = self._external
        try:
            # psycopg's transaction block: BEGIN, or a savepoint inside an open transaction;
            # rolled back on exit whatever happens (force_rollback).
            self._transaction = self.connection.transaction(savepoint_name=_SAVEPOINT, force_rollback=True)
            self._transaction.__enter__()
        except BaseException:
            if self._owns_connection:
                self.connection.close()
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._transaction is None:
            return
        try:
            self._transaction.__exit__(exc_type, exc, tb)
        finally:
            self._transaction = None
            if self._owns_connection:
                self.connection.close()

    def _require_active(self, what: str) -> None:
        if self._transaction is None:
            raise RuntimeError(f"{what} needs an active sandbox: use it inside 'with MigrationSandbox(...)'")

    # -- migrations -----------------------------------------------------------------------------

    def load(self, name: str) -> Migration:
        """The migration ``name`` (``003_add_users``) or version (``003``), instantiated on the
        sandbox's connection."""
        from confiture.testing.loader import load_migration

        self._require_active("load")
        if "_" in name:
            cls = load_migration(name, migrations_dir=self.migrations_dir)
        else:
            cls = load_migration(version=name, migrations_dir=self.migrations_dir)
        return cls(connection=self.connection)

    def simulate_pre_state(self, migration: Migration) -> None:
        """Runs ``migration.down()`` so the database is back in the state before the migration
        (for a database already in its post-state). A failing down is rolled back (the sandbox
        stays usable) and raises ``PreStateSimulationError``."""
        self._require_active("simulate_pre_state")
        try:
            with self.connection.transaction():
                migration.down()
        except Exception as e:
            raise PreStateSimulationError(
                f"Cannot simulate the state before migration {migration.version} ({migration.name}): "
                f"its down() failed: {e}\n"
                "The database may not be in the state after this migration, the down migration may "
                "be broken, or the migration may not be reversible."
            ) from e
        self._pre_state_simulated = True
        self._simulated_migration = migration

    @contextmanager
    def in_pre_state(self, migration: Migration) -> Iterator[Migration]:
        """``simulate_pre_state`` as a block that yields the migration."""
        self.simulate_pre_state(migration)
        yield migration

    # -- checks ---------------------------------------------------------------------------------

    @property
    def validator(self) -> DataValidator:
        from confiture.testing.fixtures.data_validator import DataValidator

        self._require_active("validator")
        if self._validator is None:
            self._validator = DataValidator(self.connection)
        return self._validator

    @property
    def snapshotter(self) -> SchemaSnapshotter:
        from confiture.testing.fixtures.schema_snapshotter import SchemaSnapshotter

        self._require_active("snapshotter")
        if self._snapshotter is None:
            self._snapshotter = SchemaSnapshotter(self.connection)
        return self._snapshotter

    def capture_baseline(self) -> DataBaseline:
        return self.validator.capture_baseline()

    def assert_no_data_loss(self, baseline: DataBaseline) -> None:
        """Raises ``AssertionError`` naming each table that lost rows (or was dropped)."""
        lost = self.validator.row_count_changes(baseline)
        if lost:
            raise AssertionError("Data loss detected after migration:\n" + "\n".join(f"  {c}" for c in lost))

    def assert_constraints_valid(self) -> None:
        """Raises ``AssertionError`` naming each foreign key or ``NOT VALID`` CHECK rows break."""
        broken = self.validator.violations()
        if broken:
            raise AssertionError(
                "Constraint violations detected after migration:\n" + "\n".join(f"  {v}" for v in broken)
            )

    # -- SQL and catalog helpers ----------------------------------------------------------------

    def execute(self, sql: str, params: Any = None) -> None:
        """Runs SQL on the sandbox's connection."""
        self._require_active("execute")
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)

    def query(self, sql: str, params: Any = None) -> list[tuple]:
        """Runs a query on the sandbox's connection and returns its rows."""
        self._require_active("query")
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _holds(self, spec: dict[str, Any]) -> bool:
        self._require_active("catalog checks")
        holds, _ = _core.check_precondition(spec, self.connection)
        return holds

    def table_exists(self, table: str, schema: str = "public") -> bool:
        """Whether a table (or partitioned table, view, materialized view, foreign table) exists."""
        return self._holds({"type": "TableExists", "table": table, "schema": schema})

    def column_exists(self, table: str, column: str, schema: str = "public") -> bool:
        return self._holds({"type": "ColumnExists", "table": table, "column": column, "schema": schema})

    def get_row_count(self, table: str, schema: str = "public") -> int:
        """The exact row count (``ValidationError`` when the table does not exist)."""
        self._require_active("get_row_count")
        return _core.data_row_count(self.connection, table, schema)


__all__ = ["MigrationSandbox", "PreStateSimulationError"]
