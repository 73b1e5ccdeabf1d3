"""confiture.core.syncer: the fraiseql-confiture API over the engine's sync, against real databases."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from confiture.config.environment import DatabaseConfig
from confiture.core.syncer import (
    AnonymizationRule,
    ProductionSyncer,
    SyncConfig,
    TableMetrics,
    TableSelection,
)
from confiture.exceptions import AnonymizationError, SyncError
from sync_support import KEY, Pair, make_pair


@pytest.fixture
def pair(confiture_test_server_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    monkeypatch.setenv("CONFITURE_ANONYMIZATION_KEY", KEY)
    yield from make_pair(confiture_test_server_url)


def test_needs_the_context_manager(pair: Pair) -> None:
    syncer = ProductionSyncer(pair.source_url, pair.target_url)
    with pytest.raises(RuntimeError, match=r"Not connected\. Use context manager\."):
        syncer.get_all_tables()


def test_tables_of_every_schema_and_patterns(pair: Pair) -> None:
    with ProductionSyncer(DatabaseConfig.from_url(pair.source_url), pair.target_url) as s:
        assert s.get_all_tables() == ['crm."Contact Notes"', "users"]
        assert s.select_tables(TableSelection(include=["crm.*"])) == ['crm."Contact Notes"']
        assert s.select_tables(TableSelection(exclude=["*notes*", 'crm."Contact"*'])) == ["users"]
        with pytest.raises(SyncError, match="matches no table") as e:
            s.select_tables(TableSelection(include=["nope"]))
        assert e.value.problems == ["--tables nope: matches no table in the source"]


def test_sync_anonymizes_and_records_metrics(pair: Pair, tmp_path: Path) -> None:
    config = SyncConfig(
        tables=TableSelection(),
        anonymization={
            "users": [
                AnonymizationRule("email", "email"),
                AnonymizationRule("name", "name", seed=7),
                AnonymizationRule("phone", "phone", options={"format": "+1-555-###-####"}),
            ],
            'crm."Contact Notes"': [
                AnonymizationRule("Contact Email", "email"),
                AnonymizationRule("body", "text_redaction", options={"patterns": ["email", "phone"]}),
            ],
        },
        batch_size=7,
        jobs=2,
    )
    with ProductionSyncer(pair.source_url, pair.target_url) as s:
        results = s.sync(config)
        metrics = s.get_metrics()
    assert results == {'crm."Contact Notes"': 50, "users": 50}
    assert set(metrics) == set(results)
    assert metrics["users"]["rows_synced"] == 50
    assert set(metrics["users"]) == set(TableMetrics.__dataclass_fields__)
    joined = pair.query(
        "target",
        'SELECT count(*) FROM users u JOIN crm."Contact Notes" n ON n.user_id = u.id '
        'WHERE n."Contact Email" = u.email',
    )
    assert joined == [(50,)], "the same address maps to the same output in both tables"
    bodies = pair.query("target", 'SELECT body FROM crm."Contact Notes" ORDER BY id LIMIT 1')
    assert bodies == [("call [REDACTED] or write to [REDACTED]",)]
    assert all(p.startswith("+1-555-") for (p,) in pair.query("target", "SELECT phone FROM users"))
    assert pair.query("target", "SELECT count(*) FROM users WHERE email LIKE '%corp.example'") == [(0,)]


def test_refusals_are_sync_errors(pair: Pair) -> None:
    with ProductionSyncer(pair.source_url, pair.target_url) as s:
        s.sync(SyncConfig())
        with pytest.raises(SyncError, match="without --truncate") as e:
            s.sync(SyncConfig())
        assert e.value.tables == ['crm."Contact Notes"', "users"]
        assert s.sync(SyncConfig(truncate=True)) == {'crm."Contact Notes"': 50, "users": 50}
        with pytest.raises(SyncError, match="the sync cannot start") as e:
            s.sync(SyncConfig(truncate=True, anonymization={"users": [AnonymizationRule("nope", "hash")]}))
        assert 'column "nope" does not exist in users' in e.value.problems[0]


def test_no_key_no_anonymization(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFITURE_ANONYMIZATION_KEY")
    with ProductionSyncer(pair.source_url, pair.target_url) as s:
        with pytest.raises(AnonymizationError, match="no anonymization key"):
            s.sync(SyncConfig(anonymization={"users": [AnonymizationRule("email", "email")]}))
        with pytest.raises(ValueError, match="CONFITURE_ANONYMIZATION_KEY"):
            s._anonymize_value("x", "hash")
    assert pair.query("target", "SELECT count(*) FROM users") == [(0,)]


def test_sync_table_checkpoints_and_resume(pair: Pair, tmp_path: Path) -> None:
    cp = tmp_path / "cp.json"
    with ProductionSyncer(pair.source_url, pair.target_url) as s:
        assert s.sync_table("users", [AnonymizationRule("email", "hash")]) == 50
        s.save_checkpoint(cp)
        saved = json.loads(cp.read_text())
        assert saved["version"] == "1.0" and list(saved["completed_tables"]) == ["users"]
        assert saved["completed_tables"]["users"]["rows_synced"] == 50
    with ProductionSyncer(pair.source_url, pair.target_url) as s2:
        s2.load_checkpoint(cp)
        results = s2.sync(SyncConfig(resume=True))
    assert results == {'crm."Contact Notes"': 50}
    assert pair.query("target", 'SELECT count(*) FROM crm."Contact Notes"') == [(50,)]


def test_anonymize_value_is_deterministic_and_keyed(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    with ProductionSyncer(pair.source_url, pair.target_url) as s:
        a = s._anonymize_value("alice@example.com", "email")
        assert a == s._anonymize_value("alice@example.com", "email")
        assert a != s._anonymize_value("alice@example.com", "email", seed=1)
        assert s._anonymize_value(None, "email") is None
        monkeypatch.setenv("CONFITURE_ANONYMIZATION_KEY", "another-key-0123456789")
        assert a != s._anonymize_value("alice@example.com", "email")


def test_python_threads_run_while_a_sync_runs(confiture_test_server_url: str) -> None:
    pairs = make_pair(confiture_test_server_url, rows=200_000)
    pair = next(pairs)
    try:
        ticks = 0
        done = threading.Event()

        def work() -> None:
            with ProductionSyncer(pair.source_url, pair.target_url) as s:
                s.sync(SyncConfig())
            done.set()

        worker = threading.Thread(target=work)
        started = time.perf_counter()
        worker.start()
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)
        worker.join()
        elapsed = time.perf_counter() - started
        assert elapsed > 0.05
        assert ticks > elapsed * 100, (ticks, elapsed)
    finally:
        pairs.close()


def test_progress_bars_render_on_stderr(pair: Pair, capsys: pytest.CaptureFixture[str]) -> None:
    from confiture.core.syncer import run_sync

    report = run_sync(
        {"source": pair.source_url, "target": pair.target_url, "anonymize": ["users.email"]},
        show_progress=True,
    )
    assert [t["rows"] for t in report["tables"]] == [50, 50]
    assert capsys.readouterr().out == "", "progress never goes to stdout"
