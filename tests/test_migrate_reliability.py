"""What must hold when things go wrong: concurrent deploys, a killed process, edited history.

These run the real ``confiture`` command in subprocesses against the test server and synchronise
on what PostgreSQL reports (``pg_locks``, ``pg_stat_activity``), never on sleeps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import psycopg

from _migrations import Project

CONFITURE = [sys.executable, "-m", "confiture.cli"]
NAMESPACE = 1751936052  # the migration lock's first key


def spawn(project: Project, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CONFITURE, *args],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Polls an observable condition (a database fact) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def waiting_on_advisory(project: Project, objid: int, classid: int = 0) -> list[int]:
    """Backends waiting for an advisory lock (the key pair, or a single bigint key)."""
    rows = project.query(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        f" AND classid = {classid} AND objid = {objid} AND database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    return [r[0] for r in rows]


def test_concurrent_deploys_apply_each_migration_once(project: Project) -> None:
    project.sql(
        "001", "log", "CREATE TABLE applied_log (version text NOT NULL);\n", "DROP TABLE applied_log;\n"
    )
    for n in range(2, 21):
        v = f"{n:03d}"
        project.sql(
            v,
            f"step_{v}",
            f"CREATE TABLE t_{v} (id int);\nINSERT INTO applied_log VALUES ('{v}');\n",
            f"DROP TABLE t_{v};\n",
        )
    from confiture import _core

    lock_key = _core.lock_id(project.url.rsplit("/", 1)[1])
    with psycopg.connect(project.url, autocommit=True) as gate:
        # Hold the migration lock so that all eight start, queue on it, then race when it opens.
        gate.execute("SELECT pg_advisory_lock(%s, %s)", (NAMESPACE, lock_key))
        procs = [spawn(project, "migrate", "up") for _ in range(8)]
        wait_until(
            lambda: len(waiting_on_advisory(project, lock_key, NAMESPACE)) == 8,
            "eight runs queued on the lock",
        )
        gate.execute("SELECT pg_advisory_unlock(%s, %s)", (NAMESPACE, lock_key))
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    for out, err, code in results:
        assert code == 0, f"{out}\n{err}"
        assert "Traceback" not in err
    applied_counts = sorted(out.count("Applying ") for out, _, _ in results)
    assert sum(applied_counts) == 20 and applied_counts[-1] == 20  # one run did it all, the others nothing
    assert sum("Database is up to date" in out for out, _, _ in results) == 7
    versions = [r[0] for r in project.query("SELECT version FROM applied_log ORDER BY version")]
    assert versions == [f"{n:03d}" for n in range(2, 21)]
    assert project.applied() == [f"{n:03d}" for n in range(1, 21)]


def test_a_killed_migration_leaves_no_trace_and_reruns_cleanly(project: Project) -> None:
    project.sql("001", "users", "CREATE TABLE users (id int);\n", "DROP TABLE users;\n")
    project.sql(
        "002",
        "blocked",
        "CREATE TABLE doomed (id int);\nSELECT pg_advisory_xact_lock(42);\nINSERT INTO users VALUES (1);\n",
        "DROP TABLE doomed;\n",
    )
    with psycopg.connect(project.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(42)")
        proc = spawn(project, "migrate", "up")
        wait_until(lambda: len(waiting_on_advisory(project, 42)) == 1, "the migration to block mid-way")
        (backend,) = waiting_on_advisory(project, 42)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        # Still blocked, the orphaned session notices its client is gone, rolls back and ends
        # (client_connection_check_interval): it neither finishes the migration nor lingers
        # holding its locks.
        wait_until(
            lambda: not project.query(f"SELECT 1 FROM pg_stat_activity WHERE pid = {backend}"),
            "the killed run's session to end",
        )
        holder.execute("SELECT pg_advisory_unlock(42)")
    assert project.applied() == ["001"]
    assert not project.exists("doomed")
    assert project.query("SELECT count(*) FROM users") == [(0,)]

    rerun = subprocess.run(
        [*CONFITURE, "migrate", "up"], cwd=project.root, capture_output=True, text=True, timeout=120
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "Applying 002_blocked" in rerun.stdout and "Applying 001" not in rerun.stdout
    assert project.applied() == ["001", "002"] and project.exists("doomed")
    assert project.query("SELECT count(*) FROM users") == [(1,)]


def test_an_edited_applied_migration_stops_the_deploy(project: Project) -> None:
    project.sql("001", "users", "CREATE TABLE users (id int);\n", "DROP TABLE users;\n")
    first = subprocess.run([*CONFITURE, "migrate", "up"], cwd=project.root, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    (project.migrations / "001_users.up.sql").write_text("CREATE TABLE users (id bigint);\n")
    project.sql("002", "more", "CREATE TABLE more (id int);\n", "DROP TABLE more;\n")
    second = subprocess.run([*CONFITURE, "migrate", "up"], cwd=project.root, capture_output=True, text=True)
    assert second.returncode == 1
    assert "Checksum verification failed!" in second.stderr and "001_users" in second.stderr
    assert "Traceback" not in second.stderr
    assert project.applied() == ["001"] and not project.exists("more")
