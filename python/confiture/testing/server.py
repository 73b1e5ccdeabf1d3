"""Run a command against a throw-away PostgreSQL.

    python -m confiture.testing.server [--database NAME [--create]] -- COMMAND [ARG ...]

Starts a private server, exports ``CONFITURE_TEST_DATABASE_URL`` (the server) and ``DATABASE_URL``
(database NAME on it, default ``postgres``; ``--create`` creates it empty first), runs COMMAND,
then stops and removes the server, whatever happens. Exits with COMMAND's status.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from confiture import _core


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m confiture.testing.server", description=__doc__.split("\n")[1]
    )
    parser.add_argument("--database", default="postgres", help="database name for DATABASE_URL")
    parser.add_argument("--create", action="store_true", help="create the database (empty) first")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command to run after --")

    server = _core.PostgresServer.start(throwaway=True)
    try:
        env = dict(os.environ)
        env["CONFITURE_TEST_DATABASE_URL"] = server.url
        env["DATABASE_URL"] = server.url_for(args.database)
        if args.create and args.database != "postgres":
            _core.create_database(server.url, args.database)
        sys.stderr.write(f"🐘 PostgreSQL running at {server.url} (removed when the command ends)\n")
        try:
            return subprocess.call(command, env=env)
        except FileNotFoundError:
            sys.stderr.write(f"❌ Error: command not found: {command[0]}\n")
            return 127
        except KeyboardInterrupt:
            return 130
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
