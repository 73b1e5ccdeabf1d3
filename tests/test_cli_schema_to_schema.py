"""``confiture migrate schema-to-schema`` end to end: two databases, a second cluster with password
authentication, a writer running during migrate, catch-up and cutover, a killed migrate resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from click.testing import Result

from confiture import _core
from s2s_support import MAPPING, invoke_s2s, make_s2s_pair, write_mapping
from sync_support import Pair


@pytest.fixture
def pair(confiture_test_server_url: str) -> Iterator[Pair]:
    yield from make_s2s_pair(confiture_test_server_url)


def s2s(pair: Pair, *args: str, json_out: bool = False) -> Result:
    extra = (
        ["--source", pair.source_url, "--target", pair.target_url]
        if args and not args[0].startswith("-")
        else []
    )
    fmt = ["--format", "json"] if json_out else []
    return invoke_s2s(*args, *extra, *fmt)


def ok(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def deadline_wait(condition, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.05)


@pytest.mark.parametrize("strategy", ["fdw", "copy"])
def test_setup_migrate_verify_catch_up_cutover_cleanup(pair: Pair, tmp_path: Path, strategy: str) -> None:
    mapping = str(write_mapping(tmp_path))
    setup = ok(s2s(pair, "setup", "--mapping", mapping, "--capture", json_out=True))
    assert setup["server"]["server"] == "confiture_source_server"
    assert {f["local_schema"] for f in setup["server"]["foreign_schemas"]} == {
        "old_schema",
        "old_schema_legacy",
    }
    assert sorted(setup["capture"]["tables"]) == ["customers", 'legacy."Order Items"']

    report = ok(
        s2s(
            pair,
            "migrate",
            "--mapping",
            mapping,
            "--strategy",
            strategy,
            "--batch-size",
            "100",
            json_out=True,
        )
    )
    # Parents first, whatever the file's order.
    assert report["order"] == [["app.clients"], ['app."Line Items"']]
    assert {t["strategy"] for t in report["tables"]} == {strategy}
    assert report["tables"][0]["batches"] > 1
    # Renamed, split, computed, cast, constant, filtered.
    rows = pair.query(
        "target",
        "SELECT id, first_name, last_name, email_address, balance, source FROM app.clients ORDER BY id",
    )
    assert len(rows) == 180
    assert rows[0] == (1, "First1", "Last1", "user1@example.com", Decimal("1.25"), "legacy")
    assert not [r for r in rows if r[0] % 10 == 0]
    lines = pair.query("target", 'SELECT count(*), sum(total), sum(quantity * price) FROM app."Line Items"')
    expected = pair.query(
        "source",
        'SELECT count(*), sum(qty::int * price), sum(qty::int * round(price, 2)) FROM legacy."Order Items" o '
        "JOIN customers c ON c.id = o.customer_id WHERE c.deleted_at IS NULL",
    )
    assert lines[0][0] == expected[0][0] and lines[0][0] > 0
    assert lines[0][2] == expected[0][2]

    assert ok(s2s(pair, "verify", json_out=True))["ok"]

    pair.execute(
        "source",
        "UPDATE customers SET email = 'changed' || id || '@x.org' WHERE id <= 5;"
        "UPDATE customers SET deleted_at = now() WHERE id = 7;"
        'DELETE FROM legacy."Order Items" WHERE customer_id = 7;'  # as the application would
        'DELETE FROM legacy."Order Items" WHERE id <= 3;'
        "INSERT INTO customers (full_name, email, balance) VALUES ('New Person', 'NEW@X.ORG', '9.5');"
        'INSERT INTO legacy."Order Items" SELECT 100000 + id, id, 2, 1.5 FROM customers WHERE id > 200;',
    )
    stale = s2s(pair, "verify", "--tables", "app.clients")
    assert stale.exit_code == 1
    assert '{"id": 1}: different' in stale.stdout
    assert '{"id": 201}: missing in target' in stale.stdout

    caught = ok(s2s(pair, "catch-up", json_out=True))
    assert caught["changes"] > 0
    clients = next(t for t in caught["tables"] if t["table"] == "app.clients")
    assert clients["deleted"] == 1  # id 7 left the filter
    assert ok(s2s(pair, "verify", json_out=True))["ok"]
    assert pair.query("target", "SELECT email_address FROM app.clients WHERE id = 201") == [("new@x.org",)]
    # Nothing left to replay: a second catch-up applies nothing.
    assert ok(s2s(pair, "catch-up", json_out=True))["changes"] == 0

    cut = ok(s2s(pair, "cutover", json_out=True))
    assert cut["ok"] and cut["verify"]["ok"]
    assert 0 < cut["freeze_seconds"] < 5
    assert {s["sequence"] for s in cut["sequences"]} == {"app.clients_id_seq"}
    pair.execute(
        "target", "INSERT INTO app.clients (first_name, email_address, source) VALUES ('x', 'x', 'new')"
    )

    gone = ok(s2s(pair, "cleanup", json_out=True))
    assert set(gone["foreign_schemas"]) == {"old_schema", "old_schema_legacy"}
    assert pair.query("target", "SELECT count(*) FROM pg_foreign_server") == [(0,)]
    assert pair.query(
        "target",
        "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'old_schema%' OR nspname = 'confiture_s2s'",
    ) == [(0,)]
    assert pair.query("source", "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'confiture_capture%'") == [
        (0,)
    ]
    assert pair.query("source", "SELECT to_regnamespace('confiture_capture')") == [(None,)]
    # The source can be truncated again once capture is gone.
    pair.execute("source", 'TRUNCATE legacy."Order Items"')


def test_text_output_and_the_one_shot_form(pair: Pair, tmp_path: Path) -> None:
    mapping = str(write_mapping(tmp_path))
    result = invoke_s2s(
        "--strategy", "fdw", "--source", pair.source_url, "--target", pair.target_url, "--mapping", mapping
    )
    assert result.exit_code == 0, result.output
    assert "✅ app.clients ← customers: 180 rows via fdw" in result.stdout
    assert "✅ Verification passed" in result.stdout
    # Already copied: a second one-shot run skips the tables and still verifies.
    again = invoke_s2s("--source", pair.source_url, "--target", pair.target_url, "--mapping", mapping)
    assert again.exit_code == 0, again.output
    assert "copied by an earlier run" in again.stdout
    missing = invoke_s2s("--source", pair.source_url)
    assert missing.exit_code == 2 and "--target, --mapping" in missing.output


def test_analyze_measures_and_picks_strategies(pair: Pair, tmp_path: Path) -> None:
    mapping = str(write_mapping(tmp_path))
    ok(s2s(pair, "setup", "--mapping", mapping, json_out=True))
    report = ok(s2s(pair, "analyze", "--mapping", mapping, "--sample-rows", "50", json_out=True))
    by = {t["table"]: t for t in report["tables"]}
    assert by["app.clients"]["rows"] == 200 and by["app.clients"]["bytes"] > 0
    assert by["app.clients"]["strategy"] == "fdw"  # below the copy threshold
    assert by["app.clients"]["measured"] == "load" and by["app.clients"]["sample_rows"] == 50
    assert by["app.clients"]["estimated_seconds"] > 0
    # The sample was rolled back.
    assert pair.query("target", "SELECT count(*) FROM app.clients") == [(0,)]
    forced = ok(s2s(pair, "analyze", "--mapping", mapping, "--strategy", "copy", json_out=True))
    assert {t["strategy"] for t in forced["tables"]} == {"copy"}


def test_mapping_errors_name_the_file_and_key(pair: Pair, tmp_path: Path) -> None:
    bad = write_mapping(
        tmp_path,
        "tables:\n  app.clients:\n    from: customers\n    columns:\n      id: id; DROP TABLE customers\n",
    )
    r = s2s(pair, "migrate", "--mapping", str(bad))
    assert r.exit_code == 1
    assert f"{bad}: tables.app.clients.columns.id:" in r.output and "Traceback" not in r.output
    unknown = write_mapping(
        tmp_path,
        MAPPING.replace("email_address: lower(email)", "email_address: lower(mail)").replace(
            "qty::int * price", "qty"
        ),
    )
    r = s2s(pair, "migrate", "--mapping", str(unknown), "--strategy", "copy")
    assert r.exit_code == 1
    assert 'app.clients: column email_address: column "mail" does not exist' in r.output
    unmapped = write_mapping(
        tmp_path, "tables:\n  app.clients:\n    from: customers\n    columns: {id: id, nope: full_name}\n"
    )
    r = s2s(pair, "migrate", "--mapping", str(unmapped))
    assert r.exit_code == 1
    assert 'target column "nope" does not exist' in r.output
    assert "app.clients.first_name: NOT NULL without a default, and not mapped" in r.output
    assert pair.query("target", "SELECT to_regnamespace('confiture_s2s')") == [(None,)]


def test_non_empty_target_is_refused_unless_truncate(pair: Pair, tmp_path: Path) -> None:
    mapping = str(write_mapping(tmp_path))
    pair.execute(
        "target", "INSERT INTO app.clients (id, first_name, email_address, source) VALUES (1, 'x', 'x', 'x')"
    )
    r = s2s(pair, "migrate", "--mapping", mapping, "--strategy", "copy")
    assert r.exit_code == 1 and "non-empty target table(s)" in r.output and "app.clients" in r.output
    report = ok(s2s(pair, "migrate", "--mapping", mapping, "--strategy", "copy", "--truncate", json_out=True))
    assert report["rows"] > 180
    assert ok(s2s(pair, "verify", json_out=True))["ok"]


def test_catch_up_needs_capture_and_a_finished_copy(pair: Pair, tmp_path: Path) -> None:
    mapping = str(write_mapping(tmp_path))
    ok(s2s(pair, "setup", "--mapping", mapping, json_out=True))
    r = s2s(pair, "catch-up", "--mapping", mapping)
    assert (
        r.exit_code == 1
        and "change capture on the source is not set up" in r.output
        and "--capture" in r.output
    )
    clients_only = tmp_path / "clients"
    clients_only.mkdir()
    only_clients = str(write_mapping(clients_only, "tables:\n" + MAPPING[MAPPING.index("  app.clients:") :]))
    ok(s2s(pair, "setup", "--mapping", only_clients, "--capture", json_out=True))
    r = s2s(pair, "catch-up", "--mapping", mapping)
    assert r.exit_code == 1
    assert 'source table legacy."Order Items" has no change capture; run `setup --capture`' in r.output
    ok(s2s(pair, "setup", "--mapping", mapping, "--capture", json_out=True))
    r = s2s(pair, "catch-up", "--mapping", mapping)
    assert r.exit_code == 1 and "the bulk copy has not finished; run `migrate` first" in r.output
    # TRUNCATE cannot be replayed: refused while capture is on.
    with pytest.raises(psycopg.errors.RaiseException, match="not allowed while confiture captures"):
        pair.execute("source", "TRUNCATE customers CASCADE")


def test_cutover_gives_up_after_lock_timeout(pair: Pair, tmp_path: Path) -> None:
    mapping = str(write_mapping(tmp_path))
    ok(s2s(pair, "setup", "--mapping", mapping, "--capture", json_out=True))
    ok(s2s(pair, "migrate", "--mapping", mapping, json_out=True))
    with psycopg.connect(pair.source_url) as holder:
        holder.execute("UPDATE customers SET email = email WHERE id = 1")  # row lock held, uncommitted
        started = time.monotonic()
        r = s2s(pair, "cutover", "--lock-timeout", "300")
        assert r.exit_code == 1
        assert "could not freeze writes on the source within lock_timeout 300 ms" in r.output
        assert time.monotonic() - started < 20
        holder.rollback()
    assert ok(s2s(pair, "cutover", json_out=True))["ok"]
    # A target row changed behind Confiture's back: the cutover's verification fails and names it.
    pair.execute("target", "UPDATE app.clients SET first_name = 'tampered' WHERE id = 1")
    r = s2s(pair, "cutover")
    assert r.exit_code == 1
    assert '{"id": 1}: different' in r.stdout and "❌ Cutover verification failed" in r.stdout


class Writer(threading.Thread):
    """Inserts and updates rows in the source until stopped, as the application would."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.writes = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(self.url, autocommit=True) as c:
                i = 0
                while not self.stop.is_set():
                    i += 1
                    c.execute(
                        "WITH n AS (INSERT INTO customers (full_name, email, balance) "
                        "VALUES (%s, %s, '1') RETURNING id) "
                        "INSERT INTO legacy.\"Order Items\" SELECT 1000000 + id, id, '3', 2.5 FROM n",
                        (f"Writer {i}", f"W{i}@X.ORG"),
                    )
                    c.execute("UPDATE customers SET email = %s WHERE id = %s", (f"upd{i}@x.org", i % 150 + 1))
                    if i % 5 == 0:
                        c.execute('DELETE FROM legacy."Order Items" WHERE id = %s', (i,))
                    self.writes += 1
        except BaseException as e:  # surfaced by the test
            self.error = e


def test_concurrent_writer_during_migrate_catch_up_and_cutover(
    confiture_test_server_url: str, tmp_path: Path
) -> None:
    pair = next(gen := make_s2s_pair(confiture_test_server_url, rows=3000))
    try:
        mapping = str(write_mapping(tmp_path))
        ok(s2s(pair, "setup", "--mapping", mapping, "--capture", json_out=True))
        writer = Writer(pair.source_url)
        writer.start()
        deadline_wait(lambda: writer.writes > 5)
        ok(s2s(pair, "migrate", "--mapping", mapping, "--batch-size", "500", "--jobs", "2", json_out=True))
        first = ok(s2s(pair, "catch-up", json_out=True))
        assert first["changes"] > 0
        ok(s2s(pair, "catch-up", json_out=True))
        cut = ok(s2s(pair, "cutover", json_out=True))
        assert cut["ok"], cut["verify"]
        assert cut["verify"]["tables"][0]["source_rows"] > 2700
        before = writer.writes
        deadline_wait(lambda: writer.writes > before + 3)  # writes resume after the freeze
        writer.stop.set()
        writer.join(10)
        assert writer.error is None, writer.error
        # Whatever the writer did after the freeze, one more catch-up converges.
        ok(s2s(pair, "catch-up", json_out=True))
        assert ok(s2s(pair, "verify", json_out=True))["ok"]
        status = s2s(pair, "status")
        assert "Changes waiting for catch-up: 0" in status.stdout and "✅ app.clients:" in status.stdout
    finally:
        gen.close()


def test_killed_migrate_resumes(confiture_test_server_url: str, tmp_path: Path) -> None:
    pair = next(gen := make_s2s_pair(confiture_test_server_url, rows=20000))
    try:
        mapping = str(write_mapping(tmp_path))
        cmd = [
            sys.executable,
            "-m",
            "confiture.cli",
            "migrate",
            "schema-to-schema",
            "migrate",
            "--source",
            pair.source_url,
            "--target",
            pair.target_url,
            "--mapping",
            mapping,
            "--strategy",
            "copy",
            "--batch-size",
            "500",
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )

        def done_batches() -> int:
            try:
                return pair.query("target", "SELECT count(*) FROM confiture_s2s.batches WHERE done")[0][0]
            except psycopg.Error:
                return 0

        try:
            deadline_wait(lambda: done_batches() >= 3 or proc.poll() is not None, 60)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        total = pair.query("target", "SELECT count(*) FROM confiture_s2s.batches")[0][0]
        done = done_batches()
        assert 3 <= done < total, (done, total)

        status = ok(s2s(pair, "status", json_out=True))
        clients = next(t for t in status["tables"] if t["table"] == "app.clients")
        assert clients["batches_done"] >= 3 and clients["rows"] >= 1500 and not status["capture"]
        report = ok(
            s2s(
                pair,
                "migrate",
                "--mapping",
                mapping,
                "--strategy",
                "copy",
                "--batch-size",
                "500",
                json_out=True,
            )
        )
        statuses = {t["table"]: (t["status"], t["batches_before"]) for t in report["tables"]}
        assert statuses["app.clients"][0] in ("resumed", "skipped") and statuses["app.clients"][1] >= 3
        assert ok(s2s(pair, "verify", json_out=True))["ok"]
        assert pair.query("target", "SELECT count(*) FROM app.clients") == [(18000,)]
    finally:
        gen.close()


def _password_cluster() -> tuple[object, str]:
    """A second cluster whose role `app` must log in with a password over TCP."""
    server = _core.PostgresServer.start(throwaway=True)
    with psycopg.connect(server.url, autocommit=True) as c:
        c.execute("CREATE ROLE app LOGIN PASSWORD 'Secret-pw-42' SUPERUSER")
        hba = c.execute("SHOW hba_file").fetchone()[0]
        c.execute(
            "COPY (SELECT unnest(ARRAY['local all all trust', 'host all app 127.0.0.1/32 scram-sha-256', "
            "'host all all 127.0.0.1/32 trust'])) TO " + psycopg.sql.Literal(hba).as_string(c)
        )
        c.execute("SELECT pg_reload_conf()")
    return server, server.url


def test_other_cluster_with_password_and_a_wrong_one(pair: Pair, tmp_path: Path) -> None:
    server, url = _password_cluster()
    try:
        from urllib.parse import urlsplit

        port = urlsplit(url).port
        _core.create_database(url, "legacy_db")
        source = f"postgresql://app:Secret-pw-42@127.0.0.1:{port}/legacy_db"
        with psycopg.connect(source, autocommit=True) as c:
            from s2s_support import DATA, SOURCE

            c.execute(SOURCE)
            c.execute(DATA.format(n=50))

        wrong = source.replace("Secret-pw-42", "Wrong-pw-17")
        r = invoke_s2s("setup", "--source", wrong, "--target", pair.target_url)
        assert r.exit_code == 1
        assert "password authentication failed" in r.output
        assert "Wrong-pw-17" not in r.output and "Secret-pw-42" not in r.output
        assert "Traceback" not in r.output

        mapping = str(write_mapping(tmp_path))
        r = invoke_s2s("setup", "--source", source, "--target", pair.target_url, "--mapping", mapping)
        assert r.exit_code == 0, r.output
        assert f"127.0.0.1:{port}/legacy_db as app (password set)" in r.stdout
        assert "Secret-pw-42" not in r.output
        # The fdw path reads the other cluster through the server's real port and password.
        r = invoke_s2s(
            "migrate",
            "--source",
            source,
            "--target",
            pair.target_url,
            "--mapping",
            mapping,
            "--strategy",
            "fdw",
        )
        assert r.exit_code == 0, r.output
        assert pair.query("target", "SELECT count(*) FROM app.clients") == [(45,)]
        options = pair.query(
            "target", "SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'confiture_source_server'"
        )
        assert f"port={port}" in options[0][0] and "host=127.0.0.1" in options[0][0]

        # A wrong password in the user mapping (the path the target's server takes) is reported clearly.
        pair.execute(
            "target",
            "ALTER USER MAPPING FOR CURRENT_USER SERVER confiture_source_server "
            "OPTIONS (SET password 'Wrong-pw-17')",
        )
        r = invoke_s2s(
            "migrate",
            "--source",
            source,
            "--target",
            pair.target_url,
            "--mapping",
            mapping,
            "--strategy",
            "fdw",
            "--truncate",
        )
        assert r.exit_code == 1
        assert "password authentication failed" in r.output
        assert "Wrong-pw-17" not in r.output and "Secret-pw-42" not in r.output
    finally:
        server.stop()  # type: ignore[attr-defined]


def test_setup_imports_whole_schemas_without_a_mapping(pair: Pair) -> None:
    report = ok(s2s(pair, "setup", "--schemas", "public,legacy", json_out=True))
    assert [
        (f["source_schema"], f["local_schema"], f["tables"]) for f in report["server"]["foreign_schemas"]
    ] == [
        ("public", "old_schema", 1),
        ("legacy", "old_schema_legacy", 1),
    ]
    assert pair.query("target", 'SELECT count(*) FROM old_schema_legacy."Order Items"') == [(600,)]
    r = s2s(pair, "setup", "--schemas", "nope")
    assert r.exit_code == 1 and "the source has no table in schema(s) nope" in r.output
    # Nothing is mapped and no table has the same name on both sides.
    r = s2s(pair, "analyze")
    assert r.exit_code == 1 and "give --mapping FILE" in r.output
