#!/usr/bin/env bash
# End-to-end benchmark of `confiture migrate validate`'s git-aware checks (numbers go to
# docs/performance.md): a repository of TABLES table files (default 2,000) and MIGRATIONS
# migrations (default 300) on main = origin/main; on the branch `feature` one table gains a column
# and a migration adds it, both staged (examples/generate_git_repo.rs, the criterion bench's
# generator). The release wheel runs each command with hyperfine; every command finds nothing
# (exit 0), so a wrong answer would fail the run.
# Usage: bash benches/e2e_validate.sh   (needs hyperfine; installs it with apt-get when missing)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_hyperfine

TABLES="${TABLES:-2000}"
MIGRATIONS="${MIGRATIONS:-300}"
bench_start validate
release_venv "$WORK/ours"

say "generating the repository ($TABLES tables, $MIGRATIONS migrations)"
cargo run -q --release --example generate_git_repo -- "$WORK/repo" "$TABLES" "$MIGRATIONS"

C="$WORK/ours/bin/confiture"
cd "$WORK/repo"
{
    echo "# End-to-end migrate validate benchmarks ($STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr)"
    echo "CPU pressure before the runs (/proc/pressure/cpu): $(head -1 /proc/pressure/cpu 2>/dev/null)"
    echo
    echo "Repository: $TABLES table files + 1, $MIGRATIONS migrations (up + down), one table changed and its migration added (staged)."
    echo
} >"$REPORT"
hyperfine -N -w 2 -r 15 --export-markdown "$WORK/h.md" \
    -n "confiture --help" "$C --help" \
    -n "validate (naming only)" "$C migrate validate" \
    -n "staged, require-migration" "$C migrate validate --staged --require-migration" \
    -n "staged, drift + require-migration (the hook)" \
    "$C migrate validate --staged --check-drift --require-migration" \
    -n "worktree, drift vs origin/main" "$C migrate validate --check-drift --base-ref origin/main"
cat "$WORK/h.md" >>"$REPORT"
cat "$REPORT"
say "report: $REPORT"
