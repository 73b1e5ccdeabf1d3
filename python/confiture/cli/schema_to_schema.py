"""``confiture migrate schema-to-schema``: zero-downtime migration into a database built from new
DDL, through postgres_fdw — setup, analyze, migrate, catch-up, verify, cutover, cleanup, or the
one-shot form (setup → migrate → verify). The engine does the work; this module parses options and
renders reports (text on stdout, progress on stderr, or one JSON document with --format json)."""

from __future__ import annotations

import sys
from typing import Any

import click

from confiture.cli import output


def _common(f: Any) -> Any:
    options = [
        click.option(
            "--source", required=True, metavar="ENV|URL", help="The old database: environment name or URL."
        ),
        click.option(
            "--target", required=True, metavar="ENV|URL", help="The new database: environment name or URL."
        ),
        click.option(
            "--server-name",
            default="confiture_source_server",
            show_default=True,
            help="postgres_fdw server name.",
        ),
        click.option(
            "--foreign-schema",
            default="old_schema",
            show_default=True,
            help="Target schema holding the source's public tables (others: NAME_<schema>).",
        ),
        click.option(
            "--project-dir",
            type=click.Path(file_okay=False),
            default=".",
            show_default=True,
            help="Project directory (for environment names).",
        ),
        output.text_or_json,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _mapping_option(required: bool) -> Any:
    return click.option(
        "--mapping",
        type=click.Path(dir_okay=False),
        required=required,
        help="Mapping YAML: target tables, their source, columns and filter"
        + ("." if required else " (default: the one `migrate` saved, else same-named tables)."),
    )


def _schemas(text: str | None) -> list[str] | None:
    return [s.strip() for s in text.split(",") if s.strip()] if text else None


def _request(kw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    request = {
        "source": kw["source"],
        "target": kw["target"],
        "server_name": kw["server_name"],
        "foreign_schema": kw["foreign_schema"],
        "project_dir": kw["project_dir"],
    }
    if kw.get("mapping"):
        request["mapping_file"] = kw["mapping"]
    request.update({k: v for k, v in extra.items() if v is not None})
    return request


def _run(command: str, kw: dict[str, Any], **extra: Any) -> dict[str, Any]:
    from confiture.core.schema_to_schema import run_step

    text = kw["output_format"] == "text"
    return run_step(command, _request(kw, **extra), show_progress=text and sys.stderr.isatty())


def _finish(report: dict[str, Any], kw: dict[str, Any], render: Any, ok: bool = True) -> None:
    if kw["output_format"] == "json":
        output.emit_json(report)
    else:
        render(report)
    if not ok:
        sys.exit(1)


def _say_setup(r: dict[str, Any]) -> None:
    s = r["server"]
    output.say(
        f"🔌 Server {s['server']} → {s['source']} as {s['user']}"
        + (" (password set)" if s["password_set"] else "")
    )
    for f in s["foreign_schemas"]:
        output.say(f"   {f['source_schema']} → {f['local_schema']}: {f['tables']} foreign tables")
    if r["capture"]:
        c = r["capture"]
        output.say(f"📝 Change capture on {len(c['tables'])} table(s): {', '.join(c['tables'])}")
        for t in c["skipped"]:
            output.warn(f"{t}: no primary key, changes not captured")
    output.say("✅ Setup complete")


def _say_analyze(r: dict[str, Any]) -> None:
    for w in r["warnings"]:
        output.warn(w)
    output.say(f"{'table':30} {'rows':>12} {'size':>10} {'strategy':>8} {'rows/s':>10} {'estimate':>9}")
    for t in r["tables"]:
        output.say(
            f"{t['table']:30} {t['rows']:>12,} {_size(t['bytes']):>10} {t['strategy']:>8} "
            f"{t['rows_per_second']:>10,.0f} {t['estimated_seconds']:>8.1f}s"
        )
    output.say(
        f"Total: {r['rows']:,} rows, {_size(r['bytes'])}, "
        f"about {r['estimated_seconds']:.1f}s (measured on samples)"
    )


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n:.1f} TB"


def _say_migrate(r: dict[str, Any]) -> None:
    for w in r["warnings"]:
        output.warn(w)
    for t in r["tables"]:
        if t["status"] == "skipped":
            output.say(f"⏭️  {t['table']}: copied by an earlier run ({t['batches']} batches)")
            continue
        resumed = (
            f", resumed after {t['batches_before']}/{t['batches']} batches"
            if t["status"] == "resumed"
            else ""
        )
        output.say(
            f"✅ {t['table']} ← {t['source']}: {t['rows']:,} rows via {t['strategy']} in {t['seconds']:.2f}s "
            f"({t['rows_per_second']:,.0f} rows/s{resumed})"
        )
    output.say(f"📦 {r['rows']:,} rows in {r['seconds']:.2f}s")


def _say_catch_up(r: dict[str, Any]) -> None:
    for t in r["tables"]:
        output.say(
            f"🔁 {t['table']}: {t['keys']:,} changed keys, "
            f"{t['upserted']:,} upserted, {t['deleted']:,} deleted"
        )
    output.say(f"✅ Caught up {r['changes']:,} change(s) in {r['seconds']:.2f}s")


def _say_verify(r: dict[str, Any]) -> None:
    for t in r["tables"]:
        mark = "✅" if t["match"] else "❌"
        what = "checksum matches" if t["checksum_match"] else "checksum differs"
        output.say(
            f"{mark} {t['table']}: {t['source_rows']:,} source rows, {t['target_rows']:,} target rows, {what}"
        )
        for d in t["differing_keys"]:
            output.say(f"     {d['key']}: {d['problem'].replace('_', ' ')}")
    output.say("✅ Verification passed" if r["ok"] else "❌ Verification failed: the tables above differ")


def _say_cutover(r: dict[str, Any]) -> None:
    output.say(f"🔁 Catch-up before the freeze: {r['catch_up']['changes']:,} change(s)")
    output.say(
        f"🧊 Writes frozen for {r['freeze_seconds']:.3f}s (waited {r['lock_wait_seconds']:.3f}s for the lock)"
    )
    output.say(f"🔁 Final catch-up: {r['frozen_catch_up']['changes']:,} change(s)")
    if r["verify"]:
        _say_verify(r["verify"])
    for s in r["sequences"]:
        output.say(f"🔢 {s['sequence']} → next value {s['next_value']}")
    output.say(
        "✅ Cutover complete: point the application at the target"
        if r["ok"]
        else "❌ Cutover verification failed"
    )


def _say_cleanup(r: dict[str, Any]) -> None:
    output.say(
        f"🧹 Dropped server {r['server']}, its user mapping and "
        f"schema(s) {', '.join(r['foreign_schemas']) or '(none)'}"
    )
    if r["capture_removed_from"]:
        output.say(f"   Change capture removed from {', '.join(r['capture_removed_from'])}")


_STRATEGY = click.option(
    "--strategy",
    type=click.Choice(["fdw", "copy", "auto"]),
    default="auto",
    show_default=True,
    help="fdw: INSERT … SELECT through postgres_fdw; copy: streaming COPY; auto: copy for large tables.",
)
_JOBS = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Tables copied at once."
)
_BATCH = click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Rows per committed batch.",
)


@click.group("schema-to-schema", invoke_without_command=True)
@click.option("--source", metavar="ENV|URL", help="One-shot form: the old database.")
@click.option("--target", metavar="ENV|URL", help="One-shot form: the new database.")
@click.option("--mapping", type=click.Path(dir_okay=False), help="One-shot form: the mapping YAML.")
@_STRATEGY
@_JOBS
@_BATCH
@click.option("--schemas", metavar="S,…", help="Source schemas to import (default: public).")
@click.option("--truncate", is_flag=True, help="Empty the target tables first and forget earlier progress.")
@click.option(
    "--server-name", default="confiture_source_server", show_default=True, help="postgres_fdw server name."
)
@click.option(
    "--foreign-schema", default="old_schema", show_default=True, help="Schema for the foreign tables."
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Project directory.",
)
@output.text_or_json
@click.pass_context
def schema_to_schema(ctx: click.Context, **kw: Any) -> None:
    """Zero-downtime migration into a database built from new DDL, through postgres_fdw.

    Steps: setup → analyze → migrate → catch-up → verify → cutover → cleanup. Without a step,
    runs setup → migrate → verify (--source, --target and --mapping required).
    """
    if ctx.invoked_subcommand is not None:
        return
    missing = [f"--{k}" for k in ("source", "target", "mapping") if not kw[k]]
    if missing:
        raise click.UsageError(
            f"the one-shot form needs {', '.join(missing)} (or name a step: setup, migrate, …)"
        )
    text = kw["output_format"] == "text"
    if text:
        output.say(f"🚚 Schema-to-schema: {kw['source']} → {kw['target']} ({kw['strategy']})")
    report = _run(
        "one-shot",
        kw,
        strategy=kw["strategy"],
        jobs=kw["jobs"],
        batch_rows=kw["batch_size"],
        schemas=_schemas(kw["schemas"]),
        truncate=kw["truncate"],
    )

    def render(r: dict[str, Any]) -> None:
        _say_setup(r["setup"])
        _say_migrate(r["migrate"])
        _say_verify(r["verify"])

    _finish(report, kw, render, report["verify"]["ok"])


@schema_to_schema.command("setup")
@_common
@_mapping_option(False)
@click.option(
    "--schemas", metavar="S,…", help="Source schemas to import (default: public; ignored with --mapping)."
)
@click.option(
    "--capture", is_flag=True, help="Install the change log (triggers) on the source tables, for catch-up."
)
@click.option(
    "--fdw-host",
    metavar="HOST",
    help="Host the target's server uses to reach the source (default: --source's).",
)
@click.option(
    "--fdw-port", type=int, metavar="PORT", help="Port the target's server uses to reach the source."
)
def setup(**kw: Any) -> None:
    """Create the postgres_fdw server, user mapping and foreign schemas on the target."""
    report = _run(
        "setup",
        kw,
        schemas=_schemas(kw["schemas"]),
        capture=kw["capture"],
        fdw_host=kw["fdw_host"],
        fdw_port=kw["fdw_port"],
    )
    _finish(report, kw, _say_setup)


@schema_to_schema.command("analyze")
@_common
@_mapping_option(False)
@click.option(
    "--sample-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows per measured sample.",
)
@_STRATEGY
def analyze(**kw: Any) -> None:
    """Rows, size, strategy and a measured time estimate per table."""
    report = _run("analyze", kw, sample_rows=kw["sample_rows"], strategy=kw["strategy"])
    _finish(report, kw, _say_analyze)


@schema_to_schema.command("migrate")
@_common
@_mapping_option(True)
@_STRATEGY
@_JOBS
@_BATCH
@click.option("--truncate", is_flag=True, help="Empty the target tables first and forget earlier progress.")
def migrate_(**kw: Any) -> None:
    """Bulk copy in foreign-key order and key-range batches; run again to resume."""
    report = _run(
        "migrate",
        kw,
        strategy=kw["strategy"],
        jobs=kw["jobs"],
        batch_rows=kw["batch_size"],
        truncate=kw["truncate"],
    )
    _finish(report, kw, _say_migrate)


@schema_to_schema.command("catch-up")
@_common
@_mapping_option(False)
def catch_up(**kw: Any) -> None:
    """Apply the source's inserts, updates and deletes captured since the last catch-up."""
    _finish(_run("catch-up", kw), kw, _say_catch_up)


@schema_to_schema.command("verify")
@_common
@_mapping_option(False)
@click.option("--tables", metavar="T,…", help="Only these target tables.")
def verify(**kw: Any) -> None:
    """Row counts and content checksums on both sides; exit 1 on any difference."""
    report = _run("verify", kw, tables=_schemas(kw["tables"]))
    _finish(report, kw, _say_verify, report["ok"])


@schema_to_schema.command("cutover")
@_common
@_mapping_option(False)
@click.option(
    "--lock-timeout",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Longest wait for the write freeze (ms).",
)
@click.option("--no-verify", is_flag=True, help="Skip the checksum verification inside the freeze.")
def cutover(**kw: Any) -> None:
    """Final catch-up and verification under a short write freeze on the source, then sequences."""
    report = _run("cutover", kw, lock_timeout_ms=kw["lock_timeout"], no_verify=kw["no_verify"])
    _finish(report, kw, _say_cutover, report["ok"])


@schema_to_schema.command("cleanup")
@_common
def cleanup(**kw: Any) -> None:
    """Remove the server, user mapping, foreign schemas, state and capture triggers."""
    _finish(_run("cleanup", kw), kw, _say_cleanup)


def _say_status(r: dict[str, Any]) -> None:
    output.say(f"🔌 Server: {r['server'] or 'not set up'}")
    for t in r["tables"]:
        mark = "✅" if t["batches_done"] == t["batches"] else "⏳"
        output.say(
            f"{mark} {t['table']}: {t['batches_done']}/{t['batches']} batches, "
            f"{t['rows']:,} rows ({t['strategy']})"
        )
    if not r["tables"]:
        output.say("   No bulk copy started.")
    if r["capture"]:
        output.say(f"📝 Changes waiting for catch-up: {r['pending_changes']:,}")
    else:
        output.say("📝 Change capture: not installed (setup --capture)")


@schema_to_schema.command("status")
@_common
def status(**kw: Any) -> None:
    """The server, the bulk copy's progress per table, the changes waiting for catch-up."""
    _finish(_run("status", kw), kw, _say_status)


__all__ = ["schema_to_schema"]
