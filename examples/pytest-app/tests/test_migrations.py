"""The migrations in db/migrations, tested three ways.

1. Round trips: for each migration, up → down → up on a fresh database, with the schema compared
   at every step — a down migration that forgets an index, a column or a view fails its test.
2. Sandboxes: ``confiture_sandbox`` works on a database holding the current schema and test
   seeds; everything a test does there is rolled back.
3. ``migration_test``: a class whose tests get ``migration``, loaded in the sandbox.
"""

from confiture.testing import roundtrip
from confiture.testing.pytest import migration_test

# One test per migration: test_round_trip[001_create_authors], …
test_round_trip = roundtrip.each_migration_test()


@migration_test("003_add_pinned")
class TestAddPinned:
    """003 turns '!' title prefixes into the pinned flag, and back."""

    def test_up_turns_bang_titles_into_pins_and_keeps_every_note(self, confiture_sandbox, migration):
        with confiture_sandbox.in_pre_state(migration):  # the database holds 003 already: go back
            assert not confiture_sandbox.column_exists("notes", "pinned", schema="notes")
            confiture_sandbox.execute("UPDATE notes.notes SET title = '!Engines' WHERE title = 'Engines'")
            baseline = confiture_sandbox.capture_baseline()

            migration.up()

            confiture_sandbox.assert_no_data_loss(baseline)
            confiture_sandbox.assert_constraints_valid()
            assert confiture_sandbox.query("SELECT title, pinned FROM notes.notes ORDER BY id") == [
                ("Engines", True),
                ("Compilers", False),
            ]

    def test_down_brings_the_prefix_back(self, confiture_sandbox, migration):
        migration.down()
        assert confiture_sandbox.query("SELECT title FROM notes.notes ORDER BY id") == [
            ("!Engines",),
            ("Compilers",),
        ]


def test_what_the_view_migration_changes(confiture_sandbox, confiture_snapshotter):
    migration = confiture_sandbox.load("004")
    confiture_sandbox.simulate_pre_state(migration)
    before = confiture_snapshotter.capture()
    migration.up()
    changes = confiture_snapshotter.compare(before, confiture_snapshotter.capture())
    assert changes["views_added"] == {"notes.feed"}
    assert not changes["tables_modified"] and not changes["tables_added"]


def test_the_data_is_sound(confiture_validator):
    assert confiture_validator.constraints_valid()
    assert confiture_validator.validate_indexes() == []
    assert confiture_validator.get_row_count("notes.notes") == 2
