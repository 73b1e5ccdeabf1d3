"""Coordination benchmark: register/check latency with 10,000 registered intents (Python API on a
psycopg connection), the CLI end to end, and 10 agents registering 1,000 intents each at once.

    python -m confiture.testing.server -- python benches/coordinate.py [--intents 10000] [--samples 500]

Works in a new database on the server of CONFITURE_TEST_DATABASE_URL and prints one JSON document
with the figures (milliseconds). Intents are spread over 2,000 tables of 5 schemas; each one
touches one to three tables, with columns, indexes and functions, so lookups go through the
anchor index as they would in a busy registry.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import psycopg

from confiture import _core
from confiture.integrations.pggit.coordination import IntentRegistry


def ddl(rng: random.Random, n: int) -> tuple[list[str], int]:
    """A plausible change: columns and an index on 1-3 tables, sometimes a function."""
    statements = []
    for _ in range(rng.randint(1, 3)):
        table = f"s{rng.randrange(5)}.t_{rng.randrange(2000):04}"
        statements.append(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS c_{n} text")
        if rng.random() < 0.3:
            statements.append(f"CREATE INDEX IF NOT EXISTS i_{n} ON {table} (c_{n})")
    if rng.random() < 0.2:
        statements.append(
            f"CREATE OR REPLACE FUNCTION s0.f_{rng.randrange(500)}(x int) RETURNS int "
            "LANGUAGE sql AS $$ SELECT x $$"
        )
    return ["; ".join(statements)], rng.randrange(0, 8 * 3_600_000)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
    }


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(7)
    out: dict[str, Any] = {"intents": args.intents}
    with psycopg.connect(url, autocommit=True) as conn:
        registry = IntentRegistry(conn)
        t0 = time.perf_counter()
        for n in range(args.intents - args.samples):
            changes, ms = ddl(rng, n)
            _core.coordinate_register(
                conn,
                {
                    "agent_id": f"seed-{n % 50}",
                    "feature_name": f"seed {n}",
                    "schema_changes": changes,
                    "estimated_duration_ms": ms,
                },
            )
        out["fill_seconds"] = round(time.perf_counter() - t0, 2)
        conn.execute("ANALYZE")
        register_ms, check_ms = [], []
        for n in range(args.samples):
            changes, ms = ddl(rng, 100_000 + n)
            t = time.perf_counter()
            registry.check(f"bench-{n % 7}", f"bench {n}", changes, estimated_duration_ms=ms)
            check_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            registry.register(f"bench-{n % 7}", f"bench {n}", changes, estimated_duration_ms=ms)
            register_ms.append((time.perf_counter() - t) * 1000)
        out["register_ms"] = summary(register_ms)
        out["check_ms"] = summary(check_ms)
        out["total_intents"] = conn.execute("SELECT count(*) FROM tb_pggit_intent").fetchone()[0]

    env = {**os.environ, "DATABASE_URL": url}
    cli = [sys.executable, "-m", "confiture.cli.main"] if args.module else ["confiture"]
    cli_ms = {"check": [], "register": []}
    for n in range(args.cli_runs):
        changes, _ = ddl(rng, 200_000 + n)
        for command in ("check", "register"):
            t = time.perf_counter()
            r = subprocess.run(
                [
                    *cli,
                    "coordinate",
                    command,
                    "--agent-id",
                    "cli",
                    "--feature-name",
                    f"cli {n}",
                    "--schema-changes",
                    changes[0],
                    "--format",
                    "json",
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            cli_ms[command].append((time.perf_counter() - t) * 1000)
            if r.returncode not in (0, 3, 4):
                raise SystemExit(f"CLI failed: {r.stderr}")
    out["cli_ms"] = {k: summary(v) for k, v in cli_ms.items()}

    # Concurrent agents, each on its own connection, all starting together.
    barrier = threading.Barrier(args.agents)
    before = out["total_intents"] + args.cli_runs
    errors: list[BaseException] = []

    def agent(i: int) -> None:
        local = random.Random(i)
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                barrier.wait()
                for n in range(args.per_agent):
                    changes, ms = ddl(local, 300_000 + i * args.per_agent + n)
                    _core.coordinate_register(
                        conn,
                        {
                            "agent_id": f"agent-{i}",
                            "feature_name": f"a{i} {n}",
                            "schema_changes": changes,
                            "estimated_duration_ms": ms,
                        },
                    )
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(args.agents)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    with psycopg.connect(url) as conn:
        after = conn.execute("SELECT count(*) FROM tb_pggit_intent").fetchone()[0]
    expected = args.agents * args.per_agent
    out["concurrent"] = {
        "agents": args.agents,
        "intents": expected,
        "seconds": round(seconds, 2),
        "intents_per_second": round(expected / seconds),
        "lost": expected - (after - before),
        "errors": [str(e) for e in errors],
    }
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--intents", type=int, default=10_000)
    p.add_argument("--samples", type=int, default=500)
    p.add_argument("--cli-runs", type=int, default=20)
    p.add_argument("--agents", type=int, default=10)
    p.add_argument("--per-agent", type=int, default=1000)
    p.add_argument("--module", action="store_true", help="run the CLI as python -m (no console script)")
    args = p.parse_args()
    server = os.environ.get("CONFITURE_TEST_DATABASE_URL")
    if not server:
        raise SystemExit("set CONFITURE_TEST_DATABASE_URL (run under python -m confiture.testing.server --)")
    name = f"bench_coord_{uuid.uuid4().hex[:8]}"
    _core.create_database(server, name)
    try:
        print(json.dumps(run(_core.url_with_database(server, name), args), indent=2))
    finally:
        _core.drop_database(server, name, force=True)


if __name__ == "__main__":
    main()
