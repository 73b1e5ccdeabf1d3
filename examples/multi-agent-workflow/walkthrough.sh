#!/usr/bin/env bash
# Four agents change the shop schema in parallel and coordinate through `confiture coordinate`,
# against a throw-away PostgreSQL:
#   bash examples/multi-agent-workflow/walkthrough.sh     (after scripts/demo.sh or scripts/test.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
[ -x "$ROOT/.venv/bin/confiture" ] && export PATH="$ROOT/.venv/bin:$PATH"

python -m confiture.testing.server --database shop --create -- bash -euc '
    step() { printf "\n\033[1m$ %s\033[0m\n" "$*"; "$@" || printf "(exit %s)\n" "$?"; }
    step confiture coordinate init
    # Agent 1 will add loyalty points (its migration is written already).
    step confiture coordinate register --agent-id agent-loyalty \
        --from-migration db/migrations/004_loyalty_points.up.sql --estimated-hours 3
    # Agent 2 wants to rename customers.full_name: only the table is shared -> warning (exit 3).
    step confiture coordinate register --agent-id agent-names --feature-name split_names \
        --schema-changes "ALTER TABLE shop.customers ADD COLUMN first_name text; ALTER TABLE shop.customers ADD COLUMN last_name text"
    # Agent 3 rewrites the big_orders view (it reads shop.orders and shop.customers).
    step confiture coordinate register --agent-id agent-reports --feature-name big_orders_by_day \
        --schema-changes "CREATE OR REPLACE VIEW shop.big_orders AS SELECT o.id, c.email, o.total, o.placed_at::date AS day FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id WHERE o.total > 1000"
    # Agent 4 checks a cleanup that drops shop.customers: errors (exit 4) with everyone above.
    step confiture coordinate check --agent-id agent-cleanup --schema-changes "DROP TABLE shop.customers CASCADE"
    step confiture coordinate status
    step confiture coordinate list --agent agent-loyalty --format json
'
