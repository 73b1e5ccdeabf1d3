"""The migration round trip: for each migration, up → down → up on a fresh database, with the
schema compared at every step by the engine's schema model (every object kind the diff covers:
columns, constraints, indexes, views, functions, triggers, types, comments, grants).

It catches the down migration that forgets something (an index, a column, a function), and the
up migration that gives a different schema the second time. In pytest, one line gives one test
per migration::

    # tests/test_migrations.py
    from confiture.testing import roundtrip

    test_migration_round_trip = roundtrip.each_migration_test()        # db/migrations
    # or roundtrip.each_migration_test("path/to/migrations")            (relative to the rootdir)

Outside pytest, ``check_migrations(server_url, migrations_dir)`` runs them all and returns the
results. Tests run in order on one database that moves forward (each migration's round trip
leaves it applied, ready for the next); a test run on its own, out of order, or after a failure
gets a fresh database where the migrations before it are applied first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confiture import _core


@dataclass
class RoundTripResult:
    """The round trip of one migration."""

    version: str
    name: str
    #: Down gave back the schema from before up, and up gave the same schema again.
    ok: bool
    #: Migrations applied first to reach the state before this one.
    prepared: list[str] = field(default_factory=list)
    #: How the schema after up → down differs from the schema before up.
    down_differences: list[str] = field(default_factory=list)
    #: The statements the down migration is missing.
    down_missing_sql: list[str] = field(default_factory=list)
    #: How the schema after up → down → up differs from the schema after the first up.
    reapply_differences: list[str] = field(default_factory=list)
    reapplied: bool = False
    message: str = ""

    def assert_ok(self) -> None:
        """Raises ``AssertionError`` with what differs."""
        if not self.ok:
            raise AssertionError(self.message)


@dataclass(frozen=True)
class RoundTripCase:
    """One migration to round-trip (the value behind each parametrized test)."""

    migrations_dir: Path
    version: str
    label: str

    def __str__(self) -> str:
        return self.label


def list_cases(migrations_dir: Path | str) -> list[RoundTripCase]:
    """One case per migration of the directory, in order."""
    directory = Path(migrations_dir)
    scanned = _core.migrate_scan(str(directory))
    return [
        RoundTripCase(directory, m["version"], f"{m['version']}_{m['name']}") for m in scanned["migrations"]
    ]


class RoundTrip:
    """Round trips of one migrations directory on databases of one server (databases it creates
    and drops itself)."""

    def __init__(
        self, server_url: str, migrations_dir: Path | str, *, migration_table: str = "tb_confiture"
    ) -> None:
        self.server_url = server_url
        self.migrations_dir = Path(migrations_dir)
        self.migration_table = migration_table
        self._database: str | None = None

    def _fresh(self) -> str:
        self.close()
        name = f"confiture_roundtrip_{uuid.uuid4().hex[:12]}"
        _core.create_database(self.server_url, name)
        self._database = name
        return name

    def check(self, version: str) -> RoundTripResult:
        """The round trip of migration ``version``. A migration that fails to run raises its
        ``MigrationError``; a schema that differs is reported in the result (``ok`` False)."""
        from confiture.core._host import MigrationHost
        from confiture.exceptions import MigrationError

        database = self._database or self._fresh()
        for attempt in range(2):
            url = _core.url_with_database(self.server_url, database)
            try:
                report = _core.roundtrip_check(
                    url, str(self.migrations_dir), self.migration_table, version, MigrationHost()
                )
            except MigrationError as e:
                # Already past this migration (tests out of order): start again from scratch.
                if attempt == 0 and getattr(e, "already_applied", False):
                    database = self._fresh()
                    continue
                self.close()
                raise
            except BaseException:
                self.close()
                raise
            result = RoundTripResult(**report)
            if not result.ok:
                # The database holds whatever the faulty migration left: not a base for the next.
                self.close()
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Drops the database this round trip was using."""
        if self._database is not None:
            name, self._database = self._database, None
            _core.drop_database(self.server_url, name, force=True)


def check_migrations(server_url: str, migrations_dir: Path | str) -> list[RoundTripResult]:
    """Round trips of every migration in order, on a fresh database of the server at
    ``server_url`` (dropped afterwards). A migration that fails to run raises."""
    trip = RoundTrip(server_url, migrations_dir)
    try:
        return [trip.check(case.version) for case in list_cases(migrations_dir)]
    finally:
        trip.close()


class RoundTrips:
    """The ``confiture_roundtrips`` fixture: one ``RoundTrip`` per migrations directory."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self._trips: dict[Path, RoundTrip] = {}

    def check(self, case: RoundTripCase) -> RoundTripResult:
        """Runs the round trip of ``case``; ``AssertionError`` with what differs when it fails."""
        trip = self._trips.setdefault(case.migrations_dir, RoundTrip(self.server_url, case.migrations_dir))
        result = trip.check(case.version)
        result.assert_ok()
        return result

    def close(self) -> None:
        for trip in self._trips.values():
            trip.close()


MIGRATIONS_DIR_ATTRIBUTE = "_confiture_migrations_dir"


def each_migration_test(migrations_dir: Path | str | None = None) -> Callable[..., Any]:
    """A pytest test function, parametrized with one case per migration of ``migrations_dir``
    (default: ``db/migrations``; relative paths are relative to pytest's rootdir). Assign it to a
    module-level name starting with ``test``."""

    def test_migration_round_trip(
        confiture_roundtrip_migration: RoundTripCase, confiture_roundtrips: RoundTrips
    ) -> None:
        confiture_roundtrips.check(confiture_roundtrip_migration)

    setattr(test_migration_round_trip, MIGRATIONS_DIR_ATTRIBUTE, migrations_dir)
    return test_migration_round_trip


__all__ = [
    "RoundTrip",
    "RoundTripCase",
    "RoundTripResult",
    "RoundTrips",
    "check_migrations",
    "each_migration_test",
    "list_cases",
]
