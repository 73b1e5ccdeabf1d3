"""MigrationSandbox: URL mode and connection mode, always rolled back; migrations, pre-state
simulation and the checks, against a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from confiture import _core
from confiture.exceptions import PreStateSimulationError, ValidationError
from confiture.testing import MigrationSandbox

SCHEMA = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users (id));
INSERT INTO users VALUES (1, 'a@example.com'), (2, 'b@example.com');
INSERT INTO posts VALUES (10, 1);
"""

ADD_BIO = """
from confiture.models.migration import Migration

class AddBio(Migration):
    version = "002"
    name = "add_bio"

    def up(self):
        self.execute("ALTER TABLE users ADD COLUMN bio text")

    def down(self):
        self.execute("ALTER TABLE users DROP COLUMN bio")
"""


@pytest.fixture
def url(db_url: str, confiture_test_server_url: str, db_name: str) -> str:
    _core.create_database(confiture_test_server_url, db_name)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return db_url


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "001_archive.up.sql").write_text("CREATE TABLE archive (id int PRIMARY KEY);\n")
    (d / "001_archive.down.sql").write_text("DROP TABLE archive;\n")
    (d / "002_add_bio.py").write_text(ADD_BIO)
    (d / "003_drop_posts.up.sql").write_text("DROP TABLE posts;\n")
    (d / "003_drop_posts.down.sql").write_text("CREATE TABLE posts (id int PRIMARY KEY);\n")
    return d


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_url_mode_rolls_everything_back(url: str, migrations: Path) -> None:
    with MigrationSandbox(url, migrations_dir=migrations) as sandbox:
        sandbox.load("001_archive").up()
        sandbox.load("002").up()
        sandbox.execute("INSERT INTO users (id, email, bio) VALUES (%s, %s, %s)", (3, "c@example.com", "hi"))
        assert sandbox.table_exists("archive")
        assert sandbox.column_exists("users", "bio")
        assert sandbox.get_row_count("users") == 3
        assert sandbox.query("SELECT bio FROM users WHERE id = 3") == [("hi",)]
    assert rows(url, "SELECT to_regclass('archive') IS NULL, count(*) FROM users") == [(True, 2)]
    assert rows(
        url, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'bio'"
    ) == [(0,)]
    assert sandbox.connection.closed


def test_url_mode_rolls_back_when_the_test_fails(url: str, migrations: Path) -> None:
    def failing_test() -> None:
        with MigrationSandbox(url, migrations_dir=migrations) as sandbox:
            sandbox.load("001").up()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing_test()
    assert rows(url, "SELECT to_regclass('archive') IS NULL") == [(True,)]


def test_commits_are_refused_inside_a_sandbox(url: str) -> None:
    with MigrationSandbox(url) as sandbox:
        sandbox.execute("DELETE FROM posts")
        with pytest.raises(psycopg.ProgrammingError, match="commit"):
            sandbox.connection.commit()
    assert rows(url, "SELECT count(*) FROM posts") == [(1,)]


@pytest.mark.parametrize("autocommit", [False, True])
def test_connection_mode_keeps_the_callers_work_and_drops_the_sandboxs(
    url: str, migrations: Path, autocommit: bool
) -> None:
    with psycopg.connect(url, autocommit=autocommit) as conn:
        if not autocommit:
            conn.execute("INSERT INTO users VALUES (5, 'mine@example.com')")  # the caller's transaction
        with MigrationSandbox(connection=conn, migrations_dir=migrations) as sandbox:
            assert sandbox.connection is conn
            sandbox.load("001_archive").up()
            assert sandbox.table_exists("archive")
        assert conn.execute("SELECT to_regclass('archive')").fetchone() == (None,)
        expected = 2 if autocommit else 3
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (expected,)
        conn.commit()
    assert rows(url, "SELECT count(*) FROM users") == [(2 if autocommit else 3,)]


def test_pre_state_simulation(url: str, migrations: Path) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE archive (id int PRIMARY KEY)")  # the post-state of 001
    with MigrationSandbox(url, migrations_dir=migrations) as sandbox:
        migration = sandbox.load("001_archive")
        with sandbox.in_pre_state(migration) as m:
            assert m is migration
            assert not sandbox.table_exists("archive")
            migration.up()
            assert sandbox.table_exists("archive")
        # A down that cannot run (002's column is not there) fails cleanly; the sandbox goes on.
        with pytest.raises(PreStateSimulationError, match=r"migration 002 \(add_bio\).*down\(\) failed"):
            sandbox.simulate_pre_state(sandbox.load("002"))
        assert sandbox.get_row_count("users") == 2
    assert rows(url, "SELECT to_regclass('archive') IS NOT NULL") == [(True,)]


def test_data_checks_name_what_went_wrong(url: str, migrations: Path) -> None:
    with MigrationSandbox(url, migrations_dir=migrations) as sandbox:
        baseline = sandbox.capture_baseline()
        assert baseline.table_row_counts == {"public.users": 2, "public.posts": 1}
        sandbox.assert_no_data_loss(baseline)
        sandbox.assert_constraints_valid()
        sandbox.load("003").up()
        with pytest.raises(AssertionError, match=r"public\.posts: 1 rows before, table dropped"):
            sandbox.assert_no_data_loss(baseline)
        sandbox.execute("SET session_replication_role = replica")
        sandbox.execute("CREATE TABLE comments (id int, user_id int REFERENCES users (id))")
        sandbox.execute("INSERT INTO comments VALUES (1, 99)")
        with pytest.raises(AssertionError, match=r"public\.comments: 1 row\(s\) break comments_user_id_fkey"):
            sandbox.assert_constraints_valid()


def test_row_counts_of_missing_tables_are_errors(url: str) -> None:
    with MigrationSandbox(url) as sandbox:
        with pytest.raises(ValidationError, match=r"table public\.nope does not exist"):
            sandbox.get_row_count("nope")
        # The failed lookup did not abort the sandbox's transaction.
        assert sandbox.get_row_count("users") == 2
        assert not sandbox.table_exists("nope") and not sandbox.column_exists("users", "nope")


def test_misuse(url: str) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        MigrationSandbox()
    with pytest.raises(ValueError, match="exactly one"), psycopg.connect(url) as conn:
        MigrationSandbox(url, connection=conn)
    sandbox = MigrationSandbox(url)
    with pytest.raises(RuntimeError, match="needs an active sandbox"):
        sandbox.table_exists("users")
