#!/usr/bin/env bash
# End-to-end benchmark of per-test database provisioning (numbers go to docs/performance.md):
# a pytest session of 60 tests, each asking for `confiture_db` (a database of its own, cloned from
# the template of a generated 100-table schema), on one throw-away PostgreSQL. What a test pays is
# the fixture's setup + teardown as pytest measures it (first test excluded: it builds the
# template). Runs:
#   1. clones made ahead (the default, CONFITURE_TEST_DB_AHEAD=2), tests that take no time —
#      the worst case: nothing to overlap the cloning with;
#   2. the same with tests that do 50 ms of work each;
#   3. no look-ahead (CONFITURE_TEST_DB_AHEAD=0): each clone made when the test asks for it;
# and, for reference, `CREATE DATABASE … TEMPLATE` + `DROP DATABASE` of the same template by psql.
# Usage: bash benches/e2e_testdb.sh [--dev]   (--dev: use .venv's build instead of a release wheel)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_start testdb
TESTS=60
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ "${1:-}" = "--dev" ]; then
    ensure_venv
    build_extension
    PY="$VENV/bin/python"
else
    release_venv "$WORK/ours" pytest
    PY="$WORK/ours/bin/python"
fi

say "generating a 100-table project"
cargo run -q --release --example generate_project -- "$WORK/p100" 100
mkdir -p "$WORK/p100/tests"
cat > "$WORK/p100/tests/test_many.py" <<PY
import os
import time

import pytest

WORK_S = float(os.environ.get("BENCH_TEST_WORK_S", "0"))


@pytest.mark.parametrize("n", range($TESTS))
def test_db(confiture_db, n):
    assert confiture_db.execute("SELECT count(*) FROM app.t_00099").fetchone() == (0,)
    confiture_db.execute("INSERT INTO app.t_00000 (tenant_id, name) VALUES (gen_random_uuid(), 'x')")
    confiture_db.commit()
    time.sleep(WORK_S)
PY
cat > "$WORK/p100/conftest.py" <<'PY'
import json
import os

phases = {}


def pytest_runtest_logreport(report):
    if report.when in ("setup", "teardown"):
        phases.setdefault(report.nodeid, {})[report.when] = report.duration


def pytest_sessionfinish(session):
    with open(os.environ["BENCH_OUT"], "w") as f:
        json.dump(list(phases.values()), f)
PY
printf '[pytest]\naddopts = -q -p no:cacheprovider\n' > "$WORK/p100/pytest.ini"

say "a throw-away PostgreSQL for every run"
"$PY" - "$WORK/server-url" <<'PY' &
import signal, sys
from confiture import _core
server = _core.PostgresServer.start(throwaway=True)
open(sys.argv[1], "w").write(server.url)
signal.signal(signal.SIGTERM, lambda *_: None)
signal.pause()
server.stop()
PY
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/server-url" ] && break; sleep 0.1; done
SERVER_URL="$(cat "$WORK/server-url")"
export CONFITURE_TEST_DATABASE_URL="$SERVER_URL"

run() { # label, ahead, work seconds
    say "$1"
    (cd "$WORK/p100" && BENCH_OUT="$WORK/$2-$3.json" CONFITURE_TEST_DB_AHEAD="$2" BENCH_TEST_WORK_S="$3" \
        "$PY" -m pytest >/dev/null)
    echo "$1: load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/load.txt"
}
# A first session builds the template (cached on the server for the next sessions).
run "warm-up (builds the template)" 2 0
run "1. clones made ahead, tests taking no time" 2 0
run "2. clones made ahead, tests taking 50 ms" 2 0.05
run "3. no look-ahead" 0 0

say "reference: CREATE DATABASE … TEMPLATE + DROP DATABASE by psql"
TEMPLATE="$("$PY" -c "
import psycopg, sys
with psycopg.connect(sys.argv[1]) as c:
    print(c.execute(\"SELECT datname FROM pg_database WHERE datname LIKE 'confiture\\\\_tpl\\\\_%' ORDER BY datname LIMIT 1\").fetchone()[0])
" "$SERVER_URL")"
"$PY" - "$SERVER_URL" "$TEMPLATE" "$WORK/psql.json" <<'PY'
import json, subprocess, sys, time
url, template, out = sys.argv[1:]
times = []
for i in range(30):
    start = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", url, "-c", f'CREATE DATABASE "bench_clone_{i}" TEMPLATE "{template}"'], check=True)
    mid = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", url, "-c", f'DROP DATABASE "bench_clone_{i}"'], check=True)
    times.append({"setup": mid - start, "teardown": time.perf_counter() - mid})
json.dump(times, open(out, "w"))
PY

"$PY" - "$WORK" "$REPORT" "$TESTS" <<'PY'
import json, platform, statistics, subprocess, sys
work, report, tests = sys.argv[1], sys.argv[2], int(sys.argv[3])

def row(label, path, skip_first):
    data = json.load(open(path))[1 if skip_first else 0:]
    total = sorted(d.get("setup", 0) + d.get("teardown", 0) for d in data)
    setup = sorted(d.get("setup", 0) for d in data)
    p95 = total[int(0.95 * (len(total) - 1))]
    ms = lambda s: f"{s * 1000:.1f} ms"
    return f"| {label} | {ms(statistics.median(total))} | {ms(p95)} | {ms(statistics.mean(total))} | {ms(statistics.median(setup))} |"

cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
lines = [
    f"# Per-test database provisioning, 100-table schema",
    "",
    f"Machine: {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, {cpu}; {platform.system()} {platform.release()}",
    f"{tests} tests per session; setup + teardown of the `confiture_db` fixture per test (first test excluded).",
    "",
    "| run | median | p95 | mean | setup alone (median) |",
    "|---|---:|---:|---:|---:|",
    row("clones made ahead (default), tests taking no time", f"{work}/2-0.json", True),
    row("clones made ahead (default), tests taking 50 ms", f"{work}/2-0.05.json", True),
    row("no look-ahead (`CONFITURE_TEST_DB_AHEAD=0`)", f"{work}/0-0.json", True),
    row("reference: psql `CREATE DATABASE … TEMPLATE` + `DROP DATABASE`", f"{work}/psql.json", False),
    "",
    "Load average (1, 5, 15 min) after each run:",
    "",
    *[f"- {line}" for line in open(f"{work}/load.txt").read().splitlines()],
    "",
]
open(report, "w").write("\n".join(lines))
print("\n".join(lines))
PY
say "report: $REPORT"
