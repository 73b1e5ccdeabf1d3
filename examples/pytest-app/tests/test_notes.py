"""The app against a real database: each test gets its own, cloned from the schema and test seeds.

``confiture_db`` is a psycopg connection to a database made for this test (the template is built
once per session from db/schema + db/seeds/test, and clones are made ahead of time, so a test
does not wait for one). Whatever a test does — commits included — is gone for the next test.
"""

import psycopg
import pytest
from app.notes import add_note, feed


def test_the_feed_lists_pinned_notes_first(confiture_db: psycopg.Connection) -> None:
    add_note(confiture_db, "grace@example.com", "Debugging", "A moth.")
    assert feed(confiture_db) == [("Engines", "Ada"), ("Debugging", "Grace"), ("Compilers", "Grace")]


def test_commits_do_not_leak_into_other_tests(confiture_db: psycopg.Connection) -> None:
    add_note(confiture_db, "ada@example.com", "Committed")
    confiture_db.commit()
    assert len(feed(confiture_db)) == 3


def test_every_test_starts_from_the_seeds(confiture_db: psycopg.Connection) -> None:
    assert len(feed(confiture_db)) == 2


def test_unknown_authors_and_empty_titles_are_refused(confiture_db: psycopg.Connection) -> None:
    with pytest.raises(LookupError):
        add_note(confiture_db, "nobody@example.com", "Hello")
    with pytest.raises(psycopg.errors.CheckViolation):
        add_note(confiture_db, "ada@example.com", "")


def test_two_databases_in_one_test(confiture_fresh_db_url: str, confiture_db: psycopg.Connection) -> None:
    # confiture_db is a connection to confiture_fresh_db_url: one database per test.
    with psycopg.connect(confiture_fresh_db_url) as other:
        add_note(other, "ada@example.com", "Seen by both")
        other.commit()
    assert ("Seen by both", "Ada") in feed(confiture_db)
