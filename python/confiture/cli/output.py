"""Rendering for the CLI: human text on stdout, warnings and errors on stderr, and machine output
as one JSON document on stdout with nothing else on it."""

from __future__ import annotations

import sys
from typing import Any

import click

# `--format/-f text|json`, as most commands take it (a new option each time it decorates).
text_or_json = click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def say(message: str = "") -> None:
    click.echo(message)


def warn(message: str) -> None:
    click.echo(f"⚠️  {message}", err=True)


def error(message: str) -> None:
    click.echo(f"❌ Error: {message}", err=True)


def emit_json(document: Any) -> None:
    import json

    sys.stdout.write(json.dumps(document, indent=2, default=str))
    sys.stdout.write("\n")


def database_report(report: dict[str, Any]) -> None:
    """Says what ``build --apply`` did and what the database now holds (an engine apply report)."""
    how = {"created": "created", "recreated": "dropped and recreated", "applied": "built"}.get(
        report["action"], report["action"]
    )
    say(f"🗄️  Database {report['database']} {how} on {report['server']} in {report['seconds']:.2f}s")
    if report["from_template"]:
        say(f"   cloned from template {report['from_template']} (same schema hash; no DDL ran)")
    else:
        say(f"   {report['statements']} statements from {report['files']} files, in one transaction")
    if report["template_created"]:
        say(f"   cached as template {report['template_created']} for the next --recreate")
    for name in report["templates_pruned"]:
        say(f"   removed stale template {name}")
    objects = report["objects"]
    if objects:
        say("   Objects:")
        width = max(len(o["kind"]) for o in objects)
        for o in objects:
            shown = ", ".join(o["names"])
            more = f", … (+{o['count'] - len(o['names'])})" if o["count"] > len(o["names"]) else ""
            say(f"     {o['kind'].ljust(width)}  {o['count']:>5}  {shown}{more}")
    else:
        say("   The database holds no objects (the schema files created none).")
    for w in report["warnings"]:
        warn(w)


def sync_report(report: dict[str, Any]) -> None:
    """Says what ``sync`` did (or, with ``--schema-only-check``, would do): an engine sync report."""
    for w in report["warnings"]:
        warn(w)
    if report["check_only"]:
        say("Load order:")
        for i, group in enumerate(report["order"], 1):
            say(f"  {i}. {', '.join(group)}")
    for t in report["tables"]:
        columns = ", ".join(
            f"{c['column']} → {c['strategy']}"
            + (f" [unique, {c['collisions']} collisions resolved]" if c["unique"] else "")
            for c in t["anonymized"]
        )
        if t["status"] == "skipped":
            say(f"⏭️  {t['table']}: done in an earlier run ({t['rows']:,} rows, per the checkpoint)")
            continue
        if t["status"] == "planned":
            say(f"📋 {t['table']}: {t['columns']} columns" + (f"; anonymize {columns}" if columns else ""))
            continue
        say(
            f"✅ {t['table']}: {t['rows']:,} rows in {t['seconds']:.2f}s ({t['rows_per_second']:,.0f} rows/s)"
        )
        if columns:
            say(f"   anonymized: {columns}")
        v = t["verification"]
        if v:
            say(f"   verified: {v['sampled']} sampled rows, no original value left ({v['method']})")
            for c in v["unchecked"]:
                say(f"   not verified: {c}")
    if report["check_only"]:
        planned = sum(1 for t in report["tables"] if t["status"] == "planned")
        say(f"✅ Check passed: {planned} table(s) would be copied; nothing was written.")
        return
    if report["sequences"]:
        say(f"🔢 Sequences set: {len(report['sequences'])}")
    synced = sum(1 for t in report["tables"] if t["status"] == "synced")
    say(
        f"✅ Synced {synced} table(s), {report['rows']:,} rows in {report['seconds']:.2f}s"
        f" ({report['rows_per_second']:,.0f} rows/s)"
    )


# --- migrate diff -----------------------------------------------------------------------------


def emit_text(text: str) -> None:
    """Engine-rendered output (JSON, SQL) as is."""
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")


def note(message: str, *, to_stderr: bool = False) -> None:
    click.echo(message, err=to_stderr)


def _hazard_lines(step: dict[str, Any]) -> list[str]:
    lines = []
    for h in step["hazards"]:
        lines.append(f"      ⚠️  {h['kind']}: {h['message']}")
        if h.get("safer"):
            lines.append(f"         safer: {h['safer']}")
    return lines


def destructive_refusal(report: dict[str, Any]) -> None:
    steps = [s for s in report["up"] if any(h["kind"] == "deletes_data" for h in s["hazards"])]
    listing = "\n".join(f"   {s['sql']}" for s in steps)
    error(
        f"the plan has {len(steps)} destructive step(s):\n{listing}\n"
        "review them, then pass --allow-destructive (or annotate renames with `-- confiture: renamed-from`)"
    )


def diff_report(report: dict[str, Any], *, drift: bool = False) -> None:
    """A diff for people: the changes, then the up plan with hazards."""
    old, new = report["old"], report["new"]
    if report["identical"]:
        if drift:
            say(f"✅ No drift: {old['source']} matches {new['source']}.")
        else:
            say("✅ No changes detected. Schemas are identical.")
        return
    if drift:
        say(f"⚠️  Drift: {old['source']} differs from {new['source']}")
    say("📊 Schema differences detected:")
    width = max(len(c["type"]) for c in report["changes"]) if report["changes"] else 0
    for c in report["changes"]:
        say(f"   {c['type'].ljust(width)}  {c['description']}")
    say(f"📈 Total changes: {len(report['changes'])}")
    say("")
    say(f"Up plan ({len(report['up'])} statements, {report['mode']}):")
    for s in report["up"]:
        for line in s["sql"].splitlines():
            say(f"   {line}")
        for line in _hazard_lines(s):
            say(line)
    if report["destructive"]:
        say("")
        warn(
            "the up plan deletes data (see deletes_data above); "
            "--generate and --format sql need --allow-destructive"
        )
    for n in report["notes"]:
        click.echo(f"   note: {n}", err=True)
