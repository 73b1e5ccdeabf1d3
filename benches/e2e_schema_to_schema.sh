#!/usr/bin/env bash
# End-to-end benchmarks of `confiture migrate schema-to-schema` (numbers go to docs/performance.md),
# on a throw-away PostgreSQL with two databases:
#   1. a 1,000,000-row table copied into a renamed table of the new schema: the `copy` strategy,
#      the `fdw` strategy, and `psql -c "COPY … TO STDOUT" | psql -c "COPY … FROM STDIN"`, in
#      interleaved rounds (ROUNDS=5 by default, plus a warm-up round);
#   2. catch-up of 10,000 changed rows (5,000 updated, 2,500 inserted, 2,500 deleted), ROUNDS times;
#   3. cutover after another 10,000 changes: the write freeze, with and without the checksum
#      verification inside it, ROUNDS times each.
# Usage: bash benches/e2e_schema_to_schema.sh [ROWS]   (default 1000000)
# CONFITURE_BENCH_WHEEL_VENV: a venv that already has a release build (see common.sh);
# SKIP_BULK=1 copies once (no bulk comparison) and measures only catch-up and cutover.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROWS="${1:-1000000}"
ROUNDS="${ROUNDS:-5}"
bench_start schema-to-schema
release_venv "$WORK/ours"
VENV="$WORK/ours"

{
    echo "# End-to-end schema-to-schema benchmarks ($STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); PostgreSQL $(pg_config --version 2>/dev/null | awk '{print $2}')"
    echo
} > "$REPORT"

export WORK VENV ROWS REPORT ROUNDS SKIP_BULK="${SKIP_BULK:-}"
cat > "$WORK/inner.sh" <<'INNER'
set -euo pipefail
S="$CONFITURE_TEST_DATABASE_URL"; BASE="${S%/postgres}"
SRC="$BASE/bench_src"; DST="$BASE/bench_dst"
S2S="$VENV/bin/confiture migrate schema-to-schema"
psql -X -q "$S" -c "CREATE DATABASE bench_src" -c "CREATE DATABASE bench_dst"
psql -X -q "$SRC" -c "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL, phone text, created_at timestamptz NOT NULL)"
psql -X -q "$DST" -c "CREATE TABLE people (id bigint PRIMARY KEY, email_address text NOT NULL, full_name text NOT NULL, phone text, created_at timestamptz NOT NULL)"
cat > "$WORK/mapping.yaml" <<YAML
tables:
  people:
    from: users
    columns: {id: id, email_address: email, full_name: name, phone: phone, created_at: created_at}
YAML
echo "filling $ROWS rows" >&2
psql -X -q "$SRC" -c "INSERT INTO users SELECT i, 'user' || i || '@example.com', 'First' || (i % 5003) || ' Last' || (i % 7919), '+1 212 555 ' || lpad((i % 10000)::text, 4, '0'), timestamptz '2020-01-01' + i * interval '1 second' FROM generate_series(1, $ROWS) i" -c "VACUUM ANALYZE users"
SIZE=$(psql -X -At "$SRC" -c "SELECT pg_size_pretty(pg_total_relation_size('users'))")
$S2S setup --source "$SRC" --target "$DST" --mapping "$WORK/mapping.yaml" --capture -f json > /dev/null
PREP="psql -X -q $DST -c 'TRUNCATE people' -c 'DELETE FROM confiture_s2s.batches' -c CHECKPOINT"
cat > "$WORK/pipe.sh" <<PIPE
psql -X -q "$SRC" -c "COPY users (id, email, name, phone, created_at) TO STDOUT" | psql -X -q "$DST" -c "COPY people (id, email_address, full_name, phone, created_at) FROM STDIN"
PIPE
: > "$WORK/times.txt"
if [ -n "$SKIP_BULK" ]; then
    $S2S migrate --source "$SRC" --target "$DST" --mapping "$WORK/mapping.yaml" --strategy copy -f json > /dev/null
fi
for round in $( [ -n "$SKIP_BULK" ] || seq 0 "$ROUNDS" ); do
    for name in pipe copy fdw; do
        eval "$PREP"
        case $name in
            pipe) cmd="bash $WORK/pipe.sh" ;;
            *) cmd="$S2S migrate --source $SRC --target $DST --mapping $WORK/mapping.yaml --strategy $name -f json" ;;
        esac
        start=$(date +%s.%N)
        $cmd > /dev/null
        end=$(date +%s.%N)
        [ "$round" -gt 0 ] && echo "$round $name $start $end" >> "$WORK/times.txt"
        [ "$(psql -X -At "$DST" -c 'SELECT count(*) FROM people')" = "$ROWS" ]
    done
done
[ -n "$SKIP_BULK" ] || { echo "## Bulk copy: $ROWS rows (users: $SIZE), $ROUNDS interleaved rounds"; echo; } >> "$REPORT"
[ -n "$SKIP_BULK" ] || "$VENV/bin/python" benches/round_table.py "$WORK/times.txt" "$ROWS" \
    'pipe=psql -c "COPY users … TO STDOUT" \| psql -c "COPY people … FROM STDIN"' \
    "copy=migrate --strategy copy" \
    "fdw=migrate --strategy fdw" >> "$REPORT"
# The target now holds a full copy (last fdw round); the change log starts empty.
$S2S catch-up --source "$SRC" --target "$DST" -f json > /dev/null
change() {  # 10,000 changed rows: 5,000 updated, 2,500 inserted, 2,500 deleted (round $1)
    local base=$(( ROWS + 1 + $1 * 2500 ))
    psql -X -q "$SRC" \
        -c "UPDATE users SET email = 'r$1-' || email WHERE id % 200 = $1" \
        -c "INSERT INTO users SELECT i, 'new' || i || '@example.com', 'New ' || i, NULL, now() FROM generate_series($base, $base + 2499) i" \
        -c "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE id <= $ROWS AND id % 400 = $(( ($1 * 7 + 3) % 400 )) LIMIT 2500)"
}
: > "$WORK/catchup.txt"
for round in $(seq 1 "$ROUNDS"); do
    change "$round"
    start=$(date +%s.%N)
    $S2S catch-up --source "$SRC" --target "$DST" -f json > "$WORK/c.json"
    end=$(date +%s.%N)
    echo "$start $end $("$VENV/bin/python" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["changes"], r["seconds"])' "$WORK/c.json")" >> "$WORK/catchup.txt"
done
$S2S verify --source "$SRC" --target "$DST" -f json > /dev/null
: > "$WORK/cutover.txt"
for round in $(seq 1 "$ROUNDS"); do
    for verify in with without; do
        r=$(( ROUNDS + round * 2 )); flag=""
        if [ "$verify" = without ]; then r=$(( r + 1 )); flag="--no-verify"; fi
        change "$r"
        $S2S cutover --source "$SRC" --target "$DST" $flag -f json > "$WORK/cut.json"
        echo "$verify $("$VENV/bin/python" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ok"]; print(r["freeze_seconds"], r["seconds"], r["catch_up"]["changes"])' "$WORK/cut.json")" >> "$WORK/cutover.txt"
    done
done
"$VENV/bin/python" - "$WORK/catchup.txt" "$WORK/cutover.txt" >> "$REPORT" <<'PY'
import statistics, sys
c = [line.split() for line in open(sys.argv[1])]
wall = [float(e) - float(s) for s, e, *_ in c]
inner = [float(x[3]) for x in c]
changes = [int(x[2]) for x in c]
print(f"## Catch-up of 10,000 changed rows ({len(c)} rounds)")
print()
print("| | median | min | max |")
print("|---|---:|---:|---:|")
print(f"| `catch-up` command (wall clock, CLI start-up included) | {statistics.median(wall):.3f} s | {min(wall):.3f} s | {max(wall):.3f} s |")
print(f"| catch-up itself (snapshot, keys, rows, upsert, delete, commit, log trim) | {statistics.median(inner):.3f} s | {min(inner):.3f} s | {max(inner):.3f} s |")
print()
print(f"Log entries applied per round: {min(changes):,}–{max(changes):,} (updates log one entry per row).")
print()
rows = [line.split() for line in open(sys.argv[2])]
print(f"## Cutover after 10,000 changes ({len(rows) // 2} rounds each)")
print()
print("| | freeze median | min | max | whole cutover (median) |")
print("|---|---:|---:|---:|---:|")
for kind, label in (("with", "final catch-up + source checksums inside the freeze (target compared after)"), ("without", "`--no-verify`: final catch-up only")):
    f = [float(r[1]) for r in rows if r[0] == kind]
    w = [float(r[2]) for r in rows if r[0] == kind]
    print(f"| {label} | {statistics.median(f):.3f} s | {min(f):.3f} s | {max(f):.3f} s | {statistics.median(w):.3f} s |")
print()
PY
INNER
"$VENV/bin/python" -m confiture.testing.server -- bash "$WORK/inner.sh"
say "report: $REPORT"
cat "$REPORT"
