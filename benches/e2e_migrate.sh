#!/usr/bin/env bash
# End-to-end benchmarks of `confiture migrate` (numbers go to docs/performance.md), side by side
# on one throw-away PostgreSQL:
#   1. 300 SQL migrations applied to an empty database: this engine (release wheel) vs
#      fraiseql-confiture==0.3.9 vs `alembic upgrade head` running the same SQL, and psql running
#      the same SQL one transaction per migration (the server's share: no tool can go below it).
#      Two workloads (benches/generate_migrations.py): `mixed` (a schema's life) and `tables`
#      (every migration creates a table: catalog-heavy, the server's share dominates);
#      The mixed workload again through benches/latency_proxy.py (0.3 ms each way, as a database
#      across the network);
#   2. `migrate status` and a no-op `migrate up` with those 300 applied;
#   3. `migrate status` with 10,000 applied.
# Usage: bash benches/e2e_migrate.sh   (needs hyperfine; installs it with apt-get when missing)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_hyperfine
bench_start migrate
release_venv "$WORK/ours"
reference_venv "$WORK/ref"
say "alembic → $WORK/alembic"
python3 -m venv "$WORK/alembic"
"$WORK/alembic/bin/pip" install -q alembic "psycopg[binary]"

say "generating migrations (300 mixed, 300 tables, 10,000 trivial)"
"$WORK/ours/bin/python" benches/generate_migrations.py "$WORK/p300" 300 --alembic --workload mixed
"$WORK/ours/bin/python" benches/generate_migrations.py "$WORK/t300" 300 --alembic --workload tables
"$WORK/ours/bin/python" benches/generate_migrations.py "$WORK/p10k" 10000 --workload trivial
for p in p300 t300; do
    (for f in "$WORK/$p"/db/migrations/*.up.sql; do echo "BEGIN;"; cat "$f"; echo "COMMIT;"; done) > "$WORK/$p/psql.sql"
done

{
    echo "# End-to-end migrate benchmarks ($STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); PostgreSQL $(pg_config --version 2>/dev/null | awk '{print $2}')"
    echo
} > "$REPORT"

export WORK ROOT
"$WORK/ours/bin/python" -m confiture.testing.server -- bash -c '
    set -euo pipefail
    S="$CONFITURE_TEST_DATABASE_URL"; BASE="${S%/postgres}"
    fresh() { echo "dropdb --if-exists --maintenance-db=$S $1 && createdb --maintenance-db=$S $1"; }
    for p in p300 t300; do
        cd "$WORK/$p"
        for db in bench_ours bench_ref bench_noop; do
            echo "database_url: $BASE/$db" > "db/environments/$db.yaml"
        done
        hyperfine -w 1 -r 5 --export-markdown "$WORK/h1-$p.md" \
            -n "confiture migrate up (this engine)" --prepare "$(fresh bench_ours)" \
            "$WORK/ours/bin/confiture migrate up --config db/environments/bench_ours.yaml" \
            -n "confiture migrate up (fraiseql-confiture 0.3.9)" --prepare "$(fresh bench_ref)" \
            "$WORK/ref/bin/confiture migrate up --config db/environments/bench_ref.yaml" \
            -n "alembic upgrade head (same SQL)" --prepare "$(fresh bench_alembic)" \
            "env ALEMBIC_URL=postgresql+psycopg://${BASE#postgresql://}/bench_alembic $WORK/alembic/bin/alembic -c alembic.ini upgrade head" \
            -n "psql -f (same SQL, a transaction per migration, no tracking)" --prepare "$(fresh bench_psql)" \
            "psql -X -q -v ON_ERROR_STOP=1 -f psql.sql $BASE/bench_psql"
    done
    # The mixed workload again, through a proxy adding latency (a database across the network).
    HOSTPORT="${BASE#*@}"; PORT="${HOSTPORT##*:}"
    PROXY_PORT=$("$WORK/ours/bin/python" -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
    "$WORK/ours/bin/python" "$ROOT/benches/latency_proxy.py" "$PROXY_PORT" 127.0.0.1 "$PORT" 0.3 >/dev/null &
    PROXY=$!
    trap "kill $PROXY 2>/dev/null" EXIT
    NET="postgresql://postgres@127.0.0.1:$PROXY_PORT"
    until "$WORK/alembic/bin/python" -c "import psycopg; psycopg.connect(\"$NET/postgres\").close()" 2>/dev/null; do sleep 0.1; done
    "$WORK/alembic/bin/python" -c "
import psycopg, time
with psycopg.connect(\"$NET/postgres\") as c:
    t = time.perf_counter()
    for _ in range(200):
        c.execute(\"SELECT 1\").fetchone()
    print(f\"{(time.perf_counter() - t) / 200 * 1000:.2f}\")" > "$WORK/rtt"
    cd "$WORK/p300"
    for db in net_ours net_ref; do echo "database_url: $NET/$db" > "db/environments/$db.yaml"; done
    hyperfine -w 1 -r 5 --export-markdown "$WORK/h1-net.md" \
        -n "confiture migrate up (this engine)" --prepare "$(fresh net_ours)" \
        "$WORK/ours/bin/confiture migrate up --config db/environments/net_ours.yaml" \
        -n "confiture migrate up (fraiseql-confiture 0.3.9)" --prepare "$(fresh net_ref)" \
        "$WORK/ref/bin/confiture migrate up --config db/environments/net_ref.yaml" \
        -n "alembic upgrade head (same SQL)" --prepare "$(fresh net_alembic)" \
        "env ALEMBIC_URL=postgresql+psycopg://${NET#postgresql://}/net_alembic $WORK/alembic/bin/alembic -c alembic.ini upgrade head" \
        -n "psql -f (same SQL, a transaction per migration, no tracking)" --prepare "$(fresh net_psql)" \
        "psql -X -q -v ON_ERROR_STOP=1 -f psql.sql $NET/net_psql"

    createdb --maintenance-db="$S" bench_noop
    "$WORK/ours/bin/confiture" migrate up --config db/environments/bench_noop.yaml >/dev/null
    hyperfine -N -w 3 -r 20 --export-markdown "$WORK/h2.md" \
        -n "confiture migrate status, 300 applied" \
        "$WORK/ours/bin/confiture migrate status --config db/environments/bench_noop.yaml" \
        -n "confiture migrate up, nothing pending (300 applied)" \
        "$WORK/ours/bin/confiture migrate up --config db/environments/bench_noop.yaml" \
        -n "fraiseql-confiture 0.3.9 migrate status, 300 applied" \
        "$WORK/ref/bin/confiture migrate status --config db/environments/bench_ref.yaml"

    cd "$WORK/p10k"
    echo "database_url: $BASE/bench_10k" > db/environments/local.yaml
    createdb --maintenance-db="$S" bench_10k
    "$WORK/ours/bin/python" -c "
import subprocess, sys, time
t = time.perf_counter()
subprocess.run([sys.argv[1], \"migrate\", \"up\"], check=True, stdout=subprocess.DEVNULL)
print(f\"{time.perf_counter() - t:.1f}\")" "$WORK/ours/bin/confiture" > "$WORK/apply10k"
    hyperfine -N -w 3 -r 20 --export-markdown "$WORK/h3.md" \
        -n "confiture migrate status, 10,000 applied" "$WORK/ours/bin/confiture migrate status" \
        -n "confiture migrate status -f json, 10,000 applied" "$WORK/ours/bin/confiture migrate status -f json"
'
{
    echo "## 300 SQL migrations on an empty database, mixed workload"; echo; cat "$WORK/h1-p300.md"; echo
    echo "## 300 SQL migrations on an empty database, a table each"; echo; cat "$WORK/h1-t300.md"; echo
    echo "## 300 SQL migrations, mixed workload, database behind a latency proxy (measured round trip $(cat "$WORK/rtt") ms)"
    echo; cat "$WORK/h1-net.md"; echo
    echo "## status and no-op up, 300 applied"; echo; cat "$WORK/h2.md"; echo
    echo "## status, 10,000 applied (applying the 10,000 trivial migrations took $(cat "$WORK/apply10k") s)"; echo
    cat "$WORK/h3.md"; echo
} >> "$REPORT"

say "report: $REPORT"
cat "$REPORT"
