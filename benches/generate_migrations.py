"""Writes a migrations benchmark project: N SQL migrations (``NNNNN_name.up.sql`` + ``.down.sql``)
and, with ``--alembic``, an Alembic project running the same SQL, one revision per migration.

Usage: python benches/generate_migrations.py DIR COUNT [--alembic] [--workload W]

Workloads:
- ``mixed`` (default): a schema's life, per table six migrations: create it, add a column, index
  it, add a check constraint, create a view, load 100 rows;
- ``tables``: every migration creates a table with an identity key, an index and a comment (heavy
  catalog work: the server's share dominates);
- ``trivial``: ``SELECT 1`` bodies (for tracking-table sized runs, e.g. 10,000 applied).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def body(n: int, workload: str) -> tuple[str, str]:
    if workload == "trivial":
        return "SELECT 1;\n", "SELECT 1;\n"
    if workload == "tables":
        t = f"t_{n:05d}"
        up = (
            f"CREATE TABLE {t} (\n"
            "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
            "  name text NOT NULL,\n"
            "  created_at timestamptz NOT NULL DEFAULT now()\n"
            ");\n"
            f"CREATE INDEX {t}_name ON {t} (name);\n"
            f"COMMENT ON TABLE {t} IS 'benchmark table {n}';\n"
        )
        return up, f"DROP TABLE {t};\n"
    t = f"e_{(n - 1) // 6:04d}"
    step = (n - 1) % 6
    return [
        (
            f"CREATE TABLE {t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
            "  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n",
            f"DROP TABLE {t};\n",
        ),
        (
            f"ALTER TABLE {t} ADD COLUMN status text NOT NULL DEFAULT 'active';\n",
            f"ALTER TABLE {t} DROP COLUMN status;\n",
        ),
        (f"CREATE INDEX {t}_status ON {t} (status);\n", f"DROP INDEX {t}_status;\n"),
        (
            f"ALTER TABLE {t} ADD CONSTRAINT {t}_name_length CHECK (length(name) <= 200);\n",
            f"ALTER TABLE {t} DROP CONSTRAINT {t}_name_length;\n",
        ),
        (
            f"CREATE VIEW v_{t} AS SELECT id, name FROM {t} WHERE status = 'active';\n",
            f"DROP VIEW v_{t};\n",
        ),
        (
            f"INSERT INTO {t} (name) SELECT 'row ' || g FROM generate_series(1, 100) AS g;\n",
            f"DELETE FROM {t};\n",
        ),
    ][step]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--alembic", action="store_true")
    parser.add_argument("--workload", choices=["mixed", "tables", "trivial"], default="mixed")
    args = parser.parse_args()
    migrations = args.dir / "db" / "migrations"
    migrations.mkdir(parents=True, exist_ok=True)
    (args.dir / "db" / "environments").mkdir(parents=True, exist_ok=True)
    versions = args.dir / "alembic" / "versions"
    if args.alembic:
        versions.mkdir(parents=True, exist_ok=True)
        (args.dir / "alembic" / "env.py").write_text(
            "import os\n"
            "from alembic import context\n"
            "from sqlalchemy import create_engine\n"
            "engine = create_engine(os.environ['ALEMBIC_URL'])\n"
            "with engine.connect() as connection:\n"
            "    context.configure(connection=connection, transaction_per_migration=True)\n"
            "    with context.begin_transaction():\n"
            "        context.run_migrations()\n"
        )
        (args.dir / "alembic.ini").write_text("[alembic]\nscript_location = alembic\n")
    for n in range(1, args.count + 1):
        up, down = body(n, args.workload)
        stem = f"{n:05d}_step_{n}"
        (migrations / f"{stem}.up.sql").write_text(up)
        (migrations / f"{stem}.down.sql").write_text(down)
        if args.alembic:
            previous = repr(f"r{n - 1:05d}") if n > 1 else "None"
            (versions / f"r{n:05d}.py").write_text(
                "from alembic import op\n"
                f"revision = 'r{n:05d}'\n"
                f"down_revision = {previous}\n"
                "branch_labels = None\n"
                "depends_on = None\n"
                f"def upgrade():\n    op.execute({up!r})\n"
                f"def downgrade():\n    op.execute({down!r})\n"
            )


if __name__ == "__main__":
    main()
