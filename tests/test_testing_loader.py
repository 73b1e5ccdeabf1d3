"""confiture.testing.loader: migration classes by name or version, from .py and .up.sql files."""

from __future__ import annotations

from pathlib import Path

import pytest

from confiture.exceptions import MigrationError
from confiture.models.migration import Migration
from confiture.testing import (
    MigrationLoadError,
    MigrationNotFoundError,
    find_migration_by_version,
    load_migration,
)

PY_MIGRATION = """
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
def migrations(tmp_path: Path) -> Path:
    d = tmp_path / "db" / "migrations"
    d.mkdir(parents=True)
    (d / "001_create_users.up.sql").write_text("CREATE TABLE users (id int);\n")
    (d / "001_create_users.down.sql").write_text("DROP TABLE users;\n")
    (d / "002_add_bio.py").write_text(PY_MIGRATION)
    return d


def test_loads_python_and_sql_migrations_by_name(migrations: Path) -> None:
    py = load_migration("002_add_bio", migrations_dir=migrations)
    assert issubclass(py, Migration) and py.__name__ == "AddBio"
    sql = load_migration("001_create_users", migrations_dir=migrations)
    assert issubclass(sql, Migration)
    assert (sql.version, sql.name) == ("001", "create_users")
    assert sql.up_file == migrations / "001_create_users.up.sql"
    # With an extension, too.
    assert load_migration("001_create_users.up.sql", migrations_dir=migrations).version == "001"


def test_loads_by_version_as_versions_compare(migrations: Path) -> None:
    assert load_migration(version="002", migrations_dir=migrations).__name__ == "AddBio"
    assert load_migration(version="2", migrations_dir=migrations).__name__ == "AddBio"
    assert find_migration_by_version("1", migrations) == migrations / "001_create_users.up.sql"
    assert find_migration_by_version("9", migrations) is None


def test_default_directory_is_db_migrations(migrations: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(migrations.parent.parent)
    assert load_migration(version="001").version == "001"


def test_not_found_and_ambiguous(migrations: Path, tmp_path: Path) -> None:
    with pytest.raises(MigrationNotFoundError, match="No migration named '003_x'"):
        load_migration("003_x", migrations_dir=migrations)
    with pytest.raises(MigrationNotFoundError, match="with version '7'"):
        load_migration(version="7", migrations_dir=migrations)
    with pytest.raises(MigrationNotFoundError, match="Migrations directory not found"):
        load_migration("001_create_users", migrations_dir=tmp_path / "nowhere")
    (migrations / "2_other.up.sql").write_text("SELECT 1;")
    (migrations / "2_other.down.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationNotFoundError, match="Several migrations have version '2'") as e:
        load_migration(version="2", migrations_dir=migrations)
    assert "002_add_bio.py" in str(e.value) and "2_other.up.sql" in str(e.value)
    assert find_migration_by_version("2", migrations) is None
    # Errors are MigrationErrors, as in fraiseql-confiture.
    assert issubclass(MigrationNotFoundError, MigrationError) and issubclass(
        MigrationLoadError, MigrationError
    )


def test_files_that_cannot_be_loaded(migrations: Path) -> None:
    (migrations / "003_broken.py").write_text("import not_a_module_anywhere\n")
    with pytest.raises(MigrationLoadError, match=r"003_broken\.py") as e:
        load_migration("003_broken", migrations_dir=migrations)
    assert e.value.version == "003"
    (migrations / "004_empty.py").write_text("X = 1\n")
    with pytest.raises(MigrationLoadError, match="expected one Migration subclass"):
        load_migration(version="004", migrations_dir=migrations)
    (migrations / "005_half.up.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationLoadError, match=r"no \.down\.sql"):
        load_migration("005_half", migrations_dir=migrations)


def test_exactly_one_of_name_and_version() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        load_migration()
    with pytest.raises(ValueError, match="exactly one"):
        load_migration("001_x", version="001")
