"""Data models: migrations (and, with later releases, schemas and lint reports)."""

from confiture.models.migration import Migration, SQLMigration
from confiture.models.sql_file_migration import (
    FileSQLMigration,
    find_sql_migration_files,
    get_sql_migration_version,
)

__all__ = [
    "FileSQLMigration",
    "Migration",
    "SQLMigration",
    "find_sql_migration_files",
    "get_sql_migration_version",
]
