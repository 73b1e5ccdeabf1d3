"""``confiture migrate``: the migration commands.

This module holds the ``migrate`` click group; each subcommand is its own section below.
"""

from __future__ import annotations

import click

from confiture.cli import output


@click.group()
def migrate() -> None:
    """Migrations: generate them from schema diffs, apply them, inspect them."""


# ---------------------------------------------------------------------------------------------
# migrate diff
# ---------------------------------------------------------------------------------------------


@migrate.command("diff")
@click.argument("old_schema", required=False)
@click.argument("new_schema", required=False)
@click.option("--env", "-e", "env", help="Compare the environment's DDL with its live database (drift).")
@click.option("--generate", is_flag=True, help="Write the plan as a migration (NNN_<name>.up.sql/.down.sql).")
@click.option("--name", help="Migration name (required with --generate).")
@click.option(
    "--migrations-dir",
    default="db/migrations",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where --generate writes.",
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["text", "json", "sql"]),
    default="text",
    show_default=True,
    help="text for people, json (one document), sql (the up plan only, for psql -1 -f -).",
)
@click.option(
    "--online",
    is_flag=True,
    help="Build DDL sides in throw-away databases and compare catalogs (exact; needs PostgreSQL).",
)
@click.option("--allow-destructive", is_flag=True, help="Allow --generate/--format sql to drop data.")
@click.option("--grants", is_flag=True, help="Compare GRANT/REVOKE and default privileges too.")
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Project directory (for env:NAME and --env).",
)
def diff(
    old_schema: str | None,
    new_schema: str | None,
    env: str | None,
    generate: bool,
    name: str | None,
    migrations_dir: str,
    output_format: str,
    online: bool,
    allow_destructive: bool,
    grants: bool,
    project_dir: str,
) -> None:
    """Compare two schemas and print (or --generate) the SQL that turns OLD_SCHEMA into NEW_SCHEMA.

    Each side is a SQL file, a directory of DDL, env:NAME (the environment's schema files) or a
    database URL. With --env and no sides: the environment's DDL against its live database; exits 1
    when they differ.
    """
    from confiture import _core

    if generate and not name:
        raise click.UsageError("--name is required with --generate")
    drift = env is not None
    if drift:
        if old_schema or new_schema:
            raise click.UsageError("give either two schemas or --env, not both")
        report = _core.diff_drift(env, project_dir, online, grants)
    else:
        if not (old_schema and new_schema):
            raise click.UsageError("give two schemas (OLD_SCHEMA NEW_SCHEMA) or --env NAME")
        report = _core.diff_sides(old_schema, new_schema, project_dir, online, grants)

    if output_format == "json":
        output.emit_text(_core.render_diff(report, "json"))
    elif output_format == "sql":
        if report["destructive"] and not allow_destructive:
            output.destructive_refusal(report)
            raise click.exceptions.Exit(1)
        output.emit_text(_core.render_diff(report, "sql"))
    else:
        output.diff_report(report, drift=drift)

    if generate and name:
        if report["identical"]:
            output.say("Nothing to generate.") if output_format == "text" else None
        else:
            written = _core.write_migration(report, migrations_dir, name, allow_destructive)
            output.note(f"✅ Migration generated: {written['up']}", to_stderr=output_format != "text")
            output.note(f"   rollback: {written['down']}", to_stderr=output_format != "text")
    if drift and not report["identical"]:
        raise click.exceptions.Exit(1)


__all__ = ["migrate"]
