"""Migration files from a diff (``confiture.core.migration_generator``).

``MigrationGenerator(migrations_dir).generate(diff, name)`` writes ``NNN_<name>.up.sql`` and
``NNN_<name>.down.sql`` (NNN: the highest version among the directory's ``.py`` and ``.up.sql``
files plus one) with the plan's hazards as comments, and returns the ``.up.sql`` path. The files
are what ``confiture migrate up``/``down`` apply.
"""

from __future__ import annotations

from pathlib import Path

from confiture import _core
from confiture.models.schema import SchemaDiff


class MigrationGenerator:
    def __init__(self, migrations_dir: Path) -> None:
        self.migrations_dir = Path(migrations_dir)

    def generate(self, diff: SchemaDiff, name: str, *, allow_destructive: bool = True) -> Path:
        """Writes the migration for ``diff`` (made by ``SchemaDiffer.compare``).

        Raises ``ValueError`` when the diff has no changes (as fraiseql-confiture did) or was not
        made by the engine; ``DifferError`` when ``allow_destructive`` is false and the plan drops
        data.
        """
        if not diff.has_changes():
            raise ValueError("No changes to generate migration from")
        if diff.report is None:
            raise ValueError("this diff has no plan: make it with SchemaDiffer().compare(old_sql, new_sql)")
        written = _core.write_migration(diff.report, str(self.migrations_dir), name, allow_destructive)
        return Path(written["up"])

    def _get_next_version(self) -> str:
        """The version the next migration gets (``001``, ``002``, …)."""
        return _core.next_migration_version(str(self.migrations_dir))


__all__ = ["MigrationGenerator"]
