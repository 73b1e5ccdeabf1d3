"""SchemaSnapshotter and DataValidator (confiture.testing.fixtures) on real databases: what they
see inside an open transaction, and that they leave it as it was."""

from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest

from confiture import _core
from confiture.exceptions import ValidationError
from confiture.testing import (
    ColumnInfo,
    DataBaseline,
    DataValidator,
    SchemaChange,
    SchemaSnapshot,
    SchemaSnapshotter,
    TableSchema,
)

SCHEMA = """
CREATE SCHEMA app;
CREATE TABLE app.users (id int PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, age int CHECK (age >= 0));
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES app.users (id), title text);
CREATE INDEX posts_title ON posts (lower(title));
CREATE VIEW recent AS SELECT id FROM posts;
CREATE FUNCTION app.hello() RETURNS text LANGUAGE sql AS $$ SELECT 'hi' $$;
INSERT INTO app.users VALUES (1, 'a@example.com', 30), (2, 'b@example.com', NULL);
INSERT INTO posts VALUES (1, 1, 'x'), (2, NULL, 'y');
"""


@pytest.fixture
def conn(db_url: str, confiture_test_server_url: str, db_name: str) -> psycopg.Connection:
    _core.create_database(confiture_test_server_url, db_name)
    with psycopg.connect(db_url, autocommit=True) as c:
        c.execute(SCHEMA)
    with psycopg.connect(db_url) as c:
        yield c


def test_capture_reads_the_schema_model(conn: psycopg.Connection) -> None:
    snap = SchemaSnapshotter(conn).capture()
    assert set(snap.tables) == {"app.users", "posts"}
    users = snap.tables["app.users"]
    assert (users.name, users.schema_name) == ("users", "app")
    assert list(users.columns) == ["id", "email", "age"]
    assert users.columns["email"] == ColumnInfo("email", "character varying(100)", False, None)
    assert {(c.name, c.constraint_type) for c in users.constraints} == {
        ("users_pkey", "PRIMARY KEY"),
        ("users_email_key", "UNIQUE"),
        ("users_age_check", "CHECK"),
    }
    posts = snap.tables["posts"]
    fk = posts.foreign_keys[0]
    assert (fk.column_name, fk.referenced_table, fk.referenced_column, fk.referenced_schema) == (
        "user_id",
        "users",
        "id",
        "app",
    )
    title = next(i for i in posts.indexes if i.name == "posts_title")
    assert title.columns == ["(lower(title))"] and not title.is_unique
    assert snap.views == {"recent"} and snap.functions == {"app.hello"}
    # The same through a URL.
    url = conn.info.dsn
    assert set(SchemaSnapshotter(url).capture().tables) == set(snap.tables)


def test_compare_sees_uncommitted_changes_and_leaves_the_transaction_alone(conn: psycopg.Connection) -> None:
    snapshotter = SchemaSnapshotter(conn)
    conn.execute("INSERT INTO posts VALUES (3, 2, 'mine')")  # the caller's transaction is open
    before = snapshotter.capture()
    conn.execute("UPDATE app.users SET age = 1 WHERE age IS NULL")
    conn.execute("ALTER TABLE app.users ADD COLUMN bio text, ALTER COLUMN age SET NOT NULL")
    conn.execute("CREATE TABLE tags (id int)")
    conn.execute("ALTER TABLE app.users DROP CONSTRAINT users_age_check")
    conn.execute("ALTER TABLE app.users ADD CONSTRAINT users_age_check CHECK (age > 0)")
    conn.execute("DROP INDEX posts_title")
    conn.execute("DROP VIEW recent")
    after = snapshotter.capture()
    changes = snapshotter.compare(before, after)
    assert changes["tables_added"] == {"tags"} and changes["tables_removed"] == set()
    assert changes["views_removed"] == {"recent"}
    users = next(t for t in changes["tables_modified"] if t["table"] == "app.users")
    assert users["columns_added"] == {"bio"}
    age = users["columns_modified"][0]
    assert (age["column"], age["before_nullable"], age["after_nullable"]) == ("age", True, False)
    assert [c["constraint"] for c in users["constraints_modified"]] == ["users_age_check"]
    posts = next(t for t in changes["tables_modified"] if t["table"] == "posts")
    assert posts["indexes_removed"] == {"posts_title"}
    assert changes["has_changes"]
    assert SchemaChange("added", "table", "tags") in changes["changes"]
    assert not snapshotter.compare(after, after)["has_changes"]
    # Nothing the snapshotter did is left in (or broke) the caller's transaction.
    assert conn.execute("SELECT count(*) FROM posts").fetchone() == (3,)
    conn.rollback()
    assert conn.execute("SELECT to_regclass('tags'), count(*) FROM posts").fetchone() == (None, 2)


def test_compare_takes_hand_made_snapshots() -> None:
    table = TableSchema("t", "public", {"a": ColumnInfo("a", "integer", True)})
    before = SchemaSnapshot(tables={"t": table})
    after = SchemaSnapshot(
        tables={"t": replace(table, columns={"a": ColumnInfo("a", "bigint", True)})}, functions={"f"}
    )
    changes = SchemaSnapshotter(None).compare(before, after)
    assert changes["functions_added"] == {"f"}
    assert changes["tables_modified"][0]["columns_modified"][0]["after_type"] == "bigint"


def test_validator_counts_exactly_inside_the_transaction(conn: psycopg.Connection) -> None:
    validator = DataValidator(conn)
    conn.execute("INSERT INTO posts VALUES (3, 2, 'uncommitted')")
    baseline = validator.capture_baseline()
    assert baseline == DataBaseline({"app.users": 2, "public.posts": 3}, 0, 0, 0, [])
    assert validator.get_row_count("posts") == 3
    assert validator.get_row_count("app.users") == 2
    with pytest.raises(ValidationError, match="does not exist"):
        validator.get_row_count("app.nope")
    assert validator.constraints_valid() and validator.check_foreign_key_integrity("posts", "user_id")
    with pytest.raises(ValidationError, match="no foreign key"):
        validator.check_foreign_key_integrity("posts", "title")

    conn.execute("DELETE FROM posts WHERE id = 3")
    assert not validator.no_data_loss(baseline)
    [lost] = validator.row_count_changes(baseline)
    assert (lost.table, lost.before, lost.after) == ("public.posts", 3, 2)
    conn.execute("INSERT INTO posts VALUES (3, 1, 'back'), (4, 1, 'more')")
    assert validator.no_data_loss(baseline)
    assert not validator.no_data_loss(baseline, allow_additions=False)


def test_validator_finds_broken_rows_and_invalid_indexes(conn: psycopg.Connection) -> None:
    validator = DataValidator(conn)
    conn.execute("SET session_replication_role = replica")
    conn.execute("INSERT INTO posts VALUES (9, 42, 'orphan')")
    conn.execute("RESET session_replication_role")
    conn.execute("UPDATE app.users SET age = 5 WHERE id = 2")
    # NOT VALID: the existing row aged 5 gets in, new rows are checked.
    conn.execute("ALTER TABLE app.users ADD CONSTRAINT adult CHECK (age >= 18) NOT VALID")
    conn.execute("INSERT INTO app.users VALUES (3, 'c@example.com', 20)")
    found = validator.violations()
    assert [(v.kind, v.table, v.constraint, v.rows) for v in found] == [
        ("check", "app.users", "adult", 1),
        ("foreign_key", "public.posts", "posts_user_id_fkey", 1),
    ]
    assert str(found[0]) == "app.users: 1 row(s) break adult (CHECK (age >= 18))"
    assert not validator.constraints_valid()
    assert not validator.check_foreign_key_integrity("public.posts", "user_id")
    baseline = validator.capture_baseline()
    assert (baseline.foreign_key_violations, baseline.constraint_violations) == (1, 1)
    conn.rollback()

    assert validator.validate_indexes() == []
    with psycopg.connect(conn.info.dsn, autocommit=True) as auto:
        auto.execute("INSERT INTO posts VALUES (5, 1, 'x')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            auto.execute("CREATE UNIQUE INDEX CONCURRENTLY posts_title_unique ON posts (title)")
    assert validator.validate_indexes() == ["public.posts.posts_title_unique"]
