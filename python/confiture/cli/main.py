"""The ``confiture`` command line: click commands calling the Python API and rendering its results.

Errors from Confiture print one line on stderr and exit 1 (``--debug`` shows the traceback); heavy
modules are imported inside the commands so ``confiture --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import click

from confiture.cli import output
from confiture.cli import sync as sync_commands


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from confiture._core import __version__

    click.echo(f"confiture version {__version__}")
    ctx.exit()


def _show_warning(message: Warning | str, *_args: Any, **_kwargs: Any) -> None:
    output.warn(str(message))


class ConfitureGroup(click.Group):
    """Turns Confiture errors into one clear line and an exit code instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from confiture.exceptions import ConfiturError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ConfiturError as e:
            if ctx.meta.get("confiture.debug"):
                raise
            output.error(str(e))
            ctx.exit(1)
        except KeyboardInterrupt:
            output.error("interrupted")
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, without a flush error at exit.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except Exception as e:
            if ctx.meta.get("confiture.debug"):
                raise
            output.error(f"internal error: {type(e).__name__}: {e} (run with --debug for the traceback)")
            ctx.exit(1)


@click.group(cls=ConfitureGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.pass_context
def app(ctx: click.Context, debug: bool) -> None:
    """Confiture: PostgreSQL schema evolution (build from DDL, migrate, sync, coordinate)."""
    ctx.meta["confiture.debug"] = debug
    warnings.showwarning = _show_warning


@app.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing files without asking.")
@click.option("--skip-existing", is_flag=True, help="Keep existing files; write only the missing ones.")
def init(path: str, force: bool, skip_existing: bool) -> None:
    """Create a project layout (db/schema, db/seeds, db/migrations, db/environments) in PATH."""
    from confiture import _core

    plan = _core.init_plan(path)
    existing = [f["rel"] for f in plan if f["exists"]]
    overwrite = force
    if existing and not force and not skip_existing:
        listing = "\n".join(f"   {rel}" for rel in existing)
        if not sys.stdin.isatty():
            output.error(
                f"{len(existing)} file(s) already exist in {path}:\n{listing}\n"
                "rerun with --force to overwrite them, or --skip-existing to keep them"
            )
            sys.exit(1)
        output.warn(f"Project already exists. These files would be overwritten:\n{listing}")
        if not click.confirm("Overwrite them?", default=False):
            output.say("Nothing was written.")
            sys.exit(1)
        overwrite = True
    report = _core.init_write(path, overwrite)
    root = os.path.realpath(path)
    output.say("✅ Confiture project initialized successfully!")
    output.say(f"📁 Location: {root}")
    written = len(report["written"]) + len(report["overwritten"])
    kept = len(plan) - written
    output.say(f"📄 Files written: {written}" + (f" (kept {kept} existing)" if kept else ""))
    output.say("")
    output.say("Next steps:")
    if root != os.path.realpath(os.getcwd()):
        output.say(f"  cd {path}")
    output.say("  edit db/schema/10_tables/users.sql (or add files under db/schema/)")
    output.say("  confiture build --env local               # write db/generated/schema_local.sql")
    output.say("  confiture build --env local --apply       # build the database from it")


@app.command()
@click.option(
    "--env", "-e", default="local", show_default=True, help="Environment (db/environments/<env>.yaml)."
)
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(dir_okay=False),
    help="Output file (default: db/generated/schema_<env>.sql).",
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Project directory.",
)
@click.option("--show-hash", is_flag=True, help="Print the schema hash.")
@click.option("--schema-only", is_flag=True, help="Leave seed directories out.")
@click.option(
    "--apply", "apply_", is_flag=True, help="Also build the environment's database from the schema."
)
@click.option("--database-url", help="Build this database instead of the environment's (implies --apply).")
@click.option(
    "--recreate", is_flag=True, help="Drop and rebuild the database when it exists and is not empty."
)
@click.option(
    "--no-cache", is_flag=True, help="Run the DDL even when a template with the same schema hash exists."
)
@output.text_or_json
def build(
    env: str,
    output_path: str | None,
    project_dir: str,
    show_hash: bool,
    schema_only: bool,
    apply_: bool,
    database_url: str | None,
    recreate: bool,
    no_cache: bool,
    output_format: str,
) -> None:
    """Concatenate the schema files into one file and, with --apply, build a database from them."""
    # The engine directly: this is the hot path (see docs/performance.md), so no dataclasses here.
    from confiture import _core

    text = output_format == "text"
    if text:
        output.say(f"🔨 Building schema for environment: {env}")
    loaded = _core.load_environment(env, project_dir)
    for w in loaded["warnings"]:
        output.warn(f"{w['path']}: key `{w['key']}`: {w['message']}")
    environment = loaded["environment"]
    target = output_path or os.path.join(project_dir, "db", "generated", f"schema_{env}.sql")
    report = _core.build_schema(environment, schema_only, target, False)
    if text:
        count = len(report["files"])
        output.say(f"📄 Found {count} SQL files")
        output.say("✅ Schema built successfully!")
        output.say(f"📁 Output: {os.path.abspath(target)}")
        output.say(f"📏 Size: {report['size_bytes']:,} bytes")
        output.say(f"📊 Files: {count}")
        if show_hash:
            output.say(f"🔐 Hash: {report['hash']}")

    db_report = None
    if apply_ or database_url:
        db_report = _core.apply_schema(environment, database_url, schema_only, recreate, not no_cache)
        if text:
            output.database_report(db_report)

    if not text:
        output.emit_json(
            {
                "environment": env,
                "output": os.path.abspath(target),
                "files": report["files"],
                "size_bytes": report["size_bytes"],
                "hash": report["hash"],
                "schema_only": schema_only,
                "database": db_report,
            }
        )


def _register() -> None:
    from confiture.cli.coordinate import coordinate
    from confiture.cli.lint import lint
    from confiture.cli.migrate import migrate, verify

    app.add_command(lint)
    app.add_command(migrate)
    app.add_command(verify)
    app.add_command(coordinate)
    from confiture.cli.schema_to_schema import schema_to_schema

    migrate.add_command(schema_to_schema)


_register()
sync_commands.register(app)

__all__ = ["app"]
