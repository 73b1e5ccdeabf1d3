"""The pytest fixtures, importable by name (``from confiture.testing.pytest import confiture_db``)."""

from __future__ import annotations

from confiture.testing.pytest_plugin import (
    confiture_db,
    confiture_db_url,
    confiture_env,
    confiture_fresh_db_url,
    confiture_migrations_dir,
    confiture_project_dir,
    confiture_template_db,
    confiture_test_server_url,
    tb_confiture_dir,
)

__all__ = [
    "confiture_db",
    "confiture_db_url",
    "confiture_env",
    "confiture_fresh_db_url",
    "confiture_migrations_dir",
    "confiture_project_dir",
    "confiture_template_db",
    "confiture_test_server_url",
    "tb_confiture_dir",
]
