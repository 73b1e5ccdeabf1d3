"""``confiture coordinate …``: intents of parallel schema work and their conflicts. The engine
reads the DDL, detects conflicts and keeps the registry; this module parses options and renders.

Exit codes: 0 done; 1 error; for ``check`` and ``register``, 3 when only warnings were found and
4 when an error conflict was found (the JSON document carries the details either way).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from confiture.cli import output

EXIT_WARNINGS = 3
EXIT_ERRORS = 4
NO_URL = "No database URL provided. Use --db-url or set DATABASE_URL environment variable"


def _fail(message: str, as_json: bool = False, document: dict[str, Any] | None = None) -> None:
    if as_json and document is not None:
        output.emit_json(document)
    click.echo(f"❌ Error: {message}", err=True)
    sys.exit(1)


def connection_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options every subcommand shares: where the registry is, and the output format."""
    f = output.text_or_json(f)
    f = click.option(
        "--project-dir",
        default=".",
        show_default=True,
        type=click.Path(file_okay=False),
        help="Project directory (environment files, DDL).",
    )(f)
    f = click.option(
        "--env",
        "-e",
        "env",
        default="local",
        show_default=True,
        help="Environment whose coordination.database_url (and DDL) to use.",
    )(f)
    f = click.option(
        "--database-url",
        "--db-url",
        "database_url",
        help="Registry URL (else DATABASE_URL, CONFITURE_DB_URL, then coordination.database_url of --env).",
    )(f)
    return f


def _url(database_url: str | None, env: str, project_dir: str) -> str:
    from confiture import _core

    url = _core.coordinate_database_url(database_url, env, project_dir)
    if not url:
        _fail(NO_URL)
    assert url is not None
    return url


def _request_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """What an intent says: who, what, and how risky."""
    for option in reversed(
        [
            click.option("--agent-id", required=True, help="Who is doing the work (e.g. claude-payments)."),
            click.option("--feature-name", default="", help="Feature name (default: agent and first table)."),
            click.option("--tables-affected", default=None, help="Comma-separated tables ([schema.]name)."),
            click.option(
                "--schema-changes",
                default=None,
                help="DDL statements (separated by ;) or the path of a .sql file.",
            ),
            click.option(
                "--from-migration",
                type=click.Path(dir_okay=False),
                default=None,
                help="A migration's .up.sql file: its DDL (and name, when --feature-name is not given).",
            ),
            click.option(
                "--estimated-hours", type=float, default=0.0, show_default=True, help="Expected duration."
            ),
        ]
    ):
        f = option(f)
    return f


def _read_file(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        _fail(f"{what} file not found: {path}")
    except OSError as e:
        _fail(f"cannot read {what} file {path}: {e.strerror}")
    return ""


def _migration_name(path: str) -> str:
    stem = os.path.basename(path)
    for suffix in (".up.sql", ".sql"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    version, _, name = stem.partition("_")
    return name if version.isdigit() and name else stem


def _build_request(
    agent_id: str,
    feature_name: str,
    tables_affected: str | None,
    schema_changes: str | None,
    from_migration: str | None,
    estimated_hours: float,
    risk_level: str = "low",
    metadata: str | None = None,
) -> dict[str, Any]:
    changes: list[str] = []
    if schema_changes:
        if schema_changes.strip().endswith(".sql"):
            changes.append(_read_file(schema_changes.strip(), "Schema changes"))
        else:
            changes.append(schema_changes)
    if from_migration:
        changes.append(_read_file(from_migration, "Migration"))
        if not feature_name:
            feature_name = _migration_name(from_migration)
    if estimated_hours < 0:
        raise click.BadParameter("must not be negative", param_hint="--estimated-hours")
    meta: dict[str, Any] | None = None
    if metadata:
        try:
            meta = json.loads(metadata)
        except json.JSONDecodeError as e:
            output.warn(f"--metadata is not valid JSON ({e.msg}); ignored")
        if meta is not None and not isinstance(meta, dict):
            output.warn("--metadata must be a JSON object; ignored")
            meta = None
    tables = [t.strip() for t in tables_affected.split(",") if t.strip()] if tables_affected else None
    return {
        "agent_id": agent_id,
        "feature_name": feature_name,
        "schema_changes": changes,
        "tables_affected": tables,
        "estimated_duration_ms": round(estimated_hours * 3600 * 1000),
        "risk_level": risk_level,
        "metadata": meta,
    }


def _project(env: str, project_dir: str) -> Any:
    from confiture import _core

    return _core.coordinate_project(env, project_dir)


def _exit_for(conflicts: list[dict[str, Any]]) -> int:
    severities = {c["severity"] for c in conflicts}
    if "error" in severities:
        return EXIT_ERRORS
    return EXIT_WARNINGS if severities else 0


def _strip_with(conflict: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in conflict.items() if k != "with"}


def _print_conflicts(conflicts: list[dict[str, Any]]) -> None:
    for c in conflicts:
        other = c.get("with")
        who = f" with {other['agent_id']} ({other['feature_name']}, {other['intent_id']})" if other else ""
        ident = f"#{c['id']} " if c.get("id") else ""
        output.say(f"  {ident}[{c['severity']}] {c['conflict_type']}{who}")
        output.say(f"     objects: {', '.join(c['affected_objects'])}")
        for s in c["resolution_suggestions"]:
            output.say(f"     - {s}")


def _print_intent(intent: dict[str, Any]) -> None:
    rows = [
        ("ID", intent["id"]),
        ("Agent", intent["agent_id"]),
        ("Feature", intent["feature_name"]),
        ("Branch", intent["branch_name"]),
        ("Status", intent["status"]),
        ("Risk", intent["risk_level"]),
        ("Tables", ", ".join(intent["tables_affected"]) or "-"),
        ("Created", intent["created_at"]),
    ]
    if intent.get("estimated_duration_ms"):
        rows.append(("Estimate", f"{intent['estimated_duration_ms'] / 3_600_000:.2f} h"))
    for label, value in rows:
        output.say(f"  {label + ':':<9} {value}")
    changed = [o for o in intent.get("objects", []) if o["role"] != "depends_on"]
    needs = [o for o in intent.get("objects", []) if o["role"] == "depends_on"]
    if changed:
        output.say("  Changes:  " + ", ".join(f"{o['role']} {o['kind']} {o['object']}" for o in changed))
    if needs:
        output.say("  Needs:    " + ", ".join(f"{o['kind']} {o['object']}" for o in needs))


@click.group()
def coordinate() -> None:
    """Coordinate parallel schema work: declare intents, detect conflicts (JSON for CI and agents)."""


@coordinate.command("init")
@connection_options
def init(database_url: str | None, env: str, project_dir: str, output_format: str) -> None:
    """Create the coordination tables (idempotent)."""
    from confiture import _core

    created = _core.coordinate_init(_url(database_url, env, project_dir))
    if output_format == "json":
        output.emit_json({"initialized": True, "created": created})
    else:
        output.say("✓ Coordination tables created" if created else "✓ Coordination tables already exist")


@coordinate.command("register")
@_request_options
@click.option("--risk-level", type=click.Choice(["low", "medium", "high"]), default="low", show_default=True)
@click.option("--metadata", default=None, help="A JSON object stored with the intent.")
@connection_options
def register(
    agent_id: str,
    feature_name: str,
    tables_affected: str | None,
    schema_changes: str | None,
    from_migration: str | None,
    estimated_hours: float,
    risk_level: str,
    metadata: str | None,
    database_url: str | None,
    env: str,
    project_dir: str,
    output_format: str,
) -> None:
    """Declare an intent; print it and its conflicts (exit 3: warnings, 4: errors)."""
    from confiture import _core

    request = _build_request(
        agent_id,
        feature_name,
        tables_affected,
        schema_changes,
        from_migration,
        estimated_hours,
        risk_level,
        metadata,
    )
    url = _url(database_url, env, project_dir)
    outcome = _core.coordinate_register(url, request, _project(env, project_dir), True)
    intent, conflicts = outcome["intent"], outcome["conflicts"]
    if output_format == "json":
        output.emit_json({"intent": intent, "conflicts": conflicts})
    else:
        output.say("✓ Intention Registered")
        _print_intent(intent)
        if conflicts:
            output.say(f"⚠️  Found {len(conflicts)} conflict(s):")
            _print_conflicts(conflicts)
        else:
            output.say("✓ No conflicts detected!")
    sys.exit(_exit_for(conflicts))


@coordinate.command("check")
@_request_options
@connection_options
def check(
    agent_id: str,
    feature_name: str,
    tables_affected: str | None,
    schema_changes: str | None,
    from_migration: str | None,
    estimated_hours: float,
    database_url: str | None,
    env: str,
    project_dir: str,
    output_format: str,
) -> None:
    """Show the conflicts an intent would have; nothing is stored (exit 3: warnings, 4: errors)."""
    from confiture import _core

    request = _build_request(
        agent_id, feature_name, tables_affected, schema_changes, from_migration, estimated_hours
    )
    url = _url(database_url, env, project_dir)
    outcome = _core.coordinate_check(url, request, _project(env, project_dir), True)
    conflicts = outcome["conflicts"]
    if output_format == "json":
        output.emit_json(
            {
                "conflicts_detected": len(conflicts),
                "conflicts": conflicts,
                "objects": outcome["objects"],
                "tables_affected": outcome["tables_affected"],
            }
        )
    elif conflicts:
        output.say(f"✗ Found {len(conflicts)} conflict(s):")
        _print_conflicts(conflicts)
    else:
        output.say("✓ No conflicts detected!")
    sys.exit(_exit_for(conflicts))


@coordinate.command("status")
@click.option(
    "--intent-id", default=None, help="One intent (a unique prefix is enough); default: all active work."
)
@connection_options
def status(
    intent_id: str | None, database_url: str | None, env: str, project_dir: str, output_format: str
) -> None:
    """One intent and its conflicts, or all active work at a glance."""
    from confiture import _core

    url = _url(database_url, env, project_dir)
    if intent_id is None:
        overview = _core.coordinate_overview(url, True)
        if output_format == "json":
            output.emit_json(overview)
            return
        counts = ", ".join(f"{k}: {v}" for k, v in overview["counts"].items() if v)
        output.say(
            f"📋 Intents: {counts or 'none'}; unresolved conflicts: {overview['unresolved_conflicts']}"
        )
        if not overview["active"]:
            output.say("No active intentions.")
        for i in overview["active"]:
            flag = (
                f"  ⚠️ {i['unresolved_conflicts']} unresolved conflict(s)" if i["unresolved_conflicts"] else ""
            )
            output.say(
                f"  {i['id']}  {i['status']:<11} {i['agent_id']:<16} {i['feature_name']}"
                f"  [{', '.join(i['tables_affected'])}]{flag}"
            )
        return
    intent = _core.coordinate_get(url, intent_id, True)
    if intent is None:
        _fail(
            f"Intention not found: {intent_id}",
            output_format == "json",
            {"error": "Intention not found", "intent_id": intent_id},
        )
    assert intent is not None
    conflicts = _core.coordinate_conflicts(url, intent["id"])
    if output_format == "json":
        output.emit_json({"intent": intent, "conflicts": conflicts})
        return
    output.say("📋 Intention")
    _print_intent(intent)
    if conflicts:
        output.say(f"Conflicts ({len(conflicts)}):")
        _print_conflicts(conflicts)


def _transition(
    intent_id: str, to: str, reason: str, agent: str | None, url: str, output_format: str, done: str
) -> dict[str, Any]:
    from confiture import _core
    from confiture.exceptions import CoordinationError

    try:
        intent = _core.coordinate_transition(url, intent_id, to, reason, agent or "cli", True)
    except CoordinationError as e:
        if getattr(e, "kind", None) == "not_found":
            _fail(
                f"Intention not found: {intent_id}",
                output_format == "json",
                {"error": "Intention not found", "intent_id": intent_id},
            )
        raise
    if output_format == "json":
        output.emit_json(
            {
                "intent_id": intent["id"],
                "feature_name": intent["feature_name"],
                "status": intent["status"],
                "reason": reason,
            }
        )
    else:
        output.say(f"✓ Intention {done}")
        output.say(f"  ID: {intent['id']}  Feature: {intent['feature_name']}  Status: {intent['status']}")
    return intent


def _transition_command(name: str, to: str, done: str, default_reason: str, help_text: str) -> None:
    @coordinate.command(name, help=help_text)
    @click.option("--intent-id", required=True, help="The intent (a unique prefix is enough).")
    @click.option("--reason", default=default_reason, show_default=True, help="Why (kept in the history).")
    @click.option("--agent-id", default=None, help="Who makes the change (kept in the history).")
    @connection_options
    def command(
        intent_id: str,
        reason: str,
        agent_id: str | None,
        database_url: str | None,
        env: str,
        project_dir: str,
        output_format: str,
    ) -> None:
        _transition(
            intent_id, to, reason, agent_id, _url(database_url, env, project_dir), output_format, done
        )


_transition_command("start", "in_progress", "started", "Agent started work", "Mark an intent in progress.")
_transition_command("complete", "completed", "completed", "Changes completed", "Mark an intent completed.")
_transition_command("merge", "merged", "merged", "Changes merged to main", "Mark an intent merged.")


@coordinate.command("abandon")
@click.option("--intent-id", required=True, help="The intent (a unique prefix is enough).")
@click.option("--reason", required=True, help="Why it is abandoned (kept in the history).")
@click.option("--agent-id", default=None, help="Who abandons it (kept in the history).")
@connection_options
def abandon(
    intent_id: str,
    reason: str,
    agent_id: str | None,
    database_url: str | None,
    env: str,
    project_dir: str,
    output_format: str,
) -> None:
    """Abandon an active intent."""
    _transition(
        intent_id,
        "abandoned",
        reason,
        agent_id,
        _url(database_url, env, project_dir),
        output_format,
        "abandoned",
    )


_STATUSES = click.Choice(["registered", "in_progress", "completed", "merged", "abandoned", "conflicted"])


@coordinate.command("list")
@click.option(
    "--status", "--status-filter", "status_filter", type=_STATUSES, default=None, help="Only this status."
)
@click.option("--agent", "--agent-filter", "agent_filter", default=None, help="Only this agent.")
@connection_options
def list_command(
    status_filter: str | None,
    agent_filter: str | None,
    database_url: str | None,
    env: str,
    project_dir: str,
    output_format: str,
) -> None:
    """List intents, newest first (also `list-intents`)."""
    from confiture import _core

    intents = _core.coordinate_list(_url(database_url, env, project_dir), status_filter, agent_filter, True)
    if output_format == "json":
        output.emit_json({"total": len(intents), "intents": intents} if intents else {"intents": []})
        return
    if not intents:
        output.say("No intentions found matching filters")
        return
    output.say(f"{'ID':<20} {'AGENT':<16} {'FEATURE':<24} {'STATUS':<11} {'TABLES'}")
    for i in intents:
        output.say(
            f"{i['id']:<20} {i['agent_id'][:16]:<16} {i['feature_name'][:24]:<24} {i['status']:<11}"
            f" {', '.join(i['tables_affected'])}"
        )
    output.say(f"Total: {len(intents)} intention(s)")


# fraiseql-confiture's name for the same command.
coordinate.add_command(list_command, "list-intents")


@coordinate.command("conflicts")
@connection_options
def conflicts(database_url: str | None, env: str, project_dir: str, output_format: str) -> None:
    """Intents in conflict (an unreviewed error conflict) and their conflicts."""
    from confiture import _core

    url = _url(database_url, env, project_dir)
    conflicted = _core.coordinate_list(url, "conflicted", None, True)
    items = [{"intent": i, "conflicts": _core.coordinate_conflicts(url, i["id"])} for i in conflicted]
    if output_format == "json":
        if items:
            output.emit_json({"total_conflicted_intents": len(items), "conflicted_intents": items})
        else:
            output.emit_json({"conflicted_intents": []})
        return
    if not items:
        output.say("✓ No conflicts detected!")
        return
    for item in items:
        i = item["intent"]
        output.say(f"⚠️  {i['id']} {i['agent_id']} ({i['feature_name']})")
        _print_conflicts(item["conflicts"])


@coordinate.command("resolve")
@click.option("--conflict-id", type=int, required=True, help="The conflict's number.")
@click.option("--notes", required=True, help="How it was resolved.")
@click.option("--agent-id", default=None, help="Who resolved it (kept in the history).")
@connection_options
def resolve(
    conflict_id: int,
    notes: str,
    agent_id: str | None,
    database_url: str | None,
    env: str,
    project_dir: str,
    output_format: str,
) -> None:
    """Mark a conflict reviewed; an intent left without error conflicts is registered again."""
    from confiture import _core

    conflict = _core.coordinate_resolve(
        _url(database_url, env, project_dir), conflict_id, notes, True, agent_id or "cli", True
    )
    if output_format == "json":
        output.emit_json({"conflict_id": conflict["id"], "resolved": True, "resolution_notes": notes})
    else:
        output.say(f"✓ Conflict {conflict['id']} marked as resolved")


@coordinate.command("history")
@click.option("--intent-id", default=None, help="One intent (a unique prefix is enough); default: all.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the last N changes.")
@connection_options
def history(
    intent_id: str | None,
    limit: int | None,
    database_url: str | None,
    env: str,
    project_dir: str,
    output_format: str,
) -> None:
    """The audit trail: every status change, who made it and why."""
    from confiture import _core

    rows = _core.coordinate_history(_url(database_url, env, project_dir), intent_id, limit, True)
    if output_format == "json":
        output.emit_json({"total": len(rows), "history": rows})
        return
    if not rows:
        output.say("No history.")
        return
    for h in rows:
        old = h["old_status"] or "-"
        output.say(
            f"{h['changed_at']}  {h['intent_id']}  {old} → {h['new_status']}"
            f"  by {h['changed_by']}: {h['reason']}"
        )


def register_commands(app: click.Group) -> None:
    app.add_command(coordinate)


__all__ = ["coordinate", "register_commands"]
