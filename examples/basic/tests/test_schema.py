"""Example tests using Confiture's pytest fixtures.

Each test gets ``confiture_db``: a psycopg connection to a fresh database cloned from a template
that holds this project's schema and test seeds (built once per session; rebuilt only when
the schema files change). Nothing to set up: install confiture and run pytest.
"""

import psycopg
import pytest


def test_seed_data_is_there(confiture_db: psycopg.Connection) -> None:
    users = confiture_db.execute("SELECT display_name FROM app.users ORDER BY id").fetchall()
    assert users == [("Ada",), ("Grace",)]
    assert confiture_db.execute("SELECT count(*) FROM app.published_posts").fetchone() == (1,)


def test_each_test_starts_from_the_same_state(confiture_db: psycopg.Connection) -> None:
    confiture_db.execute("DELETE FROM app.users")
    confiture_db.commit()
    assert confiture_db.execute("SELECT count(*) FROM app.users").fetchone() == (0,)


def test_deleted_rows_are_back_in_the_next_test(confiture_db: psycopg.Connection) -> None:
    assert confiture_db.execute("SELECT count(*) FROM app.users").fetchone() == (2,)


def test_the_trigger_touches_updated_at(confiture_db: psycopg.Connection) -> None:
    before = confiture_db.execute("SELECT updated_at FROM app.users WHERE id = 1").fetchone()
    confiture_db.commit()  # now() is the transaction start: use a new transaction
    confiture_db.execute("UPDATE app.users SET display_name = 'Ada L.' WHERE id = 1")
    after = confiture_db.execute("SELECT updated_at FROM app.users WHERE id = 1").fetchone()
    assert after > before


def test_constraints_hold(confiture_db: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        confiture_db.execute("INSERT INTO app.users (email, display_name) VALUES ('not-an-email', 'X')")
    confiture_db.rollback()
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        confiture_db.execute("INSERT INTO app.posts (author_id, title, status) VALUES (1, 't', 'deleted')")
