"""The Migrator API and its companions on a real psycopg connection."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from confiture import _core
from confiture.core import preconditions as pre
from confiture.core.checksum import ChecksumVerificationError, MigrationChecksumVerifier, compute_checksum
from confiture.core.connection import get_migration_class, load_migration_class, load_migration_module
from confiture.core.dry_run import DryRunExecutor
from confiture.core.hooks import Hook, HookContext, HookError, HookPhase, HookRegistry, HookResult
from confiture.core.locking import LockAcquisitionError, LockConfig, LockMode, MigrationLock
from confiture.core.migrator import Migrator
from confiture.exceptions import MigrationError, SQLError
from confiture.models.migration import Migration, SQLMigration
from confiture.models.sql_file_migration import FileSQLMigration


@pytest.fixture
def conn(confiture_test_server_url: str) -> Iterator[psycopg.Connection]:
    name = f"m_{uuid.uuid4().hex[:10]}"
    _core.create_database(confiture_test_server_url, name)
    with psycopg.connect(_core.url_with_database(confiture_test_server_url, name)) as c:
        yield c
    _core.drop_database(confiture_test_server_url, name, force=True)


def exists(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()[0]


class CreateUsers(Migration):
    version = "001"
    name = "create_users"

    def up(self) -> None:
        self.execute("CREATE TABLE users (id int PRIMARY KEY, email text)")

    def down(self) -> None:
        self.execute("DROP TABLE users")


class Broken(SQLMigration):
    version = "002"
    name = "broken"
    up_sql = "CREATE TABLE ok_then (id int); ALTER TABLE nope ADD COLUMN x int"
    down_sql = "SELECT 1"


def test_initialize_creates_the_reference_table(conn: psycopg.Connection) -> None:
    Migrator(conn).initialize()
    columns = [
        r[0]
        for r in conn.execute(
            "SELECT attname FROM pg_attribute"
            " WHERE attrelid = 'tb_confiture'::regclass AND attnum > 0 ORDER BY attnum"
        )
    ]
    assert columns == [
        "id",
        "pk_confiture",
        "slug",
        "version",
        "name",
        "applied_at",
        "execution_time_ms",
        "checksum",
    ]
    Migrator(conn).initialize()  # idempotent


def test_apply_rollback_and_their_refusals(conn: psycopg.Connection) -> None:
    m = Migrator(conn)
    m.apply(CreateUsers(conn))
    assert exists(conn, "users") and m.get_applied_versions() == ["001"]
    with pytest.raises(MigrationError, match="has already been applied"):
        m.apply(CreateUsers(conn))
    m.rollback(CreateUsers(conn))
    assert not exists(conn, "users") and m.get_applied_versions() == []
    with pytest.raises(MigrationError, match="has not been applied"):
        m.rollback(CreateUsers(conn))


def test_a_failing_migration_leaves_nothing(conn: psycopg.Connection) -> None:
    m = Migrator(conn)
    with pytest.raises(MigrationError) as info:
        m.apply(Broken(conn))
    assert isinstance(info.value.__cause__, SQLError)
    assert info.value.version == "002"
    assert not exists(conn, "ok_then")
    assert m.get_applied_versions() == []


def test_the_callers_open_transaction_stays_the_callers(conn: psycopg.Connection) -> None:
    conn.execute("CREATE TABLE mine (id int)")  # opens a transaction
    Migrator(conn).apply(CreateUsers(conn))
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    conn.rollback()
    assert not exists(conn, "mine") and not exists(conn, "users")


def test_migrate_up_runs_sql_and_python_files(conn: psycopg.Connection, tmp_path: Path) -> None:
    (tmp_path / "001_users.up.sql").write_text("CREATE TABLE users (id int);\n")
    (tmp_path / "001_users.down.sql").write_text("DROP TABLE users;\n")
    (tmp_path / "002_more.py").write_text(
        "from confiture.models.migration import Migration\n"
        "class More(Migration):\n"
        "    version = '002'\n    name = 'more'\n"
        "    def up(self): self.execute('ALTER TABLE users ADD COLUMN n int')\n"
        "    def down(self): self.execute('ALTER TABLE users DROP COLUMN n')\n"
    )
    m = Migrator(conn, migrations_dir=tmp_path)
    assert [p.name for p in m.find_pending()] == ["001_users.up.sql", "002_more.py"]
    assert m.migrate_up(lock_config=LockConfig(timeout_ms=2000)) == ["001", "002"]
    assert m.find_pending() == []
    checksum = conn.execute("SELECT checksum FROM tb_confiture WHERE version = '002'").fetchone()[0]
    assert checksum == compute_checksum(tmp_path / "002_more.py")
    (tmp_path / "001_users.up.sql").write_text("CREATE TABLE users (id bigint);\n")
    with pytest.raises(ChecksumVerificationError) as info:
        MigrationChecksumVerifier(conn).verify_all(tmp_path)
    assert info.value.mismatches[0].file_path.name == "001_users.up.sql"
    assert MigrationChecksumVerifier(conn).update_all_checksums(tmp_path) == 1
    assert MigrationChecksumVerifier(conn).verify_all(tmp_path) == []


def test_preconditions_all_sixteen(conn: psycopg.Connection) -> None:
    conn.execute(
        "CREATE SCHEMA app; CREATE TABLE app.parent (id int PRIMARY KEY);"
        "CREATE TABLE app.child (id int CONSTRAINT child_pk PRIMARY KEY,"
        " parent_id int REFERENCES app.parent (id), label varchar(20));"
        " CREATE INDEX child_label ON app.child (label); INSERT INTO app.parent VALUES (1), (2);"
    )
    holds = [
        pre.TableExists("child", "app"),
        pre.TableNotExists("ghost", "app"),
        pre.ColumnExists("child", "label", "app"),
        pre.ColumnNotExists("child", "ghost", "app"),
        pre.ColumnType("child", "label", "character varying(20)", "app"),
        pre.ColumnType("child", "id", "int", "app"),
        pre.ConstraintExists("child", "child_pk", "app"),
        pre.ConstraintNotExists("child", "ghost", "app"),
        pre.ForeignKeyExists("child", "parent_id", "parent", "id", "app", "app"),
        pre.IndexExists("child", "child_label", "app"),
        pre.IndexNotExists("child", "ghost", "app"),
        pre.SchemaExists("app"),
        pre.SchemaNotExists("ghost"),
        pre.RowCountEquals("parent", 2, "app"),
        pre.RowCountGreaterThan("parent", 1, "app"),
        pre.TableIsEmpty("child", "app"),
        pre.CustomSQL("SELECT count(*) = $1 FROM app.parent", "two parents", (2,)),
    ]
    for p in holds:
        ok, message = p.check(conn)
        assert ok, (p, message)
    fails = [
        (pre.TableExists("ghost", "app"), "does not exist"),
        (pre.ColumnType("child", "label", "text", "app"), "expected text"),
        (pre.RowCountEquals("parent", 3, "app"), "has 2 rows, expected 3"),
        (pre.TableIsEmpty("parent", "app"), "has 2 rows"),
        (pre.CustomSQL("SELECT false", "never"), "never: false"),
    ]
    for p, expected in fails:
        ok, message = p.check(conn)
        assert not ok and expected in message, (p, message)


def test_failing_preconditions_stop_the_migration(conn: psycopg.Connection) -> None:
    class Guarded(CreateUsers):
        up_preconditions = [pre.TableExists("accounts"), pre.SchemaNotExists("public")]

    with pytest.raises(pre.PreconditionValidationError) as info:
        Migrator(conn).apply(Guarded(conn))
    assert len(info.value.failures) == 2 and info.value.migration_version == "001"
    assert not exists(conn, "users")
    Migrator(conn).apply(Guarded(conn), skip_preconditions=True)
    assert exists(conn, "users")


class Recorder(Hook):
    calls: list[str] = []

    def __init__(self, hook_id: str, fail: bool = False) -> None:
        super().__init__(hook_id, hook_id)
        self.fail = fail

    async def execute(self, context: HookContext) -> HookResult:
        Recorder.calls.append(f"{self.id}:{context.phase}")
        if self.fail:
            return HookResult(success=False, error="refused")
        connection = context.get_data().metadata["connection"]
        connection.execute("SELECT 1")
        return HookResult(success=True)


def test_hooks_run_at_their_phases_and_a_failure_rolls_back(conn: psycopg.Connection) -> None:
    Recorder.calls = []

    class Hooked(CreateUsers):
        before_validation_hooks = [Recorder("bv")]
        before_ddl_hooks = [Recorder("bd")]
        after_ddl_hooks = [Recorder("ad")]
        cleanup_hooks = [Recorder("cl")]

    registry = HookRegistry()
    registry.register(HookPhase.AFTER_EXECUTE, Recorder("reg"))
    Migrator(conn, hook_registry=registry).apply(Hooked(conn))
    assert Recorder.calls == [
        "bv:before_validation",
        "bd:before_ddl",
        "ad:after_ddl",
        "reg:after_execute",
        "cl:cleanup",
    ]

    Recorder.calls = []

    class Vetoed(Migration):
        version = "002"
        name = "vetoed"
        after_ddl_hooks = [Recorder("veto", fail=True)]
        error_hooks = [Recorder("err")]

        def up(self) -> None:
            self.execute("CREATE TABLE vetoed (id int)")

        def down(self) -> None: ...

    with pytest.raises(HookError, match="refused"):
        Migrator(conn).apply(Vetoed(conn))
    assert not exists(conn, "vetoed")
    assert Recorder.calls == ["veto:after_ddl", "err:error"]


def test_dry_run_reports_and_rolls_back(conn: psycopg.Connection) -> None:
    conn.execute("CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 1000) g")
    conn.commit()

    class Index(Migration):
        version = "003"
        name = "index"

        def up(self) -> None:
            self.execute("CREATE INDEX big_id ON big (id)")

        def down(self) -> None: ...

    result = DryRunExecutor().run(conn, Index(conn))
    assert result.success and result.migration_version == "003"
    assert "public.big" in result.locked_tables
    assert conn.execute("SELECT to_regclass('big_id')").fetchone() == (None,)
    assert Migrator(conn).get_applied_versions() == []


def test_non_transactional_migrations_use_autocommit(conn: psycopg.Connection) -> None:
    conn.execute("CREATE TABLE t (id int)")
    conn.commit()

    class Concurrent(Migration):
        version = "004"
        name = "concurrent"
        transactional = False

        def up(self) -> None:
            self.execute("CREATE INDEX CONCURRENTLY t_id ON t (id)")

        def down(self) -> None: ...

    Migrator(conn).apply(Concurrent(conn))
    assert conn.autocommit is False
    assert conn.execute("SELECT to_regclass('t_id') IS NOT NULL").fetchone() == (True,)


def test_the_lock_is_exclusive_and_names_its_holder(
    conn: psycopg.Connection, confiture_test_server_url: str
) -> None:
    url = conn.info.dsn
    with psycopg.connect(url, autocommit=True) as other:
        lock = MigrationLock(conn, LockConfig())
        with lock.acquire():
            assert lock.lock_held and lock.is_locked()
            holder = lock.get_lock_holder()
            assert holder["pid"] == conn.info.backend_pid
            contender = MigrationLock(other, LockConfig(mode=LockMode.NON_BLOCKING))
            with pytest.raises(LockAcquisitionError) as info, contender.acquire():
                pass
            assert info.value.timeout is False and info.value.holder["pid"] == conn.info.backend_pid
            waiting = MigrationLock(other, LockConfig(timeout_ms=100))
            with pytest.raises(LockAcquisitionError, match="within 100ms") as info, waiting.acquire():
                pass
            assert info.value.timeout is True
        assert not lock.is_locked()
    assert MigrationLock(conn)._get_lock_id() == _core.lock_id(conn.info.dbname)


def test_loaders(tmp_path: Path) -> None:
    (tmp_path / "005_x.py").write_text(
        "from confiture.models.migration import Migration, SQLMigration\n"
        "class A(SQLMigration):\n    version = '005'\n    name = 'x'\n"
        "    up_sql = 'SELECT 1'\n    down_sql = 'SELECT 1'\n"
    )
    cls = load_migration_class(tmp_path / "005_x.py")
    assert cls.__name__ == "A"
    assert get_migration_class(load_migration_module(tmp_path / "005_x.py")).version == "005"
    (tmp_path / "006_y.up.sql").write_text("-- confiture: no-transaction\nSELECT 1;\n")
    with pytest.raises(MigrationError, match=r"has no matching \.down\.sql"):
        load_migration_class(tmp_path / "006_y.up.sql")
    (tmp_path / "006_y.down.sql").write_text("SELECT 1;\n")
    (tmp_path / "006_y.yaml").write_text("up_preconditions:\n  - type: TableExists\n    table: users\n")
    sql_cls = load_migration_class(tmp_path / "006_y.up.sql")
    assert issubclass(sql_cls, FileSQLMigration)
    assert (sql_cls.version, sql_cls.name, sql_cls.transactional) == ("006", "y", False)
    assert sql_cls.up_preconditions == [pre.TableExists("users")]
    with pytest.raises(MigrationError, match="Unknown migration file type"):
        load_migration_class(tmp_path / "x.txt")
    (tmp_path / "007_z.py").write_text("X = 1\n")
    with pytest.raises(MigrationError, match="no Migration subclass"):
        load_migration_class(tmp_path / "007_z.py")

    class NoVersion(Migration):
        def up(self) -> None: ...

        def down(self) -> None: ...

    with pytest.raises(TypeError, match="version"):
        NoVersion(None)
