"""Throw-away PostgreSQL servers from Python, and the command runner the demo uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from confiture.testing import PostgresServer


def test_a_throwaway_server_starts_and_is_removed() -> None:
    server = PostgresServer.start(throwaway=True)
    directory = server.directory
    assert directory is not None and directory.is_dir()
    assert not server.is_external
    with psycopg.connect(server.url) as conn:
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    with psycopg.connect(server.url_for("template1")) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("template1",)
    server.stop()
    assert not directory.exists()
    server.stop()


def test_context_manager_stops_the_server() -> None:
    with PostgresServer.start(throwaway=True) as server:
        directory = server.directory
        assert directory is not None and directory.exists()
    assert not directory.exists()


def test_an_existing_server_is_used_when_named(confiture_test_server_url: str) -> None:
    code = (
        "from confiture.testing import PostgresServer\n"
        "s = PostgresServer.start()\n"
        "print(s.is_external, s.url)\n"
        "s.stop()\n"
    )
    env = {**os.environ, "CONFITURE_TEST_DATABASE_URL": confiture_test_server_url}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", confiture_test_server_url]
    # stop() leaves an external server alone.
    with psycopg.connect(confiture_test_server_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_the_runner_exports_urls_passes_the_exit_code_and_cleans_up(tmp_path: Path) -> None:
    script = (
        "import os, psycopg, sys\n"
        "url = os.environ['DATABASE_URL']\n"
        "print(url)\n"
        "print(os.environ['CONFITURE_TEST_DATABASE_URL'])\n"
        "with psycopg.connect(os.environ['CONFITURE_TEST_DATABASE_URL'], autocommit=True) as c:\n"
        "    c.execute('CREATE DATABASE demo_db')\n"
        "with psycopg.connect(url) as c:\n"
        "    print(c.execute('SELECT current_database()').fetchone()[0])\n"
        "    print(c.execute('SHOW unix_socket_directories').fetchone()[0])\n"
        "sys.exit(7)\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "confiture.testing.server",
            "--database",
            "demo_db",
            "--",
            sys.executable,
            "-c",
            script,
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 7, out.stderr
    url, server_url, current, socket_dir = out.stdout.split()
    assert url.endswith("/demo_db") and server_url.endswith("/postgres") and current == "demo_db"
    assert "PostgreSQL running at" in out.stderr
    assert not Path(socket_dir).exists(), "the cluster directory is gone"

    missing = subprocess.run(
        [sys.executable, "-m", "confiture.testing.server", "--", "no-such-program-x"],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 127 and "command not found" in missing.stderr


def test_the_runner_creates_the_database_when_asked() -> None:
    script = "import os, psycopg; psycopg.connect(os.environ['DATABASE_URL']).close()"
    runner = [sys.executable, "-m", "confiture.testing.server", "--database", "made", "--create", "--"]
    out = subprocess.run(
        [*runner, sys.executable, "-c", script],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr


CHILD = """
import sys, time
from confiture.testing import PostgresServer
server = PostgresServer.start(throwaway=True)
pid = open(server.directory / "data" / "postmaster.pid").readline().strip()
print(server.directory, pid, flush=True)
time.sleep(60)
"""


def start_child() -> tuple[subprocess.Popen[str], Path, int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    directory, pid = proc.stdout.readline().split()
    return proc, Path(directory), int(pid)


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0) until its parent reaps it.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True


def wait_until(condition, timeout: float = 30.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_ctrl_c_stops_and_removes_the_server() -> None:
    import signal

    proc, directory, pid = start_child()
    assert directory.exists()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert not directory.exists(), "removed on the way out"
    assert wait_until(lambda: process_gone(pid))


def test_a_killed_owner_takes_its_server_down_and_the_next_start_sweeps_the_rest() -> None:
    import signal

    proc, directory, pid = start_child()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert wait_until(lambda: process_gone(pid)), "the parent-death signal stopped the postmaster"
    assert directory.exists(), "nothing could clean up after SIGKILL"
    with PostgresServer.start(throwaway=True):
        assert not directory.exists(), "swept by the next start"
