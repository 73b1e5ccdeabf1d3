"""Dry-run reports for the CLI: text rendering and saving (fraiseql-confiture's helper names)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

RULE = "=" * 80


def _size(rows: int | None, size: int | None) -> str:
    parts = []
    if rows is not None:
        parts.append(f"{rows:,} rows")
    if size is not None:
        parts.append(f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB")
    return ", ".join(parts)


def render_text(report: dict[str, Any], verbose: bool = False) -> str:
    """The human form of an engine dry-run report."""
    down = report["direction"] == "down"
    title = "Rollback Analysis Summary" if down else "Migration Analysis Summary"
    if report["mode"] == "execute_and_analyze":
        title += " (executed in a transaction that was rolled back)"
    lines = [
        title,
        RULE,
        f"Migrations to {'roll back' if down else 'apply'}: {len(report['migrations'])}",
        "",
    ]
    for m in report["migrations"]:
        kind = m["kind"] + ("" if m["transactional"] else ", no transaction")
        lines.append(f"  {m['version']}: {m['name']}  [risk: {m['risk']}] ({kind})")
        for note in m["notes"]:
            lines.append(f"    • {note}")
        for s in m["statements"]:
            locks = "; ".join(
                f"{lock['lock']} on {lock['relation']}"
                + (
                    ""
                    if lock["created"]
                    else f" ({_size(lock['rows'], lock['bytes'])})"
                    if _size(lock["rows"], lock["bytes"])
                    else ""
                )
                for lock in s["locks"]
            )
            effects = [
                label
                for flag, label in [
                    (s["blocks_reads"], "blocks reads"),
                    (s["blocks_writes"] and not s["blocks_reads"], "blocks writes"),
                    (s["rewrites"], "rewrites the table"),
                    (s["scans"], "scans the table"),
                    (s["destructive"], "destroys data"),
                ]
                if flag
            ]
            where = f"line {s['line']}: " if s["line"] else ""
            lines.append(
                f"    {where}{s['operation']} — risk {s['risk']}"
                + (f", ~{s['estimated_ms']} ms" if s["estimated_ms"] else "")
            )
            if locks:
                lines.append(f"      locks: {locks}")
            if effects:
                lines.append(f"      {', '.join(effects)}")
            if verbose or s["risk"] in ("high", "critical"):
                lines.extend(f"      → {note}" for note in s["notes"])
            if verbose:
                lines.append(f"      {s['sql']}")
        execution = m.get("execution")
        if execution:
            if execution.get("skipped"):
                lines.append(f"    not executed: {execution['skipped']}")
            else:
                ran = f"{execution['execution_time_ms']} ms, {execution['statements_executed']} statement(s)"
                if execution.get("error"):
                    lines.append(f"    ❌ failed after {ran}: {execution['error']}")
                else:
                    taken = ", ".join(f"{mode} on {rel}" for rel, mode in execution["locks_taken"])
                    lines.append(f"    executed in {ran}; new locks taken: {taken or 'none'}")
        lines.append("")
    summary = report["summary"]
    lines.append(
        f"Statements analysed: {report['statements_analyzed']}"
        f" | estimated time: {summary['total_estimated_time_ms']} ms"
        f" | extra disk: {summary['total_estimated_disk_mb']} MB | highest risk: {summary['highest_risk']}"
    )
    if summary["has_unsafe_statements"]:
        lines.append(
            f"⚠️  {summary['unsafe_count']} unsafe statement(s): review them before running in production"
        )
    else:
        lines.append("✓ All migrations appear safe to execute")
    return "\n".join(lines)


def _write_atomic(filepath: Path, text: str) -> None:
    """Writes a report so that readers see the old file or the whole new one, never a part."""
    import os
    import tempfile

    filepath = Path(filepath)
    filepath.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=filepath.parent, prefix=f".{filepath.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, filepath)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_text_report(report_text: str, filepath: Path) -> None:
    _write_atomic(filepath, report_text + "\n")


def save_json_report(report_data: dict[str, Any], filepath: Path) -> None:
    _write_atomic(filepath, json.dumps(report_data, indent=2) + "\n")


def print_json_report(report_data: dict[str, Any]) -> None:
    click.echo(json.dumps(report_data, indent=2))


def show_report_summary(report: dict[str, Any]) -> None:
    click.echo(render_text(report), err=True)


def ask_dry_run_execute_confirmation() -> bool:
    """Kept for compatibility: the dry run never applies anything, so there is nothing to confirm."""
    return False


def extract_sql_statements_from_migration(migration_class: Any) -> list[str]:
    """The statements of a SQL migration class (from its ``up_sql`` or ``up_file``)."""
    from confiture import _core

    sql = getattr(migration_class, "up_sql", None)
    up_file = getattr(migration_class, "up_file", None)
    if sql is None and up_file is not None:
        sql = Path(up_file).read_text()
    if not sql:
        return []
    return [e["operation"] for e in _core.analyze_sql(sql)]


def display_dry_run_header(mode: str) -> None:
    if mode == "testing":
        click.echo("🧪 Executing migrations in a transaction that is always rolled back...", err=True)
    else:
        click.echo("🔍 Analyzing migrations without executing them...", err=True)
