"""``confiture sync`` (copy data between databases, anonymizing personal data) and
``confiture validate-profile`` (check an anonymization profile)."""

from __future__ import annotations

import sys

import click

from confiture.cli import output


@click.command("sync")
@click.option("--from", "source", required=True, metavar="ENV|URL", help="Source: environment name or URL.")
@click.option("--to", "target", required=True, metavar="ENV|URL", help="Target: environment name or URL.")
@click.option(
    "--tables",
    multiple=True,
    metavar="T,…",
    help="Tables to copy: [schema.]table patterns, * and ? wildcards (default: every table).",
)
@click.option("--exclude", multiple=True, metavar="T,…", help="Tables to leave out (patterns).")
@click.option(
    "--anonymize",
    multiple=True,
    metavar="TABLE.COLUMN[=STRATEGY]",
    help="Anonymize a column (repeatable); without a strategy one is picked from the column.",
)
@click.option(
    "--anonymization-config",
    "profile",
    type=click.Path(dir_okay=False),
    help="Anonymization profile (YAML).",
)
@click.option(
    "--anonymization-key-env",
    "key_env",
    metavar="NAME",
    help="Variable holding the anonymization key (default: CONFITURE_ANONYMIZATION_KEY).",
)
@click.option("--schema-only-check", is_flag=True, help="Check tables, columns and rules; copy nothing.")
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=5000, show_default=True, help="Rows per batch."
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Tables copied at once."
)
@click.option("--checkpoint", type=click.Path(dir_okay=False), help="Checkpoint file (tables done so far).")
@click.option("--resume", is_flag=True, help="Skip the tables the checkpoint lists as done.")
@click.option(
    "--truncate", is_flag=True, help="Empty the target tables first (they must be empty otherwise)."
)
@click.option(
    "--yes", "-y", is_flag=True, help="Confirm writing into a protected environment that allows it."
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Project directory (for environment names).",
)
@output.text_or_json
def sync(
    source: str,
    target: str,
    tables: tuple[str, ...],
    exclude: tuple[str, ...],
    anonymize: tuple[str, ...],
    profile: str | None,
    key_env: str | None,
    schema_only_check: bool,
    batch_size: int,
    jobs: int,
    checkpoint: str | None,
    resume: bool,
    truncate: bool,
    yes: bool,
    project_dir: str,
    output_format: str,
) -> None:
    """Copy data from one database to another, anonymizing personal data on the way.

    The source is read in one consistent snapshot and never written. Tables load in foreign-key
    order; the target's tables must be empty (or use --truncate). Anonymization is keyed with the
    secret in CONFITURE_ANONYMIZATION_KEY: the same value gets the same replacement everywhere.
    """
    from confiture.core.syncer import run_sync

    if resume and not checkpoint:
        raise click.UsageError("--resume needs --checkpoint FILE")
    text = output_format == "text"
    request = {
        "source": source,
        "target": target,
        "project_dir": project_dir,
        "tables": list(tables),
        "exclude": list(exclude),
        "anonymize": list(anonymize),
        "profile": profile,
        "key_env_var": key_env,
        "schema_only_check": schema_only_check,
        "batch_size": batch_size,
        "jobs": jobs,
        "checkpoint": checkpoint,
        "resume": resume,
        "truncate": truncate,
        "yes": yes,
    }
    if text:
        output.say(f"🔄 Syncing {source} → {target}" + (" (check only)" if schema_only_check else ""))
    report = run_sync(request, show_progress=text and sys.stderr.isatty())
    if text:
        output.sync_report(report)
    else:
        output.emit_json(report)


@click.command("validate-profile")
@click.argument("path", type=click.Path(dir_okay=False))
def validate_profile(path: str) -> None:
    """Check an anonymization profile (YAML): strategies, configs and rules."""
    from confiture.core.anonymization.profile import AnonymizationProfile
    from confiture.exceptions import AnonymizationProfileError, ProfileNotFoundError

    try:
        profile = AnonymizationProfile.load(path)
    except ProfileNotFoundError as e:
        output.error(f"Profile file not found: {e.filename}")
        sys.exit(1)
    except AnonymizationProfileError as e:
        output.error(f"Invalid profile: {e}")
        sys.exit(1)
    output.say(f"📋 Profile: {profile.name}")
    output.say(f"   Version: {profile.version}")
    if profile.global_seed is not None:
        output.say(f"   Global seed: {profile.global_seed}")
    if profile.key_env_var:
        output.say(f"   Key variable: {profile.key_env_var}")
    output.say(f"\nStrategies ({len(profile.strategies)}):")
    for name, definition in profile.strategies.items():
        env = f" [env: {definition.seed_env_var}]" if definition.seed_env_var else ""
        output.say(f"  • {name}: {definition.type}{env}")
    output.say(f"\nTables ({len(profile.tables)}):")
    for table, definition in profile.tables.items():
        output.say(f"  • {table}: {len(definition.rules)} rules")
        for rule in definition.rules:
            seed = f" [seed: {rule.seed}]" if rule.seed is not None else ""
            unique = " [unique]" if rule.unique else ""
            output.say(f"    - {rule.column} → {rule.strategy}{seed}{unique}")
    output.say("\n✅ Profile validation passed!")


def register(app: click.Group) -> None:
    app.add_command(sync)
    app.add_command(validate_profile)


__all__ = ["register", "sync", "validate_profile"]
