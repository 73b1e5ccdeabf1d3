"""``examples/schema-to-schema`` end to end: its old and new schemas, its mapping, both the step by
step workflow (with writes between steps) and the one-shot form."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from confiture import _core
from s2s_support import invoke_s2s
from sync_support import Pair

EXAMPLE = Path(__file__).parent.parent / "examples" / "schema-to-schema"
DATA = """
INSERT INTO customers (full_name, email, phone, balance_cents, status, deleted_at)
SELECT CASE WHEN i % 30 = 0 THEN 'Mononym' || i ELSE 'Ada' || i || ' Lovelace ' || i END,
       'Ada' || i || '@Example.ORG', NULL, i * 1234, CASE WHEN i % 7 = 0 THEN 'suspended' ELSE 'active' END,
       CASE WHEN i % 25 = 0 THEN now() END
FROM generate_series(1, 500) i;
INSERT INTO orders (customer_id, placed, total_cents)
SELECT (i % 500) + 1, (date '2024-01-01' + i % 300)::text, i * 99 FROM generate_series(1, 3000) i;
"""


@pytest.fixture
def pair(confiture_test_server_url: str) -> Iterator[Pair]:
    names = [f"old_{uuid.uuid4().hex[:8]}", f"new_{uuid.uuid4().hex[:8]}"]
    for n in names:
        _core.create_database(confiture_test_server_url, n)
    p = Pair(
        confiture_test_server_url,
        *names,
        *(_core.url_with_database(confiture_test_server_url, n) for n in names),
    )
    try:
        p.execute("source", (EXAMPLE / "old.sql").read_text() + DATA)
        p.execute("target", (EXAMPLE / "new.sql").read_text())
        yield p
    finally:
        for n in names:
            _core.drop_database(confiture_test_server_url, n, force=True)


def run(pair: Pair, *args: str) -> dict:
    result = invoke_s2s(*args, "--source", pair.source_url, "--target", pair.target_url, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("strategy", ["fdw", "copy"])
def test_the_walkthrough(pair: Pair, strategy: str) -> None:
    mapping = str(EXAMPLE / "mapping.yaml")
    run(pair, "setup", "--mapping", mapping, "--capture")
    report = run(pair, "migrate", "--mapping", mapping, "--strategy", strategy, "--batch-size", "1000")
    assert report["order"] == [["crm.clients"], ['crm."Orders"']]
    # The mapping's own `strategy: copy` wins for Orders.
    assert [t["strategy"] for t in report["tables"]] == [strategy, "copy"]
    assert pair.query(
        "target",
        "SELECT first_name, last_name, email_address, balance, status::text FROM crm.clients WHERE id = 7",
    ) == [("Ada7", "Lovelace 7", "ada7@example.org", Decimal("86.38"), "suspended")]
    assert pair.query("target", "SELECT last_name FROM crm.clients WHERE id = 30") == [("",)]
    pair.execute(
        "source", "UPDATE customers SET status = 'suspended' WHERE id = 1; DELETE FROM orders WHERE id = 1"
    )
    run(pair, "catch-up")
    cut = run(pair, "cutover")
    assert cut["ok"] and cut["verify"]["tables"][0]["target_rows"] == 480
    assert pair.query("target", "SELECT status::text FROM crm.clients WHERE id = 1") == [("suspended",)]
    run(pair, "cleanup")


def test_the_one_shot_form(pair: Pair) -> None:
    result = invoke_s2s(
        "--strategy",
        "fdw",
        "--source",
        pair.source_url,
        "--target",
        pair.target_url,
        "--mapping",
        str(EXAMPLE / "mapping.yaml"),
    )
    assert result.exit_code == 0, result.output
    assert "✅ Verification passed" in result.stdout
