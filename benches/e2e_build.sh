#!/usr/bin/env bash
# End-to-end benchmarks of `confiture build` (numbers go to docs/performance.md):
#   1. `confiture build` of a generated 5,000-table schema: this engine (release wheel) vs
#      fraiseql-confiture==0.3.9 from PyPI vs `cat` of the same files, side by side (hyperfine);
#   2. `confiture --help`;
#   3. `build --apply` of a 1,000-table schema vs `psql -1 -f` of the built file, cold (no cache,
#      and with an empty cache that the run fills) and warm (template clone).
# Usage: bash benches/e2e_build.sh   (needs hyperfine; installs it with apt-get when missing)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_hyperfine
bench_start build
release_venv "$WORK/ours"
reference_venv "$WORK/ref"

say "generating projects (5,000 and 1,000 tables)"
cargo run -q --release --example generate_project -- "$WORK/p5000" 5000
cargo run -q --release --example generate_project -- "$WORK/p1000" 1000

# The same files in the same order, for cat.
"$WORK/ours/bin/python" - "$WORK" <<'PY'
import shlex, sys
from confiture.core.builder import SchemaBuilder
work = sys.argv[1]
files = SchemaBuilder("local", f"{work}/p5000").find_sql_files()
with open(f"{work}/cat.sh", "w") as f:
    f.write("cat " + " ".join(shlex.quote(str(p)) for p in files) + f" > {work}/cat-out.sql\n")
PY

{
    echo "# End-to-end build benchmarks ($STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr); PostgreSQL $(pg_config --version 2>/dev/null | awk '{print $2}')"
    echo
} > "$REPORT"

say "1. confiture build, 5,000 tables"
hyperfine -N -w 3 -r 20 --export-markdown "$WORK/h1.md" \
    -n "confiture build (this engine)" "$WORK/ours/bin/confiture build --project-dir $WORK/p5000" \
    -n "confiture build (fraiseql-confiture 0.3.9)" "$WORK/ref/bin/confiture build --project-dir $WORK/p5000" \
    -n "cat of the same files" "sh $WORK/cat.sh"
{ echo "## confiture build, 5,000 tables ($(cat "$WORK"/cat-out.sql | wc -c) bytes of DDL)"; echo; cat "$WORK/h1.md"; echo; } >> "$REPORT"

say "2. confiture --help"
hyperfine -N -w 3 -r 30 --export-markdown "$WORK/h2.md" -n "confiture --help" "$WORK/ours/bin/confiture --help"
{ echo "## confiture --help"; echo; cat "$WORK/h2.md"; echo; } >> "$REPORT"

say "3. build --apply, 1,000 tables (throw-away PostgreSQL)"
"$WORK/ours/bin/confiture" build --project-dir "$WORK/p1000" -o "$WORK/p1000.sql" >/dev/null
export WORK
"$WORK/ours/bin/python" -m confiture.testing.server -- bash -c '
    set -euo pipefail
    S="$CONFITURE_TEST_DATABASE_URL"; BASE="${S%/postgres}"
    PY="$WORK/ours/bin/python"
    drop_templates="$PY -c \"from confiture import _core; [_core.drop_database(\\\"$S\\\", t[\\\"name\\\"]) for t in _core.list_templates(\\\"$S\\\")]\""
    fresh() { echo "dropdb --if-exists --maintenance-db=$S $1 && createdb --maintenance-db=$S $1"; }
    hyperfine -w 2 -r 10 --export-markdown "$WORK/h3.md" \
        -n "psql -1 -f (built file, existing empty database)" \
        --prepare "$(fresh bench_psql)" "psql -X -q -1 -v ON_ERROR_STOP=1 -f $WORK/p1000.sql $BASE/bench_psql" \
        -n "confiture build --apply --no-cache (existing empty database)" \
        --prepare "$(fresh bench_cold)" "$WORK/ours/bin/confiture build --project-dir $WORK/p1000 --database-url $BASE/bench_cold --no-cache" \
        -n "confiture build --apply, empty cache (also creates the template)" \
        --prepare "$(fresh bench_fill) && $drop_templates" "$WORK/ours/bin/confiture build --project-dir $WORK/p1000 --database-url $BASE/bench_fill"
    "$WORK/ours/bin/confiture" build --project-dir "$WORK/p1000" --database-url "$BASE/bench_warm" --recreate >/dev/null
    hyperfine -w 2 -r 10 --export-markdown "$WORK/h4.md" \
        -n "confiture build --apply --recreate (warm: template clone)" \
        "$WORK/ours/bin/confiture build --project-dir $WORK/p1000 --database-url $BASE/bench_warm --recreate"
'
{ echo "## build --apply, 1,000 tables"; echo; cat "$WORK/h3.md"; echo; cat "$WORK/h4.md"; echo; } >> "$REPORT"

say "report: $REPORT"
cat "$REPORT"
