"""The walk-through, asserted: four agents register and check against a fresh registry."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

EXAMPLE = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_url(confiture_test_server_url: str) -> Iterator[str]:
    name = f"shop_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(confiture_test_server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield psycopg.conninfo.make_conninfo(confiture_test_server_url, dbname=name)
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def coordinate(database_url: str, *args: str) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CONFITURE_DB_URL")}
    env["COORDINATION_DATABASE_URL"] = database_url
    r = subprocess.run(
        [sys.executable, "-m", "confiture.cli", "coordinate", *args, "--format", "json"],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout)


def test_four_agents(database_url: str) -> None:
    code, doc = coordinate(database_url, "init")
    assert (code, doc["initialized"]) == (0, True)

    code, loyalty = coordinate(
        database_url,
        "register",
        "--agent-id",
        "agent-loyalty",
        "--from-migration",
        "db/migrations/004_loyalty_points.up.sql",
        "--estimated-hours",
        "3",
    )
    assert code == 0
    assert loyalty["intent"]["feature_name"] == "loyalty_points"
    assert loyalty["intent"]["tables_affected"] == ["shop.customers"]

    code, names = coordinate(
        database_url,
        "register",
        "--agent-id",
        "agent-names",
        "--feature-name",
        "split_names",
        "--schema-changes",
        "ALTER TABLE shop.customers ADD COLUMN first_name text; "
        "ALTER TABLE shop.customers ADD COLUMN last_name text",
    )
    assert code == 3
    assert [(c["conflict_type"], c["severity"]) for c in names["conflicts"]] == [("table", "warning")]

    code, reports = coordinate(
        database_url,
        "register",
        "--agent-id",
        "agent-reports",
        "--feature-name",
        "big_orders_by_day",
        "--schema-changes",
        "CREATE OR REPLACE VIEW shop.big_orders AS SELECT o.id, c.email, o.total, o.placed_at::date AS day "
        "FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id WHERE o.total > 1000",
    )
    assert code == 0, reports
    needs = {o["object"] for o in reports["intent"]["objects"] if o["role"] == "depends_on"}
    assert needs == {"shop.orders", "shop.customers"}

    code, cleanup = coordinate(
        database_url,
        "check",
        "--agent-id",
        "agent-cleanup",
        "--schema-changes",
        "DROP TABLE shop.customers CASCADE",
    )
    assert code == 4
    found = {(c["with"]["agent_id"], c["conflict_type"], c["severity"]) for c in cleanup["conflicts"]}
    assert found == {
        ("agent-loyalty", "table", "error"),
        ("agent-names", "table", "error"),
        ("agent-reports", "dependency", "error"),
    }
    # Nothing was stored by check.
    code, listing = coordinate(database_url, "list")
    assert listing["total"] == 3
