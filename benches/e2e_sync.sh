#!/usr/bin/env bash
# End-to-end benchmarks of `confiture sync` (numbers go to docs/performance.md), side by side in
# one run, on a throw-away PostgreSQL with two databases:
#   1. 1,000,000-row users(id, email, name, phone, created_at): plain `confiture sync` vs
#      `psql -c "COPY users TO STDOUT" | psql -c "COPY users FROM STDIN"`;
#   2. the same with email, name and phone anonymized vs the same pipe
#      (1 and 2 in interleaved rounds, ROUNDS=7 by default, plus a warm-up round);
#   3. peak RSS of the anonymized sync at 1M and 10M rows (/usr/bin/time -v).
# Usage: bash benches/e2e_sync.sh [ROWS_SMALL] [ROWS_LARGE]   (defaults 1000000 10000000)
# CONFITURE_BENCH_WHEEL_VENV (any e2e script): a venv that already has a release build; skips the build.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -x /usr/bin/time ] || apt_install time

SMALL="${1:-1000000}"
LARGE="${2:-10000000}"
ROUNDS="${ROUNDS:-7}"
bench_start sync
release_venv "$WORK/ours"
VENV="$WORK/ours"

{
    echo "# End-to-end sync benchmarks ($STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); PostgreSQL $(pg_config --version 2>/dev/null | awk '{print $2}')"
    echo
} > "$REPORT"

export WORK VENV SMALL LARGE REPORT ROUNDS
export CONFITURE_ANONYMIZATION_KEY="bench-key-0123456789abcdef"
cat > "$WORK/inner.sh" <<'INNER'
set -euo pipefail
S="$CONFITURE_TEST_DATABASE_URL"; BASE="${S%/postgres}"
SRC="$BASE/bench_src"; DST="$BASE/bench_dst"
CONFITURE="$VENV/bin/confiture"
TABLE="CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL, phone text, created_at timestamptz NOT NULL)"
fill() {  # fill ROWS
    psql -X -q "$SRC" -c "TRUNCATE users" -c "INSERT INTO users SELECT i, 'user' || i || '@example.com', 'First' || (i % 5003) || ' Last' || (i % 7919), '+1 212 555 ' || lpad((i % 10000)::text, 4, '0'), timestamptz '2020-01-01' + i * interval '1 second' FROM generate_series(1, $1) i" -c "VACUUM ANALYZE users"
}
psql -X -q "$S" -c "CREATE DATABASE bench_src" -c "CREATE DATABASE bench_dst"
psql -X -q "$SRC" -c "$TABLE"
psql -X -q "$DST" -c "$TABLE"
echo "filling $SMALL rows" >&2
fill "$SMALL"
SIZE=$(psql -X -At "$SRC" -c "SELECT pg_size_pretty(pg_total_relation_size('users'))")
PREP="psql -X -q $DST -c 'TRUNCATE users' -c CHECKPOINT"
ANON="--anonymize users.email=email --anonymize users.name=name --anonymize users.phone=phone"
cat > "$WORK/pipe.sh" <<PIPE
psql -X -q "$SRC" -c "COPY users TO STDOUT" | psql -X -q "$DST" -c "COPY users FROM STDIN"
PIPE
# Interleaved rounds (pipe, plain, anonymized, pipe, …): the machine's load drifts, so each
# command is compared with the pipe of the same round.
: > "$WORK/times.txt"
for round in $(seq 0 "$ROUNDS"); do
    for name in pipe plain anonymized; do
        eval "$PREP"
        case $name in
            pipe) cmd="bash $WORK/pipe.sh" ;;
            plain) cmd="$CONFITURE sync --from $SRC --to $DST -f json" ;;
            anonymized) cmd="$CONFITURE sync --from $SRC --to $DST $ANON -f json" ;;
        esac
        start=$(date +%s.%N)
        $cmd > /dev/null
        end=$(date +%s.%N)
        # Round 0 warms the caches and is not counted.
        [ "$round" -gt 0 ] && echo "$round $name $start $end" >> "$WORK/times.txt"
        [ "$name" = pipe ] || [ "$(psql -X -At "$DST" -c 'SELECT count(*) FROM users')" = "$SMALL" ]
    done
done
{ echo "## $SMALL rows (users table: $SIZE), $ROUNDS interleaved rounds"; echo; } >> "$REPORT"
"$VENV/bin/python" benches/round_table.py "$WORK/times.txt" "$SMALL" \
    'pipe=psql -c "COPY users TO STDOUT" \| psql -c "COPY users FROM STDIN"' \
    "plain=confiture sync (plain copy)" \
    "anonymized=confiture sync (email, name, phone anonymized)" >> "$REPORT"
rss() {  # peak RSS (KiB) and wall clock of one anonymized sync
    eval "$PREP"
    /usr/bin/time -v "$CONFITURE" sync --from "$SRC" --to "$DST" $ANON -f json 2> "$WORK/time.txt" > /dev/null
    echo "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt") $(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt")"
}
read -r RSS_SMALL T_SMALL < <(rss)
echo "filling $LARGE rows" >&2
fill "$LARGE"
read -r RSS_LARGE T_LARGE < <(rss)
{
    echo "## Peak RSS of the anonymized sync (/usr/bin/time -v)"
    echo
    echo "| rows | peak RSS | wall clock |"
    echo "|---:|---:|---:|"
    echo "| $SMALL | $((RSS_SMALL / 1024)) MiB | $T_SMALL |"
    echo "| $LARGE | $((RSS_LARGE / 1024)) MiB | $T_LARGE |"
    echo
    echo "Ratio: $(awk -v a="$RSS_LARGE" -v b="$RSS_SMALL" 'BEGIN {printf "%.2f", a / b}')x"
    echo
} >> "$REPORT"
INNER
"$VENV/bin/python" -m confiture.testing.server -- bash "$WORK/inner.sh"
say "report: $REPORT"
cat "$REPORT"
