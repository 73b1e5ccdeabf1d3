"""A migrations project on a fresh database, for the CLI tests (``test_cli_migrate``,
``test_migrate_reliability``)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from click.testing import CliRunner, Result

from confiture.cli.main import app

USERS_UP = "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n"
USERS_DOWN = "DROP TABLE users;\n"
POSTS_UP = "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);\n"
POSTS_DOWN = "DROP TABLE posts;\n"


class Project:
    """A project directory with an environment pointing at a fresh database; the CLI runs in it."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.migrations = root / "db" / "migrations"
        self.migrations.mkdir(parents=True)
        env = root / "db" / "environments"
        env.mkdir(parents=True)
        (env / "local.yaml").write_text(f"name: local\ndatabase_url: {url}\ninclude_dirs: [db/schema]\n")
        self.runner = CliRunner()

    def write(self, name: str, text: str) -> Path:
        path = self.migrations / name
        path.write_text(text)
        return path

    def sql(self, version: str, name: str, up: str, down: str | None) -> None:
        self.write(f"{version}_{name}.up.sql", up)
        if down is not None:
            self.write(f"{version}_{name}.down.sql", down)

    def standard(self) -> None:
        self.sql("001", "create_users", USERS_UP, USERS_DOWN)
        self.sql("002", "create_posts", POSTS_UP, POSTS_DOWN)

    def run(self, *args: str) -> Result:
        return self.runner.invoke(app, list(args))

    def migrate(self, *args: str) -> Result:
        return self.run("migrate", *args)

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql)

    def exists(self, table: str) -> bool:
        return self.query(f"SELECT to_regclass('{table}') IS NOT NULL")[0][0]

    def applied(self) -> list[str]:
        if not self.exists("tb_confiture"):
            return []
        return [r[0] for r in self.query("SELECT version FROM tb_confiture ORDER BY version")]
