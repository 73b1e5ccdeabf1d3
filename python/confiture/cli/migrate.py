"""``confiture migrate …`` and ``confiture verify``: incremental migrations on Confiture's own
connection (the environment's ``database_url``). Behaviour is the engine's; this module parses
options, prints progress and renders reports."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from confiture.cli import output

MIGRATIONS_DIR = "db/migrations"

ORPHAN_HELP = (
    "Confiture only recognizes migration files with these patterns:\n"
    "  {NNN}_{name}.up.sql   (forward migrations)\n"
    "  {NNN}_{name}.down.sql (rollback migrations)\n"
    "  {NNN}_{name}.py       (Python class migrations)\n"
    "Fix them with: confiture migrate validate --fix-naming"
)


def _fail(message: str) -> None:
    output.error(message)
    sys.exit(1)


class Target:
    """Where migrations run, from ``--config FILE`` or ``--env NAME``."""

    def __init__(self, config: str | None, env: str | None, *, required: bool = True) -> None:
        from confiture import _core

        if config and env:
            _fail("use --config or --env, not both")
        path = config or os.path.join("db", "environments", f"{env or 'local'}.yaml")
        self.path = path
        self.stem = os.path.splitext(os.path.basename(path))[0]
        self.url: str | None = None
        self.table = "tb_confiture"
        self.strict = False
        self.lock_enabled = True
        self.lock_timeout_ms = 30000
        if not os.path.exists(path):
            if required:
                _fail(f"Config file not found: {path} (give --config FILE or --env NAME)")
            return
        loaded = _core.load_environment_file(path)
        for w in loaded["warnings"]:
            output.warn(f"{w['path']}: key `{w['key']}`: {w['message']}")
        environment = loaded["environment"]
        self.url = environment["database_url"]
        self.table = environment["migration_table"]
        self.strict = environment["migration"]["strict_mode"]
        self.lock_enabled = environment["migration"]["locking"]["enabled"]
        self.lock_timeout_ms = environment["migration"]["locking"]["timeout_ms"]
        if self.url is None and required:
            _fail(f"{path}: no database configured; set `database_url` (or a `database:` mapping)")

    def lock(
        self, no_lock: bool = False, timeout_ms: int | None = None, blocking: bool = True
    ) -> dict[str, Any]:
        return {
            "enabled": self.lock_enabled and not no_lock,
            "timeout_ms": self.lock_timeout_ms if timeout_ms is None else timeout_ms,
            "blocking": blocking,
        }


def target_options(f: Any) -> Any:
    f = click.option(
        "--env", "-e", "env", help="Environment (db/environments/<env>.yaml) instead of --config."
    )(f)
    f = click.option(
        "--config", "-c", "config", help="Environment file (default: db/environments/local.yaml)."
    )(f)
    return click.option(
        "--migrations-dir", default=MIGRATIONS_DIR, show_default=True, help="Migrations directory."
    )(f)


class CliHost:
    """Prints the runner's progress (stdout for text, stderr when stdout carries JSON)."""

    def __init__(self, to_stderr: bool = False) -> None:
        self.err = to_stderr

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        say = (lambda m: click.echo(m, err=True)) if self.err else output.say
        if kind == "lock_acquired":
            say("🔒 Acquired migration lock")
        elif kind == "checksums_verified":
            say("🔐 Checksum verification passed")
        elif kind == "applying":
            say(f"⚡ Applying {event['version']}_{event['name']}...")
        elif kind == "applied":
            say(f"  ✅ {event['version']}_{event['name']} ({event['execution_time_ms']} ms)")
        elif kind == "rolling_back":
            say(f"⚡ Rolling back {event['version']}_{event['name']}...")
        elif kind == "rolled_back":
            say(f"  ✅ rolled back {event['version']}_{event['name']} ({event['execution_time_ms']} ms)")
        elif kind == "skipped_after_target":
            say(f"⏭️  Skipping {event['version']} (after target)")
        elif kind == "warning":
            output.warn(event["message"])


def _host(to_stderr: bool = False) -> Any:
    from confiture.core._host import MigrationHost

    return MigrationHost(on_event=CliHost(to_stderr))


def show_failure(e: Exception) -> None:
    """The details of a failed migration, on stderr."""
    echo = lambda m="": click.echo(m, err=True)  # noqa: E731
    echo("❌ Migration failed!")
    echo()
    echo("Failed Migration Details:")
    echo(f"  Version: {getattr(e, 'version', None) or '?'}")
    echo(f"  Name: {getattr(e, 'migration_name', None) or '?'}")
    if getattr(e, "file", None):
        where = (
            e.file
            + (f":{e.line}" if getattr(e, "line", None) else "")
            + (f":{e.column}" if getattr(e, "column", None) else "")
        )  # type: ignore[attr-defined]
        echo(f"  File: {where}")
    if getattr(e, "statement", None):
        echo()
        echo("SQL Statement:")
        for line in e.statement.splitlines():  # type: ignore[attr-defined]
            echo(f"  {line}")
    echo()
    echo("Database Error:")
    message = getattr(e, "error_message", None) or str(e).split("\n")[0]
    if getattr(e, "sqlstate", None):
        message += f" [{e.sqlstate}]"  # type: ignore[attr-defined]
    cause = e.__cause__
    if cause is not None and str(cause) not in message:
        message = f"{message}\n  raised by {type(cause).__name__}: {cause}"
    echo(f"  {message}")
    for label in ("detail", "hint"):
        if getattr(e, label, None):
            echo(f"  {label}: {getattr(e, label)}")
    if getattr(e, "outcome", None):
        echo()
        echo(e.outcome)  # type: ignore[attr-defined]


def _orphan_warning(orphans: list[str], to_stderr: bool = False) -> None:
    if not orphans:
        return
    lines = [
        "WARNING: Orphaned migration files detected",
        "These SQL files exist but won't be applied by Confiture:",
    ]
    for name in orphans:
        lines.append(f"  • {name} → rename to: {name.removesuffix('.sql')}.up.sql")
    lines.append(ORPHAN_HELP)
    lines.append("See https://github.com/evoludigit/confiture/issues/13")
    for line in lines:
        click.echo(f"⚠️  {line}" if line.startswith("WARNING") else line, err=to_stderr)


def _dry_run(
    target: Target,
    migrations_dir: str,
    direction: str,
    execute: bool,
    *,
    steps: int | None,
    to: str | None,
    output_format: str,
    output_file: str | None,
    verbose: bool,
    lock: dict[str, Any],
) -> None:
    from confiture import _core
    from confiture.cli import dry_run

    dry_run.display_dry_run_header("testing" if execute else "analysis")
    report = _core.migrate_dry_run(
        target.url,
        migrations_dir,
        target.table,
        "execute" if execute else "analysis",
        direction,
        steps,
        to,
        f"dry_run{'_rollback' if direction == 'down' else ''}_{target.stem}",
        lock,
        _host(True),
    )
    report["analyses"] = report["migrations"]
    failed = any((m.get("execution") or {}).get("error") for m in report["migrations"])
    if output_format == "json":
        if output_file:
            dry_run.save_json_report(report, output_file)
            output.say(f"📄 Report saved to {output_file}")
        else:
            output.emit_json(report)
    else:
        text = dry_run.render_text(report, verbose)
        output.say(text)
        if output_file:
            dry_run.save_text_report(
                "DRY-RUN MIGRATION ANALYSIS REPORT\n" + dry_run.RULE + "\n\n" + text, output_file
            )
            output.say(f"📄 Report saved to {output_file}")
    sys.exit(1 if failed else 0)


@click.group("migrate")
def migrate() -> None:
    """Incremental migrations: status, up, down, generate, baseline, validate."""


@migrate.command("status")
@target_options
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["table", "text", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", "output_file", help="Save the output to a file.")
def status(
    migrations_dir: str, config: str | None, env: str | None, output_format: str, output_file: str | None
) -> None:
    """Show applied and pending migrations."""
    from confiture import _core
    from confiture.exceptions import ConfiturError

    as_json = output_format == "json"
    if not os.path.isdir(migrations_dir):
        if as_json:
            output.emit_json({"error": f"Migrations directory not found: {os.path.abspath(migrations_dir)}"})
        else:
            output.say("No migrations directory found.")
        return
    target = Target(config, env, required=bool(config or env))
    warning = None
    if target.url:
        try:
            report = _core.migrate_status(target.url, migrations_dir, target.table)
        except ConfiturError as e:
            warning = f"Could not connect to database: {e}"
            report = None
    else:
        report = None
    if report is None:
        scanned = _core.migrate_scan(migrations_dir)
        report = {
            "applied": [],
            "pending": [],
            "current": None,
            "total": len(scanned["migrations"]),
            "migrations": [
                {
                    "version": m["version"],
                    "name": m["name"],
                    "status": "unknown",
                    "file": os.path.basename(m["kind"].get("up") or m["kind"].get("file") or ""),
                    "applied_at": None,
                    "execution_time_ms": None,
                    "checksum": None,
                }
                for m in scanned["migrations"]
            ],
            "orphaned_migrations": [
                os.path.basename(p["file"]) for p in scanned["problems"] if p["kind"] == "orphan"
            ],
            "applied_without_file": [],
            "problems": scanned["problems"],
        }
    if warning:
        report["warning"] = warning
    if as_json:
        if output_file:
            from confiture.cli.dry_run import save_json_report

            save_json_report(report, output_file)
        else:
            output.emit_json(report)
        return
    if warning:
        output.warn(warning)
    rows = report["migrations"]
    if not rows:
        output.say("No migrations found.")
    else:
        widths = [
            max(len("Version"), *(len(r["version"]) for r in rows)),
            max(len("Name"), *(len(r["name"]) for r in rows)),
        ]
        output.say(
            f"{'Version'.ljust(widths[0])}  {'Name'.ljust(widths[1])}  {'Status'.ljust(8)}  Applied at"
        )
        for r in rows:
            mark = {"applied": "✅ applied", "pending": "⏳ pending"}.get(r["status"], "❓ unknown")
            extra = ""
            if r["applied_at"]:
                extra = f"{r['applied_at']}  ({r['execution_time_ms']} ms)"
            if r.get("checksum") == "changed":
                extra += "  ⚠️  file changed since applied"
            line = f"{r['version'].ljust(widths[0])}  {r['name'].ljust(widths[1])}  {mark.ljust(10)}  {extra}"
            output.say(line.rstrip())
    for row in report["applied_without_file"]:
        output.warn(f"{row['version']}_{row['name']} is applied but its file is missing")
    applied, pending = len(report["applied"]), len(report["pending"])
    suffix = f" ({applied} applied, {pending} pending)" if (applied or pending) else ""
    output.say(f"📊 Total: {report['total']} migrations{suffix}")
    _orphan_warning(report["orphaned_migrations"])


@migrate.command("up")
@target_options
@click.option("--target", "-t", "to", help="Apply up to and including this version.")
@click.option("--strict", is_flag=True, help="Fail on warnings (orphaned files, …).")
@click.option("--force", is_flag=True, help="Re-apply migrations even if applied; skip checksum checks.")
@click.option(
    "--lock-timeout", type=int, default=None, help="Wait at most this long for the lock (ms; default 30000)."
)
@click.option(
    "--no-lock", is_flag=True, help="Do not take the migration lock (dangerous with concurrent deploys)."
)
@click.option("--no-wait", is_flag=True, help="Fail at once when another run holds the lock.")
@click.option("--dry-run", is_flag=True, help="Analyse pending migrations without running them.")
@click.option(
    "--dry-run-execute", is_flag=True, help="Run pending migrations in a transaction that is rolled back."
)
@click.option(
    "--verify-checksums/--no-verify-checksums", default=True, help="Verify applied files' checksums first."
)
@click.option(
    "--on-checksum-mismatch",
    type=click.Choice(["fail", "warn", "ignore"]),
    default="fail",
    show_default=True,
    help="What a changed applied file does.",
)
@click.option("--verbose", "-v", is_flag=True, help="Show every statement in dry-run reports.")
@output.text_or_json
@click.option("--output", "-o", "output_file", help="Save the dry-run report to a file.")
def up(
    migrations_dir: str,
    config: str | None,
    env: str | None,
    to: str | None,
    strict: bool,
    force: bool,
    lock_timeout: int | None,
    no_lock: bool,
    no_wait: bool,
    dry_run: bool,
    dry_run_execute: bool,
    verify_checksums: bool,
    on_checksum_mismatch: str,
    verbose: bool,
    output_format: str,
    output_file: str | None,
) -> None:
    """Apply pending migrations."""
    from confiture import _core
    from confiture.core.checksum import ChecksumVerificationError
    from confiture.core.locking import LockAcquisitionError
    from confiture.exceptions import MigrationError

    if dry_run and dry_run_execute:
        _fail("--dry-run and --dry-run-execute cannot be used together")
    if (dry_run or dry_run_execute) and force:
        _fail("--force cannot be used with --dry-run or --dry-run-execute")
    target = Target(config, env)
    lock = target.lock(no_lock, lock_timeout, blocking=not no_wait)
    if dry_run or dry_run_execute:
        _dry_run(
            target,
            migrations_dir,
            "up",
            dry_run_execute,
            steps=None,
            to=to,
            output_format=output_format,
            output_file=output_file,
            verbose=verbose,
            lock=lock,
        )
    as_json = output_format == "json"
    if force:
        output.warn("Force mode enabled - skipping migration state checks. Use with caution.")
    if no_lock:
        output.warn("Migration locking disabled: concurrent runs are not prevented. Use with caution.")
    options = {
        "target": to,
        "force": force,
        "strict": strict or target.strict,
        "verify_checksums": verify_checksums,
        "on_mismatch": on_checksum_mismatch,
    }
    try:
        report = _core.migrate_up(target.url, migrations_dir, target.table, options, lock, _host(as_json))
    except ChecksumVerificationError as e:
        output.error("Checksum verification failed!")
        for m in e.mismatches:
            click.echo(
                f"  {m.version}_{m.name}: {m.file_path}\n    stored: {m.expected}\n    file:   {m.actual}",
                err=True,
            )
        click.echo("Restore the files, or run `confiture verify --fix` if the change is intended.", err=True)
        sys.exit(1)
    except LockAcquisitionError as e:
        output.error(f"Failed to acquire migration lock: {e}")
        click.echo(
            "Tip: another deploy may be migrating; wait, raise --lock-timeout, or check the holder above.",
            err=True,
        )
        sys.exit(1)
    except MigrationError as e:
        if getattr(e, "version", None):
            show_failure(e)
            sys.exit(1)
        raise
    _orphan_warning(report["orphaned_migrations"], to_stderr=as_json)
    if as_json:
        output.emit_json(report)
        return
    applied = report["applied"]
    if not applied and force:
        output.warn("No migration files found.")
    elif not applied:
        output.say("✅ No pending migrations. Database is up to date.")
    else:
        output.say(f"✅ Successfully applied {len(applied)} migration(s)!")
        if force:
            output.say("   Forced: verify the database state (confiture migrate status).")


@migrate.command("down")
@target_options
@click.option("--steps", "-n", type=int, default=None, help="How many migrations to roll back (default 1).")
@click.option("--target", "-t", "to", help="Roll back every migration after this version.")
@click.option("--lock-timeout", type=int, default=None, help="Wait at most this long for the lock (ms).")
@click.option("--no-lock", is_flag=True, help="Do not take the migration lock.")
@click.option("--dry-run", is_flag=True, help="Analyse the rollback without running it.")
@click.option(
    "--dry-run-execute", is_flag=True, help="Run the rollback in a transaction that is rolled back."
)
@click.option("--verbose", "-v", is_flag=True, help="Show every statement in dry-run reports.")
@output.text_or_json
@click.option("--output", "-o", "output_file", help="Save the dry-run report to a file.")
def down(
    migrations_dir: str,
    config: str | None,
    env: str | None,
    steps: int | None,
    to: str | None,
    lock_timeout: int | None,
    no_lock: bool,
    dry_run: bool,
    dry_run_execute: bool,
    verbose: bool,
    output_format: str,
    output_file: str | None,
) -> None:
    """Roll back applied migrations (the last one by default)."""
    from confiture import _core
    from confiture.core.locking import LockAcquisitionError
    from confiture.exceptions import MigrationError

    if steps is not None and steps < 1:
        _fail("--steps must be at least 1 (to roll back everything, use --target with the first version)")
    if steps is not None and to is not None:
        _fail("use --steps or --target, not both")
    target = Target(config, env)
    lock = target.lock(no_lock, lock_timeout)
    if dry_run or dry_run_execute:
        _dry_run(
            target,
            migrations_dir,
            "down",
            dry_run_execute,
            steps=steps,
            to=to,
            output_format=output_format,
            output_file=output_file,
            verbose=verbose,
            lock=lock,
        )
    as_json = output_format == "json"
    try:
        report = _core.migrate_down(target.url, migrations_dir, target.table, steps, to, lock, _host(as_json))
    except LockAcquisitionError as e:
        _fail(f"Failed to acquire migration lock: {e}")
    except MigrationError as e:
        if getattr(e, "version", None):
            show_failure(e)
            sys.exit(1)
        raise
    if as_json:
        output.emit_json(report)
    elif not report["rolled_back"]:
        output.warn("No applied migrations to rollback.")
    else:
        output.say(f"✅ Successfully rolled back {len(report['rolled_back'])} migration(s)!")


@migrate.command("generate")
@click.argument("name")
@click.option("--migrations-dir", default=MIGRATIONS_DIR, show_default=True, help="Migrations directory.")
@click.option(
    "--sql", "sql", is_flag=True, help="Write NNN_name.up.sql and .down.sql instead of a Python file."
)
def generate(name: str, migrations_dir: str, sql: bool) -> None:
    """Create a new migration file with the next version number."""
    from confiture import _core

    files = _core.migrate_generate(migrations_dir, name, sql)
    output.say("✅ Migration generated successfully!")
    for f in files:
        output.say(f"📄 File: {os.path.abspath(f)}")


@migrate.command("baseline")
@click.option("--through", "-t", required=True, help="Mark every migration up to and including this version.")
@target_options
@click.option("--dry-run", is_flag=True, help="Show what would be marked.")
def baseline(through: str, migrations_dir: str, config: str | None, env: str | None, dry_run: bool) -> None:
    """Mark migrations as applied without running them (adopting an existing database)."""
    from confiture import _core

    if not os.path.isdir(migrations_dir):
        _fail(f"Migrations directory not found: {migrations_dir}")
    target = Target(config, env)
    report = _core.migrate_baseline(target.url, migrations_dir, target.table, through, dry_run, target.lock())
    for label in report["skipped"]:
        output.say(f"⏭️  {label} (already applied)")
    for label in report["marked"]:
        output.say(f"📝 {label} (would mark as applied)" if dry_run else f"✅ {label} (marked as applied)")
    verb = "Would mark" if dry_run else "Marked"
    marked, skipped = len(report["marked"]), len(report["skipped"])
    output.say(f"{verb} {marked} migration(s) as applied, skipped {skipped} already applied")


@migrate.command("validate")
@click.option("--migrations-dir", default=MIGRATIONS_DIR, show_default=True, help="Migrations directory.")
@click.option("--fix-naming", is_flag=True, help="Rename orphaned X.sql files to X.up.sql.")
@click.option("--dry-run", is_flag=True, help="With --fix-naming: only show the renames.")
@click.option("--check-drift", is_flag=True, help="Base DDL + new migrations must give the new DDL.")
@click.option("--require-migration", is_flag=True, help="Schema changes since the base need a migration.")
@click.option("--base-ref", help="Branch, tag or commit to compare with  [default: origin/main, else main]")
@click.option("--staged", is_flag=True, help="Compare the index (what gets committed), not the working tree.")
@click.option("--env", "-e", "env", help="Schema directories from this environment (else db/schema).")
@output.text_or_json
@click.option("--output", "-o", "output_file", help="Save the JSON report to a file.")
def validate(
    migrations_dir: str,
    fix_naming: bool,
    dry_run: bool,
    check_drift: bool,
    require_migration: bool,
    base_ref: str | None,
    staged: bool,
    env: str | None,
    output_format: str,
    output_file: str | None,
) -> None:
    """Check migration file names (orphans, duplicate versions, missing down files) and, against a
    git base ref, schema drift and migrations that must accompany schema changes.

    Exit status: 0 clean, 1 violations found, 2 the repository or the ref cannot be used.
    """
    from confiture import _core
    from confiture.exceptions import ConfiturError, MigrationError

    as_json = output_format == "json"
    git_checks = check_drift or require_migration
    if not git_checks and (staged or base_ref):
        output.warn("--staged and --base-ref only matter with --check-drift or --require-migration")
    try:
        scanned = _core.migrate_scan(migrations_dir)
    except MigrationError:
        if as_json:
            output.emit_json({"error": f"Migrations directory not found: {os.path.abspath(migrations_dir)}"})
        else:
            output.error("Migrations directory not found")
        sys.exit(1)
    orphans = [os.path.basename(p["file"]) for p in scanned["problems"] if p["kind"] == "orphan"]
    renaming = fix_naming and bool(orphans) and not dry_run

    def git_report(cheap: bool = False) -> dict[str, Any]:
        return _core.migrate_validate(
            os.getcwd(),
            migrations_dir,
            env=env,
            base_ref=base_ref,
            staged=staged,
            require_migration=require_migration or cheap,
            check_drift=check_drift and not cheap,
            naming=False,
        )

    try:
        # When the repository or the ref is unusable, nothing gets renamed: a cheap run first.
        if git_checks and renaming:
            git_report(cheap=True)
        naming = _core.migrate_validate(os.getcwd(), migrations_dir)
        fixed: list[list[str]] = []
        fix_errors: list[list[str]] = []
        later: list[str] = []
        naming_violations = naming["violations"]
        if fix_naming and orphans:
            renames = _core.migrate_fix_naming(migrations_dir, dry_run)
            fixed = [[os.path.basename(a), os.path.basename(b)] for a, b in renames["renamed"]]
            fix_errors = [[os.path.basename(a), msg] for a, msg in renames["errors"]]
            if not dry_run:
                # What the renames solved is gone; what they bring to light is for the next run
                # (0.3.9 exits 0 once the orphans are fixed).
                after = _core.migrate_validate(os.getcwd(), migrations_dir)["violations"]
                now = {(v["kind"], v["file"]) for v in after}
                naming_violations = [v for v in naming_violations if (v["kind"], v["file"]) in now]
                before = {(v["kind"], v["file"]) for v in naming["violations"]}
                later = [v["message"] for v in after if (v["kind"], v["file"]) not in before]
        # The git checks see the files as renamed.
        git = git_report()
    except ConfiturError as e:
        if as_json:
            output.emit_json({"status": "error", "error": str(e), "kind": getattr(e, "kind", None)})
        else:
            output.error(str(e))
        sys.exit(2)
    problems = scanned["problems"]
    violations = naming_violations + git["violations"]
    status = "issues_found" if violations else "ok"
    if fix_naming and orphans and not [v for v in violations if v["kind"] != "orphan"]:
        status = "preview" if dry_run else "fixed"
    document: dict[str, Any] = {
        "status": status,
        "base_ref": git["base_ref"],
        "base_commit": git["base_commit"],
        "compared": git["compared"],
        "checks": naming["checks"] + git["checks"],
        "violations": violations,
        "changed_schema_files": git["changed_schema_files"],
        "changed_migrations": git["changed_migrations"],
        "notes": git["notes"] + [f"after the renames: {m}" for m in later],
        # The keys of 0.3.9's document.
        "orphaned_files": [os.path.basename(p["file"]) for p in problems if p["kind"] == "orphan"],
        "problems": problems,
        "fixed": fixed,
        "errors": fix_errors,
    }
    if status == "ok":
        document["message"] = "No orphaned migration files found"
    failed = bool(violations)
    if output_file:
        from confiture.cli.dry_run import save_json_report

        save_json_report(document, output_file)
    if as_json:
        if not output_file:
            output.emit_json(document)
        sys.exit(1 if failed else 0)
    _validate_text(document, orphans, fix_naming, dry_run)
    sys.exit(1 if failed else 0)


_VIOLATION_TITLES = {
    "missing_migration": "Schema changed without a migration",
    "ddl_without_migration": "Drift: DDL changed but no migration does this",
    "migration_without_ddl": "Drift: a migration does this but the DDL doesn't say so",
    "ddl_migration_mismatch": "Drift: DDL and migrations disagree",
    "invalid_sql": "Drift could not be checked",
}


def _validate_text(document: dict[str, Any], orphans: list[str], fix_naming: bool, dry_run: bool) -> None:
    for note in document["notes"]:
        output.note(f"ℹ️  {note}", to_stderr=True)
    if document["base_ref"]:
        commit = (document["base_commit"] or "")[:10]
        output.say(f"🔍 Compared the {document['compared']} with {document['base_ref']} ({commit})")
    violations = document["violations"]
    if fix_naming and orphans:
        verb = "Would rename" if dry_run else "Renamed"
        for old, new in document["fixed"]:
            output.say(f"  {verb}: {old} → {new}")
        for file, msg in document["errors"]:
            output.error(f"{file}: {msg}")
    elif document["orphaned_files"]:
        _orphan_warning(document["orphaned_files"])
    for p in document["problems"]:
        if p["kind"] == "orphan":
            continue
        files = p.get("files") or [p.get("up") or p.get("down") or p.get("file")]
        label = {
            "duplicate_version": f"duplicate version {p.get('version')}",
            "missing_down": "missing .down.sql",
            "down_without_up": ".down.sql without .up.sql",
            "bad_name": "bad file name",
        }.get(p["kind"], p["kind"])
        output.error(f"{label}: {', '.join(os.path.basename(str(f)) for f in files)}")
    git = [v for v in violations if v["check"] != "naming"]
    for kind, title in _VIOLATION_TITLES.items():
        group = [v for v in git if v["kind"] == kind]
        if not group:
            continue
        output.say(f"❌ {title} ({len(group)}):")
        for v in group:
            where = v["file"] or ""
            if where and v["line"]:
                where = f"{where}:{v['line']}"
            detail = v["message"]
            if v["file"] and detail.startswith(v["file"] + " "):
                detail = detail[len(v["file"]) + 1 :]
            elif kind != "invalid_sql":
                detail = detail.split(": ", 1)[-1]  # the title already says which drift
            output.say(f"  • {where}: {detail}" if where else f"  • {detail}")
    if not violations:
        if document["checks"] == ["naming"]:
            output.say("✅ No orphaned migration files found")
        else:
            output.say(f"✅ No problems found ({', '.join(c.replace('_', ' ') for c in document['checks'])})")


@click.command("verify")
@target_options
@click.option("--fix", is_flag=True, help="Store the current files' checksums (after an intended edit).")
def verify(migrations_dir: str, config: str | None, env: str | None, fix: bool) -> None:
    """Verify that applied migration files have not changed since they were applied."""
    from confiture import _core

    target = Target(config, env)
    report = _core.migrate_verify(target.url, migrations_dir, target.table, fix)
    for label in report["missing_files"]:
        output.warn(f"{label} is applied but its file is missing")
    if report["mismatches"] and not fix:
        output.error(f"Found {len(report['mismatches'])} checksum mismatch(es):")
        for m in report["mismatches"]:
            click.echo(
                f"  {m['version']}_{m['name']}\n    File: {m['file_path']}\n"
                f"    Expected: {m['expected'][:16]}...\n    Actual: {m['actual'][:16]}...",
                err=True,
            )
        click.echo("Run `confiture verify --fix` if the change is intended.", err=True)
        sys.exit(1)
    if fix:
        output.say(f"✅ Updated {report['fixed']} checksum(s)")
        return
    if report["not_recorded"]:
        count = len(report["not_recorded"])
        output.warn(f"{count} applied migration(s) have no stored checksum; `--fix` records them")
    output.say("✅ All migration checksums verified!")


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
