"""``confiture coordinate`` and ``confiture.integrations.pggit.coordination`` against PostgreSQL:
every conflict kind (with qualified, quoted and IF NOT EXISTS forms), exit codes, status rules,
history, and concurrent registrations."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result

from confiture import _core
from confiture.cli.main import app
from confiture.exceptions import CoordinationError
from confiture.integrations.pggit.coordination import (
    ConflictDetector,
    ConflictReport,
    ConflictType,
    Intent,
    IntentRegistry,
    IntentStatus,
    RiskLevel,
)


@pytest.fixture
def coord_url(confiture_test_server_url: str, db_name: str, db_url: str) -> str:
    _core.create_database(confiture_test_server_url, db_name)
    return db_url


Coord = Callable[..., Result]


@pytest.fixture
def coord(cli: CliRunner, coord_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Coord:
    """Runs ``confiture coordinate …`` against the test database (from an empty project dir)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CONFITURE_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        return cli.invoke(app, ["coordinate", *args, "--db-url", coord_url])

    return run


def register(coord: Coord, agent: str, ddl: str, *extra: str) -> tuple[int, dict[str, Any]]:
    r = coord("register", "--agent-id", agent, "--schema-changes", ddl, "--format", "json", *extra)
    assert r.exit_code in (0, 3, 4), r.output
    return r.exit_code, json.loads(r.stdout)


def kinds(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["conflict_type"], c["severity"]) for c in doc["conflicts"]]


# --- conflict kinds, through the CLI --------------------------------------------------------------

CASES = [
    pytest.param(
        "ALTER TABLE app.users ADD COLUMN IF NOT EXISTS email text",
        'ALTER TABLE "app"."users" DROP COLUMN "email"',
        [("table", "warning"), ("column", "error")],
        ["app.users.email"],
        id="column-qualified-quoted-if-not-exists",
    ),
    pytest.param(
        "CREATE TABLE IF NOT EXISTS app.orders (id int PRIMARY KEY)",
        "ALTER TABLE app.orders ADD COLUMN total numeric",
        [("table", "warning")],
        ["app.orders"],
        id="table-if-not-exists",
    ),
    pytest.param(
        "CREATE OR REPLACE FUNCTION app.total(p int) RETURNS int LANGUAGE sql AS $$ SELECT p $$",
        "DROP FUNCTION IF EXISTS app.total(integer)",
        [("function", "error")],
        ["app.total(integer)"],
        id="function-same-signature",
    ),
    pytest.param(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON app.users (email)",
        "DROP INDEX CONCURRENTLY IF EXISTS app.users_email_idx",
        [("index", "warning")],
        ["app.users_email_idx"],
        id="index-concurrently",
    ),
    pytest.param(
        "ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE (email)",
        'ALTER TABLE app."users" DROP CONSTRAINT IF EXISTS users_email_key',
        [("table", "warning"), ("constraint", "warning")],
        ["app.users.users_email_key"],
        id="constraint",
    ),
    pytest.param(
        "ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'meh'",
        "DROP TYPE app.mood",
        [("type", "error")],
        ["app.mood"],
        id="type-dropped",
    ),
    pytest.param(
        "DROP TABLE IF EXISTS app.orders CASCADE",
        "CREATE OR REPLACE VIEW app.big_orders AS SELECT * FROM app.orders WHERE total > 100",
        [("dependency", "error")],
        ["app.orders"],
        id="dependency-view-on-dropped-table",
    ),
    pytest.param(
        'ALTER TABLE "App"."Users" ADD COLUMN x int',
        "ALTER TABLE app.users ADD COLUMN x int",
        [],
        [],
        id="quoted-names-keep-their-case",
    ),
]


@pytest.mark.parametrize(("first", "second", "expected", "objects"), CASES)
def test_each_conflict_kind_is_found_from_the_ddl(
    coord: Coord, first: str, second: str, expected: list[tuple[str, str]], objects: list[str]
) -> None:
    code, _ = register(coord, "alice", first)
    assert code == 0
    code, doc = register(coord, "bob", second)
    assert kinds(doc) == expected
    assert code == (4 if any(s == "error" for _, s in expected) else 3 if expected else 0)
    if objects:
        assert doc["conflicts"][-1]["affected_objects"] == objects
        assert doc["conflicts"][-1]["with"]["agent_id"] == "alice"
        assert doc["intent"]["status"] == ("conflicted" if code == 4 else "registered")
        assert doc["intent"]["conflicts_with"] == [doc["conflicts"][0]["intent_b"]]


def test_the_same_agent_never_conflicts_with_itself(coord: Coord) -> None:
    register(coord, "alice", "ALTER TABLE users ADD COLUMN a int")
    code, doc = register(coord, "alice", "ALTER TABLE users DROP COLUMN a")
    assert (code, doc["conflicts"]) == (0, [])


def test_timing_conflicts_need_overlapping_estimates(coord: Coord) -> None:
    register(coord, "alice", "ALTER TABLE users ADD COLUMN a int", "--estimated-hours", "2")
    code, doc = register(coord, "bob", "ALTER TABLE users ADD COLUMN b int", "--estimated-hours", "1")
    assert code == 3
    assert kinds(doc) == [("table", "warning"), ("timing", "warning")]
    code, doc = register(coord, "carol", "ALTER TABLE users ADD COLUMN c int")
    assert ("timing", "warning") not in kinds(doc)


def test_check_reports_without_storing(coord: Coord, coord_url: str) -> None:
    register(coord, "alice", "ALTER TABLE public.users ADD COLUMN bio text")
    r = coord("check", "--agent-id", "bob", "--tables-affected", "users", "--format", "json")
    assert r.exit_code == 3, r.output
    doc = json.loads(r.stdout)
    assert doc["conflicts_detected"] == 1
    assert doc["conflicts"][0]["conflict_type"] == "table"
    r = coord("check", "--agent-id", "bob", "--schema-changes", "ALTER TABLE users DROP COLUMN bio")
    assert r.exit_code == 4
    assert "Found 2 conflict(s)" in r.stdout
    assert "public.users.bio (bob: drop; alice: create)" in r.stdout
    with psycopg.connect(coord_url) as conn:
        assert conn.execute("SELECT count(*) FROM tb_pggit_intent").fetchone() == (1,)
    r = coord("check", "--agent-id", "bob", "--tables-affected", "orders")
    assert (r.exit_code, r.stdout.strip()) == (0, "✓ No conflicts detected!")


def test_schema_changes_from_files_and_migrations(coord: Coord, tmp_path: Path) -> None:
    ddl = tmp_path / "change.sql"
    ddl.write_text("CREATE TABLE app.invoices (id int);\nCREATE INDEX invoices_id ON app.invoices (id);\n")
    migration = tmp_path / "003_add_invoice_totals.up.sql"
    migration.write_text("ALTER TABLE app.invoices ADD COLUMN total numeric;\n")
    _, doc = register(coord, "alice", str(ddl))
    assert doc["intent"]["schema_changes"] == [
        "CREATE TABLE app.invoices (id int)",
        "CREATE INDEX invoices_id ON app.invoices (id)",
    ]
    assert doc["intent"]["tables_affected"] == ["app.invoices"]
    r = coord("register", "--agent-id", "bob", "--from-migration", str(migration), "--format", "json")
    assert r.exit_code == 3
    doc = json.loads(r.stdout)
    assert doc["intent"]["feature_name"] == "add_invoice_totals"
    assert doc["intent"]["branch_name"] == "feature/add_invoice_totals"
    r = coord("register", "--agent-id", "bob", "--schema-changes", str(tmp_path / "missing.sql"))
    assert r.exit_code == 1
    assert "Schema changes file not found" in r.stderr


def test_bad_ddl_and_bad_input_are_clear_errors(coord: Coord, coord_url: str) -> None:
    r = coord(
        "register", "--agent-id", "a", "--schema-changes", "CREATE TABLE ok (id int);\nCREATE TABLE broken (;"
    )
    assert r.exit_code == 1
    assert "statement 2 (line 2)" in r.stderr and "syntax error" in r.stderr
    assert "Traceback" not in r.output
    r = coord("register", "--agent-id", "a")
    assert r.exit_code == 1 and "nothing to coordinate" in r.stderr
    r = coord("register", "--agent-id", "a", "--tables-affected", "drop table")
    assert r.exit_code == 1 and "is not a table name" in r.stderr
    with psycopg.connect(coord_url) as conn:
        assert conn.execute("SELECT count(*) FROM tb_pggit_intent").fetchone() == (0,)


def test_missing_database_url(cli: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CONFITURE_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    r = cli.invoke(app, ["coordinate", "list"])
    assert r.exit_code == 1
    assert "database url" in r.stderr.lower()


def test_the_url_comes_from_the_environment_file(
    cli: CliRunner, coord_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COORD_URL", coord_url)
    (tmp_path / "db" / "environments").mkdir(parents=True)
    (tmp_path / "db" / "schema").mkdir(parents=True)
    (tmp_path / "db" / "environments" / "local.yaml").write_text(
        "database_url: postgresql://localhost/app\ncoordination:\n  database_url: ${COORD_URL}\n"
    )
    monkeypatch.chdir(tmp_path)
    r = cli.invoke(app, ["coordinate", "init", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"initialized": True, "created": True}
    r = cli.invoke(app, ["coordinate", "init"])
    assert "already exist" in r.stdout


def test_project_ddl_adds_dependencies(
    cli: CliRunner, coord_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Altering an existing view depends on the tables the project's DDL says it reads."""
    (tmp_path / "db" / "environments").mkdir(parents=True)
    (tmp_path / "db" / "schema").mkdir(parents=True)
    (tmp_path / "db" / "environments" / "local.yaml").write_text("database_url: postgresql://localhost/app\n")
    (tmp_path / "db" / "schema" / "schema.sql").write_text(
        "CREATE SCHEMA app;\nCREATE TABLE app.orders (id int PRIMARY KEY, total numeric);\n"
        "CREATE VIEW app.big AS SELECT id FROM app.orders WHERE total > 100;\n"
    )
    monkeypatch.chdir(tmp_path)
    base = ["--db-url", coord_url, "--format", "json"]
    r = cli.invoke(
        app, ["coordinate", "register", "--agent-id", "a", "--schema-changes", "DROP TABLE app.orders", *base]
    )
    assert r.exit_code == 0, r.output
    r = cli.invoke(
        app,
        [
            "coordinate",
            "register",
            "--agent-id",
            "b",
            "--schema-changes",
            "ALTER VIEW app.big OWNER TO postgres",
            *base,
        ],
    )
    doc = json.loads(r.stdout)
    assert kinds(doc) == [("dependency", "error")], doc
    assert {"kind": "table", "object": "app.orders", "role": "depends_on"} in doc["intent"]["objects"]


# --- lifecycle ------------------------------------------------------------------------------------


def test_lifecycle_conflicts_resolution_and_history(coord: Coord) -> None:
    _, first = register(coord, "alice", "ALTER TABLE users ADD COLUMN bio text")
    code, second = register(coord, "bob", "ALTER TABLE users DROP COLUMN bio")
    assert code == 4
    bob = second["intent"]["id"]
    column = next(c for c in second["conflicts"] if c["conflict_type"] == "column")

    r = coord("conflicts", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["total_conflicted_intents"] == 1
    assert doc["conflicted_intents"][0]["intent"]["id"] == bob
    assert len(doc["conflicted_intents"][0]["conflicts"]) == 2

    r = coord("complete", "--intent-id", bob)
    assert r.exit_code == 1 and "unresolved error conflicts" in r.stderr

    r = coord("resolve", "--conflict-id", str(column["id"]), "--notes", "bob waits", "--agent-id", "lead")
    assert r.exit_code == 0 and f"Conflict {column['id']} marked as resolved" in r.stdout
    r = coord("status", "--intent-id", bob[:10], "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["intent"]["status"] == "registered"
    resolved = next(c for c in doc["conflicts"] if c["id"] == column["id"])
    assert resolved["reviewed"] is True and resolved["resolution_notes"] == "bob waits"
    assert json.loads(coord("conflicts", "--format", "json").stdout) == {"conflicted_intents": []}

    alice = first["intent"]["id"]
    assert coord("start", "--intent-id", alice, "--agent-id", "alice").exit_code == 0
    r = coord("complete", "--intent-id", alice, "--format", "json")
    assert json.loads(r.stdout) == {
        "intent_id": alice,
        "feature_name": first["intent"]["feature_name"],
        "status": "completed",
        "reason": "Changes completed",
    }
    r = coord("start", "--intent-id", alice)
    assert r.exit_code == 1 and "is completed" in r.stderr
    assert coord("merge", "--intent-id", alice).exit_code == 0
    r = coord("abandon", "--intent-id", bob, "--reason", "superseded", "--format", "json")
    assert json.loads(r.stdout)["status"] == "abandoned"
    r = coord("abandon", "--intent-id", "int_nope", "--reason", "x", "--format", "json")
    assert r.exit_code == 1
    assert json.loads(r.stdout) == {"error": "Intention not found", "intent_id": "int_nope"}

    r = coord("history", "--intent-id", alice, "--format", "json")
    trail = [(h["old_status"], h["new_status"], h["changed_by"]) for h in json.loads(r.stdout)["history"]]
    assert trail == [
        (None, "registered", "alice"),
        ("registered", "in_progress", "alice"),
        ("in_progress", "completed", "cli"),
        ("completed", "merged", "cli"),
    ]
    r = coord("history", "--intent-id", bob, "--format", "json")
    reasons = [h["reason"] for h in json.loads(r.stdout)["history"]]
    assert reasons[-1] == "superseded" and "resolved" in reasons[1]


def test_abandoning_an_intent_settles_the_conflicts_others_have_with_it(coord: Coord) -> None:
    _, first = register(coord, "alice", "ALTER TABLE users ADD COLUMN bio text")
    _, other = register(coord, "carol", "ALTER TABLE orders ADD COLUMN note text")
    code, second = register(
        coord, "bob", "ALTER TABLE users DROP COLUMN bio; ALTER TABLE orders DROP COLUMN note"
    )
    assert code == 4
    alice, carol, bob = first["intent"]["id"], other["intent"]["id"], second["intent"]["id"]

    # One of bob's two error conflicts goes away: bob stays conflicted.
    assert coord("abandon", "--intent-id", alice, "--reason", "dropped", "--agent-id", "alice").exit_code == 0
    doc = json.loads(coord("status", "--intent-id", bob, "--format", "json").stdout)
    assert doc["intent"]["status"] == "conflicted"
    settled = [c for c in doc["conflicts"] if c["intent_b"] == alice]
    assert settled and all(
        c["reviewed"] and c["resolution_notes"] == f"{alice} was abandoned" for c in settled
    )
    assert not any(c["reviewed"] for c in doc["conflicts"] if c["intent_b"] == carol)

    # The other goes too: bob is registered again, and the history says why.
    assert coord("abandon", "--intent-id", carol, "--reason", "dropped", "--agent-id", "carol").exit_code == 0
    doc = json.loads(coord("status", "--intent-id", bob, "--format", "json").stdout)
    assert doc["intent"]["status"] == "registered"
    history = json.loads(coord("history", "--intent-id", bob, "--format", "json").stdout)["history"]
    assert (history[-1]["new_status"], history[-1]["changed_by"]) == ("registered", "carol")
    assert history[-1]["reason"] == f"{carol} was abandoned: no unresolved error conflicts left"


def test_list_filters_status_and_text_output(coord: Coord) -> None:
    register(coord, "alice", "ALTER TABLE a ADD COLUMN x int")
    register(coord, "bob", "ALTER TABLE b ADD COLUMN x int")
    r = coord("list", "--agent", "bob", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["total"] == 1 and doc["intents"][0]["agent_id"] == "bob"
    r = coord("list-intents", "--status-filter", "merged", "--format", "json")
    assert json.loads(r.stdout) == {"intents": []}
    r = coord("list-intents", "--status-filter", "merged")
    assert "No intentions found" in r.stdout
    r = coord("status", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["counts"]["registered"] == 2 and len(doc["active"]) == 2
    r = coord("status", "--intent-id", "int_missing")
    assert r.exit_code == 1 and "Intention not found: int_missing" in r.stderr


# --- Python API -----------------------------------------------------------------------------------


def test_registry_api_on_a_psycopg_connection(coord_url: str) -> None:
    with psycopg.connect(coord_url) as conn:
        registry = IntentRegistry(conn)
        a = registry.register(
            "alice", "profiles", ["ALTER TABLE users ADD COLUMN bio text"], risk_level="high"
        )
        assert (
            isinstance(a, Intent) and a.status is IntentStatus.REGISTERED and a.risk_level is RiskLevel.HIGH
        )
        b = registry.register("bob", "cleanup", ["ALTER TABLE users DROP COLUMN bio"])
        assert b.status is IntentStatus.CONFLICTED and b.conflicts_with == [a.id]
        conflicts = registry.get_conflicts(b.id)
        assert {c.conflict_type for c in conflicts} == {ConflictType.TABLE, ConflictType.COLUMN}
        assert registry.check("carol", schema_changes="ALTER TABLE orders ADD COLUMN x int") == []
        assert registry.allocate_branch("profiles") == "feature/profiles_001"
        registry.mark_in_progress(a.id)
        got = registry.get_intent(a.id)
        assert got is not None and got.status is IntentStatus.IN_PROGRESS
        assert [i.id for i in registry.list_intents(status=IntentStatus.CONFLICTED)] == [b.id]
        with pytest.raises(ValueError, match="not found"):
            registry.mark_completed("int_unknown")
        with pytest.raises(CoordinationError):
            registry.register("", "x", ["ALTER TABLE t ADD COLUMN y int"])
        history = registry.get_history(a.id)
        assert [h.new_status for h in history] == [IntentStatus.REGISTERED, IntentStatus.IN_PROGRESS]


def test_registry_inside_the_callers_transaction_is_rolled_back_with_it(coord_url: str) -> None:
    with psycopg.connect(coord_url) as conn:
        registry = IntentRegistry(conn)
        with conn.transaction():
            registry.register("alice", "f", ["ALTER TABLE t ADD COLUMN y int"])
        with conn.transaction():
            registry.register("bob", "g", ["ALTER TABLE u ADD COLUMN y int"])
            assert conn.execute("SELECT count(*) FROM tb_pggit_intent").fetchone() == (2,)
            raise psycopg.Rollback()
    with psycopg.connect(coord_url) as conn:
        agents = [r[0] for r in conn.execute("SELECT agent_id FROM tb_pggit_intent ORDER BY agent_id")]
        assert agents == ["alice"]


def test_detector_and_models_round_trip() -> None:
    a = Intent(
        agent_id="alice", feature_name="f", schema_changes=["CREATE TABLE IF NOT EXISTS app.t (id int)"]
    )
    b = Intent(agent_id="bob", feature_name="g", schema_changes=["ALTER TABLE app.t ADD COLUMN id int"])
    found = ConflictDetector().detect_conflicts(b, a)
    assert [(c.conflict_type, c.severity.value) for c in found] == [
        (ConflictType.TABLE, "warning"),
        (ConflictType.COLUMN, "error"),
    ]
    assert found[0].intent_a == b.id and found[0].intent_b == a.id
    assert ConflictReport.from_json(found[1].to_json()).to_dict() == found[1].to_dict()
    assert Intent.from_json(a.to_json()) == a
    parsed = ConflictDetector().parse_schema_changes(
        [
            "CREATE OR REPLACE FUNCTION f(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
            "CREATE INDEX i ON t (x)",
        ]
    )
    assert parsed["functions"] == ["public.f(integer)"] and parsed["indexes"] == ["public.i"]
    assert parsed["tables"] == ["public.t"]
    assert ConflictDetector()._extract_columns_from_changes(
        ["ALTER TABLE t ADD COLUMN IF NOT EXISTS c int"]
    ) == {"public.t.c"}


# --- concurrency ----------------------------------------------------------------------------------


def test_concurrent_registrations_lose_nothing_and_see_each_other(coord_url: str) -> None:
    """24 agents register overlapping intents at the same instant: every intent is stored, and
    for every pair the later registration reports a conflict with the earlier one."""
    _core.coordinate_init(coord_url)
    n = 24
    barrier = threading.Barrier(n)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def agent(i: int) -> None:
        try:
            request = {
                "agent_id": f"agent-{i:02}",
                "feature_name": "shared work",
                "schema_changes": [f"ALTER TABLE app.users ADD COLUMN c{i} int"],
            }
            barrier.wait()
            outcome = _core.coordinate_register(coord_url, request)
            with lock:
                results.append(outcome["intent"])
        except BaseException as e:
            with lock:
                errors.append(e)

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == n
    with psycopg.connect(coord_url) as conn:
        rows = conn.execute(
            "SELECT id, conflicts_with, branch_name FROM tb_pggit_intent ORDER BY created_at, id"
        )
        stored = [(r[0], r[1], r[2]) for r in rows]
    assert len(stored) == n
    assert len({b for _, _, b in stored}) == n  # every branch name is unique
    # Registered one after the other (created_at is taken once the locks are held): each intent
    # lists every intent registered before it, so every overlapping pair is reported exactly once.
    seen: list[str] = []
    for intent_id, conflicts_with, _ in stored:
        assert sorted(conflicts_with) == sorted(seen), f"{intent_id} missed earlier intents"
        seen.append(intent_id)
