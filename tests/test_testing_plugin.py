"""The pytest plugin users get: fixtures run inside a real pytest session (pytester)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

SCHEMA = {
    "db/environments/test.yaml": "include_dirs:\n  - db/schema\n  - db/seeds/test\n",
    "db/environments/local.yaml": "include_dirs:\n  - db/schema\n",
    "db/schema/items.sql": "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);\n",
    "db/seeds/test/items.sql": "INSERT INTO items VALUES (1, 'seeded');\n",
}

TESTS = """
import pytest

seen = []

def test_env_and_template(confiture_env, confiture_template_db):
    assert confiture_env == "test"
    assert confiture_template_db.startswith("confiture_tpl_")

@pytest.mark.parametrize("n", [1, 2, 3])
def test_each_test_gets_a_fresh_seeded_database(confiture_db, confiture_fresh_db_url, n):
    assert confiture_fresh_db_url not in seen
    seen.append(confiture_fresh_db_url)
    assert confiture_db.execute("SELECT name FROM items").fetchall() == [("seeded",)]
    confiture_db.execute("INSERT INTO items VALUES (%s, 'mine')", (100 + n,))
    confiture_db.commit()
    assert confiture_db.execute("SELECT count(*) FROM items").fetchone() == (2,)

def test_reference_fixture_names(confiture_db_url, confiture_migrations_dir, tb_confiture_dir):
    assert confiture_db_url.startswith("postgresql://")
    assert confiture_migrations_dir.as_posix().endswith("db/migrations")
    assert tb_confiture_dir == confiture_migrations_dir
"""


@pytest.fixture
def plugin_project(pytester: pytest.Pytester) -> pytest.Pytester:
    for rel, text in SCHEMA.items():
        path = pytester.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return pytester


def test_fixtures_give_each_test_a_fresh_database(
    plugin_project: pytest.Pytester,
    confiture_test_server_url: str,
    monkeypatch: pytest.MonkeyPatch,
    query: Callable[[str, str], list[tuple]],
) -> None:
    monkeypatch.setenv("CONFITURE_TEST_DATABASE_URL", confiture_test_server_url)
    monkeypatch.delenv("CONFITURE_TEST_DB_URL", raising=False)
    plugin_project.makepyfile(test_users=TESTS)
    result = plugin_project.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    # Every per-test and per-session database was dropped again.
    assert (
        query(
            "postgres",
            "SELECT datname FROM pg_database WHERE datname LIKE 'confiture\\_test\\_%' "
            "OR datname LIKE 'confiture\\_session\\_%'",
        )
        == []
    )


def test_the_template_is_reused_until_the_schema_changes(
    plugin_project: pytest.Pytester, confiture_test_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFITURE_TEST_DATABASE_URL", confiture_test_server_url)
    plugin_project.makepyfile(
        test_t="def test_t(confiture_template_db):\n    print('TPL=' + confiture_template_db)\n"
    )

    def template() -> str:
        result = plugin_project.runpytest("-q", "-s", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=1)
        return next(line for line in result.outlines if line.startswith("TPL=") or "TPL=" in line).split(
            "TPL="
        )[1][:38]

    first = template()
    assert template() == first
    (plugin_project.path / "db/schema/more.sql").write_text("CREATE TABLE more (id int);\n")
    assert template() != first


def test_fixtures_can_be_overridden(
    plugin_project: pytest.Pytester, confiture_test_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFITURE_TEST_DATABASE_URL", confiture_test_server_url)
    plugin_project.makeconftest(
        "import pytest\n\n@pytest.fixture(scope='session')\ndef confiture_env():\n    return 'local'\n"
    )
    plugin_project.makepyfile(
        test_local="def test_no_seeds(confiture_db):\n"
        "    assert confiture_db.execute('SELECT count(*) FROM items').fetchone() == (0,)\n"
    )
    plugin_project.runpytest("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_reference_import_path_works() -> None:
    import confiture.testing.pytest as fixtures

    assert callable(fixtures.confiture_db)


MIGRATION_TESTS = """
import pytest
from confiture.testing.pytest import migration_test


def test_sandbox_works_on_a_database_holding_the_schema(
    confiture_sandbox, confiture_validator, confiture_snapshotter
):
    assert confiture_sandbox.get_row_count("items") == 1
    before = confiture_snapshotter.capture()
    confiture_sandbox.load("002_add_price").up()
    after = confiture_snapshotter.capture()
    changes = confiture_snapshotter.compare(before, after)
    assert changes["tables_modified"][0]["columns_added"] == {"price"}
    assert confiture_validator.constraints_valid()


def test_the_previous_test_left_nothing(confiture_sandbox):
    assert not confiture_sandbox.column_exists("items", "price")


@migration_test("002_add_price")
class TestAddPrice:
    def test_up_keeps_rows(self, confiture_sandbox, migration):
        baseline = confiture_sandbox.capture_baseline()
        migration.up()
        confiture_sandbox.assert_no_data_loss(baseline)
        assert confiture_sandbox.column_exists("items", "price")

    def test_pre_state(self, confiture_sandbox, migration):
        migration.up()
        with confiture_sandbox.in_pre_state(migration):
            assert not confiture_sandbox.column_exists("items", "price")


def test_the_reference_fixtures_are_there(tb_confiture_dir, confiture_migrations_dir):
    assert (confiture_migrations_dir / "002_add_price.up.sql").exists()
"""


def test_migration_testing_fixtures(
    plugin_project: pytest.Pytester,
    confiture_test_server_url: str,
    monkeypatch: pytest.MonkeyPatch,
    query: Callable[[str, str], list[tuple]],
) -> None:
    monkeypatch.setenv("CONFITURE_TEST_DATABASE_URL", confiture_test_server_url)
    monkeypatch.delenv("CONFITURE_TEST_DB_URL", raising=False)
    migrations = plugin_project.path / "db" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "002_add_price.up.sql").write_text("ALTER TABLE items ADD COLUMN price numeric;\n")
    (migrations / "002_add_price.down.sql").write_text("ALTER TABLE items DROP COLUMN price;\n")
    plugin_project.makepyfile(test_migrations=MIGRATION_TESTS)
    result = plugin_project.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    assert (
        query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'confiture\\_session\\_%'")
        == []
    )


def test_the_reference_import_path_has_the_toolkit() -> None:
    import confiture.testing.pytest as fixtures
    from confiture import testing

    assert callable(fixtures.migration_test)
    for name in ("confiture_sandbox", "confiture_validator", "confiture_snapshotter", "confiture_db_url"):
        assert callable(getattr(fixtures, name))
    # Every exported name resolves (fraiseql-confiture 0.3.9's __all__ listed a missing one).
    for name in testing.__all__:
        assert getattr(testing, name) is not None


def test_the_plugin_loads_nothing_heavy(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_x="import sys\n\ndef test_x():\n"
        "    assert 'confiture._core' not in sys.modules\n"
        "    assert 'psycopg' not in sys.modules\n"
    )
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)
