"""The pytest fixtures and helpers, importable by name
(``from confiture.testing.pytest import migration_test``). With the plugin installed (it is
auto-registered), the fixtures need no import at all; ``pytest_plugins = ["confiture.testing.pytest"]``
also works."""

from __future__ import annotations

from confiture.testing.pytest_plugin import (
    confiture_db,
    confiture_db_pool,
    confiture_db_url,
    confiture_env,
    confiture_fresh_db_url,
    confiture_migrations_dir,
    confiture_project_dir,
    confiture_roundtrips,
    confiture_sandbox,
    confiture_snapshotter,
    confiture_template_db,
    confiture_test_server_url,
    confiture_validator,
    migration_test,
    tb_confiture_dir,
)

__all__ = [
    "confiture_db",
    "confiture_db_pool",
    "confiture_db_url",
    "confiture_env",
    "confiture_fresh_db_url",
    "confiture_migrations_dir",
    "confiture_project_dir",
    "confiture_roundtrips",
    "confiture_sandbox",
    "confiture_snapshotter",
    "confiture_template_db",
    "confiture_test_server_url",
    "confiture_validator",
    "migration_test",
    "tb_confiture_dir",
]
