# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run): installs what is missing on a
# fresh Debian/Ubuntu machine and builds the extension into .venv.
#   - PostgreSQL server binaries (initdb, postgres), libclang (pg_query's build), via apt-get
#   - a Rust toolchain (rustup) when cargo is missing
#   - .venv with maturin and the test tools, then `maturin develop` (the engine, debug build)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "need root for: $*  (run as root or install sudo)"; return 1; fi
}

APT_UPDATED=""
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
        if [ -z "$APT_UPDATED" ]; then
            as_root apt-get update -q >/dev/null
            APT_UPDATED=1
        fi
        as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null
    fi
}

have_postgres_server() {
    for dir in $(pg_config --bindir 2>/dev/null) /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && return 0
    done
    command -v initdb >/dev/null && command -v postgres >/dev/null
}

have_libclang() {
    ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 &&
        ls /usr/lib/llvm-*/lib/clang/*/include/stdbool.h >/dev/null 2>&1
}

ensure_system_packages() {
    if ! have_postgres_server; then
        say "installing the PostgreSQL server (apt-get)"
        # Only the binaries are needed: tests run their own throw-away clusters.
        as_root mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/confiture.conf >/dev/null
        apt_install postgresql postgresql-contrib
    fi
    if ! have_libclang; then
        say "installing libclang (needed to build pg_query)"
        apt_install libclang1-14 libclang-common-14-dev || apt_install libclang-dev
    fi
    if ! command -v cc >/dev/null || ! command -v pkg-config >/dev/null; then
        say "installing a C toolchain"
        apt_install build-essential pkg-config
    fi
    if ! python3 -m venv --help >/dev/null 2>&1; then
        say "installing python3-venv"
        apt_install python3-venv python3-pip
    fi
    if ! command -v cargo >/dev/null; then
        say "installing Rust (rustup, minimal profile)"
        apt_install curl ca-certificates
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal >/dev/null
        rustup component add rustfmt clippy >/dev/null
    fi
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        python3 -m venv "$VENV"
    fi
    say "installing Python tools and dependencies"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements-dev.txt"
}

build_extension() {
    say "building the engine (maturin develop)"
    (cd "$ROOT" && "$VENV/bin/maturin" develop -q >/dev/null)
    export PATH="$VENV/bin:$PATH"
}
