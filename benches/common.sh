# Shared set-up of the end-to-end benchmark scripts (sourced, not run): the project's set-up
# functions, a scratch directory removed on exit, the report's place, and the venvs compared.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/setup.sh"
ensure_system_packages
cd "$ROOT"

# bench_start NAME: WORK (scratch, removed on exit unless the caller sets its own trap after
# this), RESULTS, STAMP and REPORT (benches/results/e2e-NAME-STAMP.md).
bench_start() {
    WORK="$(mktemp -d "/tmp/confiture-bench-$1.XXXXXX")"
    RESULTS="$ROOT/benches/results"
    mkdir -p "$RESULTS"
    STAMP="$(date -u +%Y-%m-%dT%H%MZ)"
    REPORT="$RESULTS/e2e-$1-$STAMP.md"
    trap 'rm -rf "$WORK"' EXIT
}

need_hyperfine() {
    command -v hyperfine >/dev/null || apt_install hyperfine
}

# release_venv DIR [PACKAGE…]: a venv with a release wheel of this engine (and PACKAGEs); prints
# nothing on stdout. CONFITURE_BENCH_WHEEL_VENV names a venv that has one already (no build).
release_venv() {
    local dir="$1"
    shift
    if [ -n "${CONFITURE_BENCH_WHEEL_VENV:-}" ]; then
        say "using the release build in $CONFITURE_BENCH_WHEEL_VENV"
        ln -s "$CONFITURE_BENCH_WHEEL_VENV" "$dir"
        [ "$#" -eq 0 ] || "$dir/bin/pip" install -q "$@"
        return
    fi
    say "release wheel of this engine → $dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q maturin "$@"
    "$dir/bin/maturin" build --release -q -o "$WORK/wheels" >/dev/null
    "$dir/bin/pip" install -q "$WORK"/wheels/*.whl
}

# reference_venv DIR: fraiseql-confiture 0.3.9 from PyPI, the package we replace.
reference_venv() {
    say "fraiseql-confiture==0.3.9 from PyPI → $1"
    python3 -m venv "$1"
    "$1/bin/pip" install -q "fraiseql-confiture==0.3.9"
}
