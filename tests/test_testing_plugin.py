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
