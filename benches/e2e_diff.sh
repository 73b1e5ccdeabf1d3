#!/usr/bin/env bash
# End-to-end benchmarks of the schema model and `confiture migrate diff` (numbers go to
# docs/performance.md), on the generated schema of the criterion benches (benches/common):
# 2,000 tables (about 8,000 relations with their keys, indexes and identity sequences), 1,000
# views and 500 functions; the changed copy adds a column to every tenth table and changes every
# twentieth view and function.
#   1. in process (examples/diff_timings.rs): DDL → model, the diff of two models, introspection
#      of a database holding the schema (median and minimum of 11 runs, and CPU time per run);
#   2. the CLI (release wheel, hyperfine): two files; a database against a file; the drift check
#      of an environment; --online (both files built in scratch databases).
# Usage: bash benches/e2e_diff.sh   (needs hyperfine; installs it with apt-get when missing)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_hyperfine

TABLES="${TABLES:-2000}"
bench_start diff
release_venv "$WORK/ours"

say "generating the schema ($TABLES tables) and building the in-process timer"
cargo run -q --release --example generate_schema -- "$WORK" "$TABLES"
cargo build -q --release --example diff_timings
TIMINGS="$ROOT/target/release/examples/diff_timings"

# A project whose environment is the first schema, for the drift check.
mkdir -p "$WORK/project/db/schema" "$WORK/project/db/environments"
cp "$WORK/before.sql" "$WORK/project/db/schema/schema.sql"
printf 'database_url: ${DATABASE_URL}\ninclude_dirs:\n  - db/schema\n' >"$WORK/project/db/environments/local.yaml"

{
    echo "# End-to-end schema diff benchmarks ($STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); PostgreSQL $(pg_config --version 2>/dev/null | awk '{print $2}')"
    echo "CPU pressure before the runs (/proc/pressure/cpu): $(head -1 /proc/pressure/cpu 2>/dev/null)"
    echo
} >"$REPORT"

export WORK TIMINGS TABLES
"$WORK/ours/bin/python" -m confiture.testing.server -- bash -c '
    set -euo pipefail
    S="$CONFITURE_TEST_DATABASE_URL"; BASE="${S%/postgres}"; DB="$BASE/bench_diff"
    createdb --maintenance-db="$S" bench_diff
    # Not in one transaction: a few thousand tables exceed the default lock table.
    psql -X -q -v ON_ERROR_STOP=1 -f "$WORK/before.sql" "$DB"
    {
        echo "## In process ($TABLES tables; examples/diff_timings.rs)"
        echo
        echo "\`\`\`"
        "$TIMINGS" "$TABLES" 11 "$DB"
        echo "\`\`\`"
        echo
    } >>"$WORK/inproc.md"
    C="$WORK/ours/bin/confiture"
    hyperfine -N -w 2 -r 10 --export-markdown "$WORK/h1.md" \
        -n "two files (offline)" "$C migrate diff $WORK/before.sql $WORK/after.sql --format json" \
        -n "database vs file" "$C migrate diff $DB $WORK/after.sql --format json" \
        -n "drift check (--env, no drift)" \
        "env DATABASE_URL=$DB $C migrate diff --env local --project-dir $WORK/project --format json"
    hyperfine -N -w 1 -r 3 --export-markdown "$WORK/h2.md" \
        -n "two files --online (two scratch builds)" \
        "env CONFITURE_TEST_DATABASE_URL=$S $C migrate diff $WORK/before.sql $WORK/after.sql --online --format json"
'
{
    cat "$WORK/inproc.md"
    echo "## confiture migrate diff ($TABLES tables, release wheel)"
    echo
    cat "$WORK/h1.md"
    echo
    cat "$WORK/h2.md"
    echo
    echo "CPU pressure after the runs: $(head -1 /proc/pressure/cpu 2>/dev/null)"
} >>"$REPORT"

say "report: $REPORT"
cat "$REPORT"
