#!/usr/bin/env bash
# End-to-end benchmark of `confiture lint` (numbers go to docs/performance.md): the schema of a
# generated 2,000-table project (one file per table: 8 columns, a CHECK, a foreign key to the
# previous table, an index, a comment) linted by this engine (release wheel, `--offline`, every
# rule on by default) and by fraiseql-confiture==0.3.9 from PyPI (its 5 regex rules), side by
# side with hyperfine; plus the 71-snippet migration corpus given as files.
# Usage: bash benches/e2e_lint.sh   (needs hyperfine; installs it with apt-get when missing)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_hyperfine
bench_start lint
release_venv "$WORK/ours"
reference_venv "$WORK/ref"

say "generating a 2,000-table project"
cargo run -q --release --example generate_project -- "$WORK/p2000" 2000
CORPUS="$ROOT/rust/confiture-core/tests/fixtures/lint/migrations"

{
    echo "# End-to-end lint benchmark ($STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr)"
    echo
} > "$REPORT"

say "confiture lint, 2,000 tables"
# fraiseql-confiture ignores --project-dir: both run from inside the project.
(cd "$WORK/p2000" && hyperfine -N -i -w 2 -r 15 --export-markdown "$WORK/h1.md" \
    -n "confiture lint --offline -f json (this engine)" "$WORK/ours/bin/confiture lint --offline -f json" \
    -n "confiture lint -f json (fraiseql-confiture 0.3.9)" "$WORK/ref/bin/confiture lint -f json")
FINDINGS="$(cd "$WORK/p2000" && "$WORK/ours/bin/confiture" lint --offline -f json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["violations"]["total"])')"
{ echo "## confiture lint, 2,000 tables ($FINDINGS findings from this engine)"; echo; cat "$WORK/h1.md"; echo; } >> "$REPORT"

say "confiture lint --migrations (71 files of the corpus)"
hyperfine -N -i -w 2 -r 15 --export-markdown "$WORK/h2.md" \
    -n "confiture lint --migrations (71 files)" "$WORK/ours/bin/confiture lint --project-dir $WORK -f json --migrations $(ls "$CORPUS"/*.sql | tr '\n' ' ')"
{ echo "## confiture lint of 71 migration files"; echo; cat "$WORK/h2.md"; echo; } >> "$REPORT"

say "report: $REPORT"
cat "$REPORT"
