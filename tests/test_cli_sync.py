"""``confiture sync`` and ``confiture validate-profile`` end to end: real databases, real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from confiture.cli.main import app
from sync_support import KEY, Pair, make_pair

ENV = {"CONFITURE_ANONYMIZATION_KEY": KEY}


@pytest.fixture
def pair(confiture_test_server_url: str) -> Iterator[Pair]:
    yield from make_pair(confiture_test_server_url)


@pytest.fixture
def project(pair: Pair, tmp_path: Path) -> Path:
    envs = tmp_path / "db" / "environments"
    envs.mkdir(parents=True)
    (envs / "source.yaml").write_text(f"database_url: {pair.source_url}\n")
    (envs / "staging.yaml").write_text(f"database_url: {pair.target_url}\n")
    (envs / "production.yaml").write_text(f"database_url: {pair.target_url}\n")
    (envs / "guarded.yaml").write_text(
        f"database_url: {pair.target_url}\nprotected: true\nsync:\n  allow_as_target: true\n"
    )
    return tmp_path


def sync(cli: CliRunner, project: Path, *args: str, env: dict[str, str] | None = None):
    return cli.invoke(
        app, ["sync", "--project-dir", str(project), *args], env=env if env is not None else ENV
    )


def test_environments_anonymization_and_text_report(cli: CliRunner, project: Path, pair: Pair) -> None:
    result = sync(
        cli,
        project,
        "--from",
        "source",
        "--to",
        "staging",
        "--anonymize",
        "users.email",
        "--anonymize",
        "users.name=name",
        "--anonymize",
        'crm."Contact Notes"."Contact Email"=email',
        "--batch-size",
        "9",
        "--jobs",
        "2",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "🔄 Syncing source → staging"
    assert "✅ users: 50 rows in " in result.stdout
    # users.email is UNIQUE in the target: collisions are resolved without being asked.
    assert "   anonymized: email → email [unique, 0 collisions resolved], name → name" in lines
    assert any(line.startswith("   verified: ") for line in lines)
    assert lines[-1].startswith("✅ Synced 2 table(s), 100 rows in ")
    assert pair.query("target", "SELECT count(*) FROM users WHERE email LIKE 'user_%@example.com'") == [(50,)]
    assert pair.query("target", "SELECT phone FROM users ORDER BY id LIMIT 1") == [("+1 212 555 0001",)]


def test_json_summary_is_one_document(cli: CliRunner, project: Path) -> None:
    result = sync(cli, project, "--from", "source", "--to", "staging", "-f", "json", "--tables", "users")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["source"] == "source" and doc["target"] == "staging"
    assert [t["table"] for t in doc["tables"]] == ["users"]
    assert doc["tables"][0]["rows"] == 50 and doc["tables"][0]["status"] == "synced"
    assert doc["sequences"] == [{"last_value": 50, "sequence": "users_id_seq"}]
    assert doc["snapshot"]


def test_protected_targets(cli: CliRunner, project: Path, pair: Pair) -> None:
    result = sync(cli, project, "--from", "source", "--to", "production", "--yes")
    assert result.exit_code == 1
    assert 'refusing to sync into environment "production"' in result.stderr
    assert "allow_as_target" in result.stderr and "Traceback" not in result.output
    result = sync(cli, project, "--from", "source", "--to", "guarded")
    assert result.exit_code == 1 and "without --yes" in result.stderr
    result = sync(cli, project, "--from", "source", "--to", "guarded", "--yes")
    assert result.exit_code == 0, result.output
    assert pair.query("target", "SELECT count(*) FROM users") == [(50,)]


def test_non_empty_target_missing_key_and_usage_errors(cli: CliRunner, project: Path) -> None:
    assert sync(cli, project, "--from", "source", "--to", "staging").exit_code == 0
    again = sync(cli, project, "--from", "source", "--to", "staging")
    assert again.exit_code == 1
    assert "refusing to overwrite 2 non-empty table(s)" in again.stderr and "--truncate" in again.stderr
    truncated = sync(
        cli, project, "--from", "source", "--to", "staging", "--truncate", "--anonymize", "users.email"
    )
    assert truncated.exit_code == 0, truncated.output
    no_key = sync(
        cli,
        project,
        "--from",
        "source",
        "--to",
        "staging",
        "--truncate",
        "--anonymize",
        "users.email",
        env={},
    )
    assert no_key.exit_code == 1 and "no anonymization key" in no_key.stderr
    other = sync(
        cli,
        project,
        "--from",
        "source",
        "--to",
        "staging",
        "--truncate",
        "--anonymize",
        "users.email",
        "--anonymization-key-env",
        "MY_KEY",
        env={"MY_KEY": "my-own-key-0123456789"},
    )
    assert other.exit_code == 0, other.output
    assert sync(cli, project, "--from", "source", "--to", "staging", "--resume").exit_code == 2
    assert sync(cli, project, "--from", "source", "--to", "staging", "--jobs", "0").exit_code == 2
    unknown = sync(cli, project, "--from", "nowhere", "--to", "staging")
    assert (
        unknown.exit_code == 1
        and "available environments: guarded, production, source, staging" in unknown.stderr
    )


def test_schema_only_check_and_exclusions(cli: CliRunner, project: Path, pair: Pair) -> None:
    result = sync(
        cli,
        project,
        "--from",
        "source",
        "--to",
        "staging",
        "--schema-only-check",
        "--exclude",
        "crm.*",
        "--anonymize",
        "users.email",
    )
    assert result.exit_code == 0, result.output
    assert "Load order:" in result.stdout and "  1. users" in result.stdout
    assert "📋 users: 5 columns; anonymize email → email" in result.stdout
    assert "✅ Check passed: 1 table(s) would be copied; nothing was written." in result.stdout
    assert pair.query("target", "SELECT count(*) FROM users") == [(0,)]
    bad = sync(
        cli,
        project,
        "--from",
        "source",
        "--to",
        "staging",
        "--schema-only-check",
        "--anonymize",
        "users.nope",
    )
    assert bad.exit_code == 1 and 'column "nope" does not exist in users' in bad.stderr


def test_profiles_through_the_cli(cli: CliRunner, project: Path, pair: Pair, tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "name: staging\nversion: '1'\nkey_env_var: PROFILE_KEY\nstrategies:\n  mail: {type: email}\n"
        "tables:\n  users:\n    rules:\n      - {column: email, strategy: mail, unique: true}\n"
        "      - {column: phone, strategy: phone, seed: 3}\n"
    )
    env = {"PROFILE_KEY": "profile-key-0123456789"}
    result = sync(
        cli, project, "--from", "source", "--to", "staging", "--anonymization-config", str(profile), env=env
    )
    assert result.exit_code == 0, result.output
    assert "email → mail [unique, 0 collisions resolved]" in result.stdout
    assert pair.query("target", "SELECT count(DISTINCT phone) FROM users WHERE phone LIKE '+1-555-%'") != [
        (0,)
    ]


def test_validate_profile(cli: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "name: prod-sync\nversion: '2'\nglobal_seed: 5\nstrategies:\n"
        "  mail: {type: email, seed_env_var: MAIL_SEED}\n"
        "tables:\n  users:\n    rules:\n      - {column: email, strategy: mail}\n"
        "      - {column: ip, strategy: ip_address, seed: 9}\n"
    )
    result = cli.invoke(app, ["validate-profile", str(good)])
    assert result.exit_code == 0, result.output
    for line in [
        "📋 Profile: prod-sync",
        "   Version: 2",
        "   Global seed: 5",
        "  • mail: email [env: MAIL_SEED]",
        "  • users: 2 rules",
        "    - email → mail",
        "    - ip → ip_address [seed: 9]",
        "✅ Profile validation passed!",
    ]:
        assert line in result.stdout.splitlines(), line
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nversion: '1'\ntables:\n  users:\n    rules:\n      - {column: email, strategy: emial}\n"
    )
    result = cli.invoke(app, ["validate-profile", str(bad)])
    assert result.exit_code == 1
    assert 'unknown strategy "emial"' in result.stderr and "tokenization" in result.stderr
    missing = cli.invoke(app, ["validate-profile", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 1 and "Profile file not found" in missing.stderr


BIG = """
INSERT INTO users (email, name, phone)
SELECT 'user' || i || '@corp.example', 'Name ' || i, '555-' || i FROM generate_series(1, {n}) i;
INSERT INTO crm."Contact Notes" (user_id, "Contact Email", body)
SELECT id, email, repeat('note ', 20) FROM users, generate_series(1, 3);
"""


def test_a_killed_sync_resumes_from_its_checkpoint(confiture_test_server_url: str, tmp_path: Path) -> None:
    pairs = make_pair(confiture_test_server_url, rows=150_000, data=BIG)
    pair = next(pairs)
    try:
        checkpoint = tmp_path / "sync.json"
        command = [
            sys.executable, "-m", "confiture.cli", "sync", "--from", pair.source_url, "--to", pair.target_url,
            "--checkpoint", str(checkpoint), "--anonymize", "users.email", "--anonymize",
            'crm."Contact Notes"."Contact Email"=email', "--batch-size", "1000",
        ]  # fmt: skip
        env = {**os.environ, **ENV}
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as first:
            deadline = time.monotonic() + 60
            # users (the parent) commits first; kill the process while the notes are being copied.
            while not (
                checkpoint.exists() and "users" in json.loads(checkpoint.read_text())["completed_tables"]
            ):
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "no table completed in time"
                time.sleep(0.01)
            first.send_signal(signal.SIGKILL)
            first.wait()
        done = json.loads(checkpoint.read_text())["completed_tables"]
        assert list(done) == ["users"], "killed before the second table committed"
        assert pair.query("target", 'SELECT count(*) FROM crm."Contact Notes"') == [(0,)], "rolled back"
        emails_before = pair.query("target", "SELECT email FROM users ORDER BY id LIMIT 5")

        resumed = subprocess.run([*command, "--resume"], env=env, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        assert "⏭️  users: done in an earlier run (150,000 rows, per the checkpoint)" in resumed.stdout
        assert '✅ crm."Contact Notes": 450,000 rows' in resumed.stdout
        assert pair.query("target", 'SELECT count(*) FROM crm."Contact Notes"') == [(450_000,)]
        assert pair.query("target", "SELECT email FROM users ORDER BY id LIMIT 5") == emails_before
        joined = pair.query(
            "target",
            'SELECT count(*) FROM crm."Contact Notes" n JOIN users u ON u.id = n.user_id '
            'WHERE u.email = n."Contact Email"',
        )
        assert joined == [(450_000,)], "deterministic across the two runs"
    finally:
        pairs.close()


def test_help_lists_the_options(cli: CliRunner) -> None:
    result = cli.invoke(app, ["sync", "--help"])
    for option in [
        "--from", "--to", "--tables", "--exclude", "--anonymize", "--anonymization-config",
        "--anonymization-key-env", "--schema-only-check", "--batch-size", "--jobs", "--checkpoint",
        "--resume", "--truncate", "--yes", "--format",
    ]:  # fmt: skip
        assert option in result.stdout, option


def test_the_example_profile_is_valid(cli: CliRunner) -> None:
    example = Path(__file__).parent.parent / "examples" / "sync" / "anonymization.yaml"
    result = cli.invoke(app, ["validate-profile", str(example)])
    assert result.exit_code == 0, result.output
    assert "  • billing.payments: 3 rules" in result.stdout
