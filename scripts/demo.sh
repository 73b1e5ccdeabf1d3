#!/usr/bin/env bash
# The main job, end to end, on examples/basic: install what is missing, build the engine, start a
# throw-away PostgreSQL, `confiture build --env local --apply`, show what was created, clean up.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_system_packages
ensure_venv
build_extension

cd "$ROOT/examples/basic"
say "confiture build --env local --apply  (examples/basic, throw-away PostgreSQL)"
python -m confiture.testing.server --database basic_local -- sh -c '
    set -e
    confiture build --env local --apply --show-hash
    echo
    echo "Rows in the new database:"
    psql "$DATABASE_URL" -X -q -P pager=off -f show_rows.sql
    echo
    echo "Building it again with --recreate clones the cached template:"
    confiture build --env local --apply --recreate | tail -n +7
'
