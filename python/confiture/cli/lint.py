"""``confiture lint``: the engine's schema and migration rules over an environment (its schema
files and its pending migrations) or over the migration files given; reports as a table, JSON,
CSV or SARIF. The engine lints and renders; this module parses options and writes the result."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from confiture.cli import output


def _ids(values: tuple[str, ...]) -> list[str]:
    """``--select a,b --select c`` → ``["a", "b", "c"]``."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


@click.command()
@click.option(
    "--env", "-e", default="local", show_default=True, help="Environment (db/environments/<env>.yaml)."
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Project directory.",
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["table", "json", "csv", "sarif"]),
    default="table",
    show_default=True,
    help="Report format (sarif: SARIF 2.1.0 for GitHub code scanning).",
)
@click.option(
    "--output", "-o", "output_path", type=click.Path(dir_okay=False), help="Write the report to this file."
)
@click.option(
    "--fail-on-error/--no-fail-on-error",
    default=None,
    help="Exit 1 when there are errors (default: on, or lint.fail_on_error).",
)
@click.option(
    "--fail-on-warning/--no-fail-on-warning",
    default=None,
    help="Exit 1 when there are warnings too (default: off, or lint.fail_on_warning).",
)
@click.option(
    "--select", multiple=True, help="Only these rules: ids or families, comma-separated (pk_001,mig)."
)
@click.option("--ignore", multiple=True, help="Skip these rules: ids or families, comma-separated.")
@click.option("--list-rules", is_flag=True, help="Print the rule catalogue and exit.")
@click.option(
    "--migrations-dir",
    type=click.Path(file_okay=False),
    help="Lint the pending migrations of this directory (default: db/migrations when it exists).",
)
@click.option(
    "--migrations",
    "migration_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Lint only these migration files (repeat, or list them after the options).",
)
@click.option("--offline", is_flag=True, help="Do not read the environment's database.")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def lint(
    env: str,
    project_dir: str,
    output_format: str,
    output_path: str | None,
    fail_on_error: bool | None,
    fail_on_warning: bool | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    list_rules: bool,
    migrations_dir: str | None,
    migration_files: tuple[str, ...],
    offline: bool,
    files: tuple[str, ...],
) -> None:
    """Lint the schema and its pending migrations (or the migration FILES given).

    Schema rules check the environment's DDL; migration rules check each statement of the
    migrations for the locks it takes, rewrites, validation scans and failures, knowing which
    tables exist and how big they are when the database is reachable. Exit 1 when errors are
    found (and warnings, with --fail-on-warning).
    """
    from confiture import _core
    from confiture.exceptions import ConfigurationError

    if list_rules:
        if output_format == "sarif":
            raise click.UsageError("--list-rules prints table, json or csv")
        text = _core.lint_rules(output_format)
        if output_path:
            # Atomically: a temporary file beside the target, then a rename.
            directory = os.path.dirname(os.path.abspath(output_path))
            os.makedirs(directory, exist_ok=True)
            tmp = os.path.join(directory, f".{os.path.basename(output_path)}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, output_path)
        else:
            output.emit_text(text)
        return

    only_files = [*migration_files, *files]
    environment: dict[str, Any] | None = None
    try:
        loaded = _core.load_environment(env, project_dir)
        for w in loaded["warnings"]:
            output.warn(f"{w['path']}: key `{w['key']}`: {w['message']}")
        environment = loaded["environment"]
    except ConfigurationError:
        # Migration files can be linted without an environment (default settings, no database).
        if not only_files:
            raise
    options = {
        "select": _ids(select),
        "ignore": _ids(ignore),
        "fail_on_error": fail_on_error,
        "fail_on_warning": fail_on_warning,
    }
    kwargs: dict[str, Any] = {"database": not offline}
    if only_files:
        kwargs.update(schema=False, migration_files=only_files)
        what = f"{len(only_files)} migration file(s)"
    else:
        directory = migrations_dir or os.path.join(project_dir, "db", "migrations")
        if migrations_dir or os.path.isdir(directory):
            kwargs["migrations_dir"] = directory
        what = f"environment {env}"
    click.echo(f"🔍 Linting {what}", err=True)
    result = _core.lint_command(project_dir, output_format, environment, options, output_path, **kwargs)
    for note in result["notes"]:
        click.echo(f"ℹ️  {note}", err=True)
    if output_path:
        found = result["findings"]
        click.echo(
            f"📄 Report written to {output_path} ({found} finding{'s' if found != 1 else ''})", err=True
        )
    elif result["text"] is not None:
        output.emit_text(result["text"])
    if result["failed"]:
        sys.exit(1)


__all__ = ["lint"]
