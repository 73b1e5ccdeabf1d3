"""pytest plugin (auto-registered): PostgreSQL databases built from your schema, one per test.

Fixtures (override any of them like any pytest fixture):

- ``confiture_test_server_url`` (session): a throw-away server, or the one in
  ``CONFITURE_TEST_DB_URL`` / ``CONFITURE_TEST_DATABASE_URL``.
- ``confiture_project_dir`` (session): the project root (default: pytest's rootdir).
- ``confiture_env`` (session): the environment to build (``test`` if defined, else ``local``).
- ``confiture_template_db`` (session): the schema built once into a template database; rebuilt only
  when the schema hash changes (the template cache also survives between sessions on a shared server).
- ``confiture_fresh_db_url`` (function): a database cloned from the template for this test, dropped after.
- ``confiture_db`` (function): an open psycopg connection to it.
- fraiseql-confiture's names: ``confiture_db_url`` (session), ``confiture_migrations_dir``
  (and its old alias ``tb_confiture_dir``).

Nothing starts unless a test asks for one of these fixtures.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import psycopg


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def confiture_test_server_url() -> Iterator[str]:
    """URL of the maintenance database of the PostgreSQL server the fixtures use."""
    from confiture import _core

    server = _core.PostgresServer.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def confiture_project_dir(request: pytest.FixtureRequest) -> Path:
    """The project whose schema the fixtures build."""
    return Path(request.config.rootpath)


@pytest.fixture(scope="session")
def confiture_env(confiture_project_dir: Path) -> str:
    """The environment the fixtures build: ``test`` when defined, else ``local``."""
    from confiture import _core

    return "test" if "test" in _core.list_environments(str(confiture_project_dir)) else "local"


@pytest.fixture(scope="session")
def confiture_template_db(
    confiture_test_server_url: str, confiture_project_dir: Path, confiture_env: str
) -> Iterator[str]:
    """Name of a template database holding the project's schema (and seeds)."""
    from confiture import _core
    from confiture.core.builder import SchemaBuilder

    scratch = _unique("confiture_session")
    builder = SchemaBuilder(confiture_env, confiture_project_dir)
    report = builder.build_database(
        _core.url_with_database(confiture_test_server_url, scratch), recreate=True, use_cache=True
    )
    template = report.template_created or report.from_template
    if template is None:
        # The cache could not be filled (busy server): the scratch database serves as template.
        template = scratch
    else:
        _core.drop_database(confiture_test_server_url, scratch, force=True)
    try:
        yield template
    finally:
        if template == scratch:
            _core.drop_database(confiture_test_server_url, scratch, force=True)


@pytest.fixture
def confiture_fresh_db_url(confiture_test_server_url: str, confiture_template_db: str) -> Iterator[str]:
    """URL of a database cloned from the template for this test; dropped afterwards."""
    from confiture import _core

    name = _unique("confiture_test")
    _core.create_database(confiture_test_server_url, name, confiture_template_db)
    try:
        yield _core.url_with_database(confiture_test_server_url, name)
    finally:
        _core.drop_database(confiture_test_server_url, name, force=True)


@pytest.fixture
def confiture_db(confiture_fresh_db_url: str) -> Iterator[psycopg.Connection]:
    """An open psycopg connection to this test's fresh database."""
    import psycopg

    with psycopg.connect(confiture_fresh_db_url) as conn:
        yield conn


@pytest.fixture(scope="session")
def confiture_db_url(confiture_test_server_url: str) -> Iterator[str]:
    """fraiseql-confiture's fixture: ``CONFITURE_TEST_DB_URL`` as given, else an empty session database."""
    given = os.environ.get("CONFITURE_TEST_DB_URL")
    if given:
        yield given
        return
    from confiture import _core

    name = _unique("confiture_session")
    _core.create_database(confiture_test_server_url, name)
    try:
        yield _core.url_with_database(confiture_test_server_url, name)
    finally:
        _core.drop_database(confiture_test_server_url, name, force=True)


@pytest.fixture(scope="session")
def confiture_migrations_dir(confiture_project_dir: Path) -> Path:
    """The project's migrations directory."""
    return confiture_project_dir / "db" / "migrations"


@pytest.fixture(scope="session")
def tb_confiture_dir(confiture_migrations_dir: Path) -> Path:
    """Old name of ``confiture_migrations_dir`` (fraiseql-confiture 0.3.9)."""
    return confiture_migrations_dir
