#!/usr/bin/env bash
# Every test: installs what is missing, builds the engine, checks formatting and lints, then runs
# the engine's Rust tests and the Python suites, each against its own throw-away PostgreSQL
# (or the server in CONFITURE_TEST_DATABASE_URL).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_system_packages
ensure_venv
build_extension
cd "$ROOT"

say "formatting and lints (cargo fmt, clippy, ruff)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -q -- -D warnings
ruff check .
ruff format --check .
python -m mypy.stubtest confiture._core

say "engine tests (cargo test)"
cargo test -p confiture-core --locked

say "Python tests (pytest)"
suites_ran=0
run_pytest() {
    local rc=0
    pytest "$@" || rc=$?
    case $rc in
        0) suites_ran=$((suites_ran + 1)) ;;
        5) say "pytest collected no tests in: $*" ;;
        *) exit "$rc" ;;
    esac
}
run_pytest tests
run_pytest examples/basic
run_pytest examples/migrations
run_pytest examples/multi-agent-workflow
run_pytest examples/pytest-app
if [ "$suites_ran" -eq 0 ]; then
    say "no Python tests ran at all"
    exit 1
fi
say "all tests passed"
