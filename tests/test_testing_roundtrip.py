"""confiture.testing.roundtrip: up → down → up per migration on fresh databases, schemas compared;
as an API and as one parametrized pytest test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from confiture.exceptions import MigrationError
from confiture.testing import check_migrations, roundtrip

PY_GOOD = """
from confiture.models.migration import Migration

class AddBio(Migration):
    version = "003"
    name = "add_bio"

    def up(self):
        self.execute("ALTER TABLE users ADD COLUMN bio text")

    def down(self):
        self.execute("ALTER TABLE users DROP COLUMN bio")
"""


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


GOOD = {
    "001_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n",
    "001_users.down.sql": "DROP TABLE users;\n",
    "002_email_index.up.sql": "CREATE UNIQUE INDEX users_email ON users (lower(email));\n",
    "002_email_index.down.sql": "DROP INDEX users_email;\n",
    "003_add_bio.py": PY_GOOD,
}

FORGETFUL = {
    "004_audit.up.sql": (
        "CREATE TABLE audit (id int);\n"
        "CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM audit $$;\n"
    ),
    "004_audit.down.sql": "DROP TABLE audit CASCADE;\n",
}


def leftover_databases(query: Callable[[str, str], list[tuple]]) -> list[tuple]:
    return query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'confiture\\_roundtrip\\_%'")


def test_reversible_migrations_pass(
    tmp_path: Path, confiture_test_server_url: str, query: Callable[[str, str], list[tuple]]
) -> None:
    directory = write(tmp_path / "migrations", GOOD)
    results = check_migrations(confiture_test_server_url, directory)
    assert [(r.version, r.name, r.ok) for r in results] == [
        ("001", "users", True),
        ("002", "email_index", True),
        ("003", "add_bio", True),
    ]
    assert all(r.reapplied and not r.down_differences for r in results)
    assert results[1].prepared == []  # the database moved forward: nothing to prepare
    assert leftover_databases(query) == []


def test_a_down_that_forgets_something_is_reported_with_the_missing_sql(
    tmp_path: Path, confiture_test_server_url: str
) -> None:
    directory = write(tmp_path / "migrations", {**GOOD, **FORGETFUL})
    results = check_migrations(confiture_test_server_url, directory)
    bad = results[-1]
    assert not bad.ok and not bad.reapplied
    assert any("audit_count" in d for d in bad.down_differences), bad.down_differences
    assert any(s.startswith("DROP FUNCTION") and "audit_count" in s for s in bad.down_missing_sql)
    with pytest.raises(AssertionError, match="004_audit: down does not restore the schema"):
        bad.assert_ok()


def test_a_migration_that_fails_raises_its_error(tmp_path: Path, confiture_test_server_url: str) -> None:
    directory = write(
        tmp_path / "migrations",
        {
            "001_users.up.sql": GOOD["001_users.up.sql"],
            "001_users.down.sql": "DROP TABLE userz;\n",
        },
    )
    with pytest.raises(MigrationError, match="userz") as e:
        check_migrations(confiture_test_server_url, directory)
    assert e.value.version == "001"


def test_out_of_order_checks_start_from_a_fresh_database(
    tmp_path: Path, confiture_test_server_url: str
) -> None:
    directory = write(tmp_path / "migrations", GOOD)
    trip = roundtrip.RoundTrip(confiture_test_server_url, directory)
    try:
        later = trip.check("003")
        assert later.ok and later.prepared == ["001", "002"]
        earlier = trip.check("2")  # already applied there: a fresh database, 001 prepared
        assert earlier.ok and earlier.prepared == ["001"]
    finally:
        trip.close()


PYTEST_FILE = """
from confiture.testing import roundtrip

test_round_trip = roundtrip.each_migration_test()
test_other_dir = roundtrip.each_migration_test("other/migrations")
"""


def test_one_parametrized_pytest_test_per_migration(
    pytester: pytest.Pytester,
    confiture_test_server_url: str,
    monkeypatch: pytest.MonkeyPatch,
    query: Callable[[str, str], list[tuple]],
) -> None:
    monkeypatch.setenv("CONFITURE_TEST_DATABASE_URL", confiture_test_server_url)
    write(pytester.path / "db" / "migrations", {**GOOD, **FORGETFUL})
    write(
        pytester.path / "other" / "migrations",
        {k: GOOD[k] for k in ("001_users.up.sql", "001_users.down.sql")},
    )
    pytester.makepyfile(test_migrations=PYTEST_FILE)
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_round_trip?001_users? PASSED*",
            "*test_round_trip?003_add_bio? PASSED*",
            "*test_round_trip?004_audit? FAILED*",
            "*test_other_dir?001_users? PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*004_audit: down does not restore the schema*", "*DROP FUNCTION*audit_count*"]
    )
    # A single test selected on its own gets the migrations before it applied first.
    again = pytester.runpytest("-q", "-p", "no:cacheprovider", "-k", "test_round_trip and 003")
    again.assert_outcomes(passed=1)
    assert leftover_databases(query) == []


def test_a_missing_directory_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_m="from confiture.testing import roundtrip\ntest_rt = roundtrip.each_migration_test('nowhere')\n"
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*test_rt: migrations directory not found*nowhere*"])
