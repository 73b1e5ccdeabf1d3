"""pytest plugin (auto-registered): PostgreSQL databases built from your schema, one per test, and
fraiseql-confiture's migration-testing fixtures.

Fixtures (override any of them like any pytest fixture):

- ``confiture_test_server_url`` (session): a throw-away server, or the one in
  ``CONFITURE_TEST_DB_URL`` / ``CONFITURE_TEST_DATABASE_URL``.
- ``confiture_project_dir`` (session): the project root (default: pytest's rootdir).
- ``confiture_env`` (session): the environment to build (``test`` if defined, else ``local``).
- ``confiture_template_db`` (session): the schema built once into a template database; rebuilt only
  when the schema hash changes (the template cache also survives between sessions on a shared server).
- ``confiture_db_pool`` (session): clones of the template made ahead of time
  (``CONFITURE_TEST_DB_AHEAD`` clones, default 2).
- ``confiture_fresh_db_url`` (function): a database cloned from the template for this test, dropped after.
- ``confiture_db`` (function): an open psycopg connection to it.
- fraiseql-confiture's names: ``confiture_db_url`` (session: ``CONFITURE_TEST_DB_URL``, else a
  session database holding the project's schema), ``confiture_migrations_dir`` (and its old alias
  ``tb_confiture_dir``), ``confiture_sandbox`` (a ``MigrationSandbox`` on ``confiture_db_url``,
  rolled back after the test), ``confiture_validator``, ``confiture_snapshotter``.
- ``confiture_roundtrips`` (session) and ``confiture_roundtrip_migration`` (parametrized): see
  ``confiture.testing.roundtrip``.

Nothing starts unless a test asks for one of these fixtures; the plugin imports nothing heavy.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    import psycopg

    from confiture import _core
    from confiture.testing.fixtures.data_validator import DataValidator
    from confiture.testing.fixtures.schema_snapshotter import SchemaSnapshotter
    from confiture.testing.roundtrip import RoundTrips
    from confiture.testing.sandbox import MigrationSandbox

T = TypeVar("T")


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


def _ahead() -> int:
    value = os.environ.get("CONFITURE_TEST_DB_AHEAD", "2")
    try:
        return max(0, int(value))
    except ValueError:
        raise pytest.UsageError(f"CONFITURE_TEST_DB_AHEAD must be a number, not {value!r}") from None


@pytest.fixture(scope="session")
def confiture_db_pool(
    confiture_test_server_url: str, confiture_template_db: str
) -> Iterator[_core.ClonePool]:
    """Clones of the template made ahead of time, so a test does not wait for one."""
    from confiture import _core

    pool = _core.ClonePool(confiture_test_server_url, confiture_template_db, _ahead())
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def confiture_fresh_db_url(
    confiture_test_server_url: str, confiture_db_pool: _core.ClonePool
) -> Iterator[str]:
    """URL of a database cloned from the template for this test; dropped afterwards."""
    from confiture import _core

    name = confiture_db_pool.take()
    try:
        yield _core.url_with_database(confiture_test_server_url, name)
    finally:
        confiture_db_pool.give_back(name)


@pytest.fixture
def confiture_db(confiture_fresh_db_url: str) -> Iterator[psycopg.Connection]:
    """An open psycopg connection to this test's fresh database."""
    import psycopg

    with psycopg.connect(confiture_fresh_db_url) as conn:
        yield conn


def _has_schema(project_dir: Path, env: str) -> bool:
    """Whether the project has schema files to build (else the session database starts empty)."""
    from confiture import _core
    from confiture.core.builder import SchemaBuilder

    if env not in _core.list_environments(str(project_dir)):
        return False
    return bool(SchemaBuilder(env, project_dir).find_sql_files())


@pytest.fixture(scope="session")
def confiture_db_url(
    request: pytest.FixtureRequest,
    confiture_test_server_url: str,
    confiture_project_dir: Path,
    confiture_env: str,
) -> Iterator[str]:
    """fraiseql-confiture's fixture: ``CONFITURE_TEST_DB_URL`` as given; else a session database
    holding the project's schema (a clone of the template), or an empty one when the project has
    no schema files."""
    given = os.environ.get("CONFITURE_TEST_DB_URL")
    if given:
        yield given
        return
    from confiture import _core

    template = None
    if _has_schema(confiture_project_dir, confiture_env):
        template = request.getfixturevalue("confiture_template_db")
    name = _unique("confiture_session")
    _core.create_database(confiture_test_server_url, name, template)
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


@pytest.fixture
def confiture_sandbox(confiture_db_url: str, confiture_migrations_dir: Path) -> Iterator[MigrationSandbox]:
    """A ``MigrationSandbox`` on ``confiture_db_url``: everything the test does is rolled back."""
    from confiture.testing.sandbox import MigrationSandbox

    with MigrationSandbox(confiture_db_url, migrations_dir=confiture_migrations_dir) as sandbox:
        yield sandbox


@pytest.fixture
def confiture_validator(confiture_sandbox: MigrationSandbox) -> DataValidator:
    """The sandbox's ``DataValidator``."""
    return confiture_sandbox.validator


@pytest.fixture
def confiture_snapshotter(confiture_sandbox: MigrationSandbox) -> SchemaSnapshotter:
    """The sandbox's ``SchemaSnapshotter``."""
    return confiture_sandbox.snapshotter


@pytest.fixture(scope="session")
def confiture_roundtrips(confiture_test_server_url: str) -> Iterator[RoundTrips]:
    """Runs migration round trips on databases of the test server (see ``confiture.testing.roundtrip``)."""
    from confiture.testing.roundtrip import RoundTrips

    trips = RoundTrips(confiture_test_server_url)
    try:
        yield trips
    finally:
        trips.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrizes ``confiture_roundtrip_migration`` with one case per migration."""
    if "confiture_roundtrip_migration" not in metafunc.fixturenames:
        return
    from confiture.testing.roundtrip import MIGRATIONS_DIR_ATTRIBUTE, list_cases

    given = getattr(metafunc.function, MIGRATIONS_DIR_ATTRIBUTE, None)
    root = Path(metafunc.config.rootpath)
    directory = root / "db" / "migrations" if given is None else root / Path(given)
    if not directory.is_dir():
        raise pytest.UsageError(
            f"{metafunc.definition.name}: migrations directory not found: {directory} "
            "(give it to roundtrip.each_migration_test(), relative to the rootdir)"
        )
    cases = list_cases(directory)
    metafunc.parametrize("confiture_roundtrip_migration", cases, ids=[c.label for c in cases])


def migration_test(migration_name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: the test class gets a ``migration`` fixture, ``migration_name`` loaded in
    the class's ``confiture_sandbox``::

        @migration_test("003_add_user_bio")
        class TestAddUserBio:
            def test_up_keeps_rows(self, confiture_sandbox, migration):
                baseline = confiture_sandbox.capture_baseline()
                migration.up()
                confiture_sandbox.assert_no_data_loss(baseline)
    """

    def decorate(cls: type[T]) -> type[T]:
        def migration(self: Any, confiture_sandbox: MigrationSandbox) -> Any:
            return confiture_sandbox.load(migration_name)

        setattr(cls, "migration", pytest.fixture(migration, name="migration"))  # noqa: B010
        return cls

    return decorate
