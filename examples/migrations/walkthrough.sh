#!/usr/bin/env bash
# The migration walk-through of README.md, run against a throw-away PostgreSQL:
#   bash examples/migrations/walkthrough.sh     (after `bash scripts/demo.sh` or `scripts/test.sh`)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
[ -x "$ROOT/.venv/bin/confiture" ] && export PATH="$ROOT/.venv/bin:$PATH"

python -m confiture.testing.server --database migrations_example --create -- bash -euc '
    step() { printf "\n\033[1m$ %s\033[0m\n" "$*"; "$@"; }
    step confiture migrate validate
    step confiture migrate status
    step confiture migrate up --dry-run
    step confiture migrate up --dry-run-execute
    step confiture migrate up --target 002
    step confiture migrate up
    step confiture migrate status
    step confiture verify
    step confiture migrate down --steps 2
    step confiture migrate up
    step psql "$DATABASE_URL" -X -q -P pager=off -c "SELECT id, email, display_name FROM app.accounts ORDER BY id"
'
