"""``confiture.core.differ`` and ``confiture.core.migration_generator``: fraiseql-confiture's API on
the engine's diff, and migrations that PostgreSQL applies."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from confiture import _core
from confiture.core.differ import SchemaDiffer
from confiture.core.migration_generator import MigrationGenerator
from confiture.exceptions import DifferError, SchemaError
from confiture.models.schema import Column, ColumnType, Schema, SchemaChange, SchemaDiff, Table

OLD = """
CREATE TABLE users (id serial PRIMARY KEY, full_name varchar(100) NOT NULL, age int);
CREATE TABLE legacy (id int);
"""
NEW = """
CREATE SCHEMA app;
CREATE TABLE users (
    id bigint PRIMARY KEY,
    -- confiture: renamed-from full_name
    display_name varchar(100),
    email text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE app.posts (id bigint PRIMARY KEY, author bigint REFERENCES users, body text);
CREATE INDEX posts_author ON app.posts (author);
"""


def psql(url: str, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url, "-f", "-"],
        input=sql,
        capture_output=True,
        text=True,
    )


def test_parse_sql_gives_tables_with_reference_types() -> None:
    tables = SchemaDiffer().parse_sql(NEW)
    assert [t.name for t in tables] == ["app.posts", "users"]
    users = Schema(tables=tables).get_table("users")
    assert users is not None and users.has_column("email") and not users.has_column("full_name")
    assert users.get_column("id") == Column(
        "id", ColumnType.BIGINT, nullable=False, primary_key=True, sql_type="bigint"
    )
    name = users.get_column("display_name")
    assert name is not None and name.type is ColumnType.VARCHAR and name.length == 100 and name.nullable
    email = users.get_column("email")
    assert email is not None and email.unique and email.type is ColumnType.TEXT
    created = users.get_column("created_at")
    assert created is not None and created.type is ColumnType.TIMESTAMPTZ and created.default == "now()"
    assert users.constraints == ["users_email_key", "users_pkey"]
    assert Schema(tables=tables).get_table("app.posts").indexes == ["posts_author"]  # type: ignore[union-attr]
    assert hash(users.get_column("id")) == hash(users.get_column("id"))


def test_compare_reports_changes_in_the_reference_vocabulary() -> None:
    diff = SchemaDiffer().compare(OLD, NEW)
    assert isinstance(diff, SchemaDiff) and diff.has_changes()
    text = [str(c) for c in diff.changes]
    assert "RENAME COLUMN users.full_name TO display_name" in text
    assert "CHANGE COLUMN TYPE users.id FROM integer TO bigint" in text
    assert "CHANGE COLUMN NULLABLE users.display_name FROM false TO true" in text
    assert "DROP TABLE legacy" in text and "ADD TABLE app.posts" in text
    assert diff.count_by_type("ADD_COLUMN") == 2
    assert diff.count_by_type("DROP_TABLE") == 1
    assert diff.destructive and any(s.destructive for s in diff.up)
    # One statement per step, identifiers quoted, dependencies first.
    sql = [s.sql for s in diff.up]
    assert sql.index('CREATE SCHEMA "app";') < next(
        i for i, s in enumerate(sql) if 'CREATE TABLE "app"."posts"' in s
    )
    assert 'ALTER TABLE "public"."users" RENAME COLUMN "full_name" TO "display_name";' in sql
    assert diff.down and "DROP SCHEMA" in diff.down[-1].sql

    assert not SchemaDiffer().compare(OLD, OLD).has_changes()
    assert str(SchemaDiffer().compare(OLD, OLD)) == "No changes"


def test_hand_made_changes_print_like_fraiseql_confiture() -> None:
    assert str(SchemaChange("ADD_TABLE", table="t")) == "ADD TABLE t"
    assert (
        str(SchemaChange("RENAME_COLUMN", table="t", column="a", new_value="b")) == "RENAME COLUMN t.a TO b"
    )
    assert (
        str(
            SchemaChange("CHANGE_COLUMN_TYPE", table="t", column="c", old_value="INTEGER", new_value="BIGINT")
        )
        == "CHANGE COLUMN TYPE t.c FROM INTEGER TO BIGINT"
    )
    assert str(SchemaChange("CHANGE_COLUMN_DEFAULT", table="t", column="c")) == "CHANGE COLUMN DEFAULT t.c"
    diff = SchemaDiff(changes=[SchemaChange("ADD_TABLE", table="t"), SchemaChange("DROP_TABLE", table="u")])
    assert diff.count_by_type("ADD_TABLE") == 1 and str(diff) == "ADD TABLE t\nDROP TABLE u"
    assert Table("t").get_column("x") is None


def test_errors_carry_file_and_line() -> None:
    with pytest.raises(SchemaError) as e:
        SchemaDiffer().compare("CREATE TABLE t (id int);", "CREATE TABLE t (id int);\nCREATE TABEL u ();")
    assert getattr(e.value, "file", None) == "new_sql" and getattr(e.value, "line", None) == 2
    with pytest.raises(SchemaError, match="not yet supported: CREATE AGGREGATE"):
        SchemaDiffer().parse_sql("CREATE AGGREGATE s (int) (sfunc = int4pl, stype = int);")
    with pytest.raises(DifferError, match="changing the partitioning"):
        SchemaDiffer().compare(
            "CREATE TABLE m (a int, b int) PARTITION BY RANGE (a);",
            "CREATE TABLE m (a int, b int) PARTITION BY RANGE (b);",
        )


def test_generated_migrations_apply_with_psql(
    tmp_path: Path, db_url: str, db_name: str, query: Callable[[str, str], list[tuple]]
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_init.py").write_text("")
    (migrations / "002_seed.up.sql").write_text("")
    generator = MigrationGenerator(migrations)
    assert generator._get_next_version() == "003"
    diff = SchemaDiffer().compare(OLD, NEW)
    up = generator.generate(diff, "posts")
    assert up == migrations / "003_posts.up.sql"
    down = migrations / "003_posts.down.sql"
    assert "-- HAZARD deletes_data: drops table legacy" in up.read_text()

    _core.create_database(_core.url_with_database(db_url, "postgres"), db_name)
    assert psql(db_url, OLD).returncode == 0
    applied = psql(db_url, up.read_text())
    assert applied.returncode == 0, applied.stderr
    assert query(db_name, "SELECT count(*) FROM pg_tables WHERE schemaname = 'app'") == [(1,)]
    assert _core.diff_sides(db_url, _write(tmp_path / "new.sql", NEW), str(tmp_path))["identical"]
    reverted = psql(db_url, down.read_text())
    assert reverted.returncode == 0, reverted.stderr
    assert _core.diff_sides(db_url, _write(tmp_path / "old.sql", OLD), str(tmp_path))["identical"]

    with pytest.raises(ValueError, match="No changes"):
        generator.generate(SchemaDiffer().compare(OLD, OLD), "nothing")
    with pytest.raises(ValueError, match="no plan"):
        generator.generate(SchemaDiff(changes=[SchemaChange("ADD_TABLE", table="t")]), "hand_made")
    with pytest.raises(DifferError, match="destructive"):
        generator.generate(diff, "again", allow_destructive=False)


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)
