"""Production data sync: copy tables between databases, anonymizing personal data on the way.

fraiseql-confiture's names (``ProductionSyncer``, ``SyncConfig``, ``TableSelection``,
``AnonymizationRule``, ``TableMetrics``); the work runs in the engine — one consistent snapshot of
the source, streaming COPY, foreign-key order, keyed deterministic anonymization, row-count and
leak checks, checkpoints — without the GIL. ``confiture sync`` is the same engine call.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confiture import _core
from confiture.config.environment import DatabaseConfig

if TYPE_CHECKING:
    from rich.progress import Progress


@dataclass
class TableSelection:
    """Tables to copy: ``[schema.]table`` patterns (``*`` and ``?`` wildcards; none: every table
    of every user schema), then exclusions."""

    include: list[str] | None = None
    exclude: list[str] | None = None


@dataclass
class AnonymizationRule:
    """One anonymized column: a strategy name (any of ``confiture.core.anonymization``'s) and
    an optional seed; ``options`` is the strategy's config, ``unique`` resolves collisions."""

    column: str
    strategy: str
    seed: int | None = None
    options: dict[str, Any] | None = None
    unique: bool = False


@dataclass
class SyncConfig:
    tables: TableSelection = field(default_factory=TableSelection)
    anonymization: dict[str, list[AnonymizationRule]] | None = None
    batch_size: int = 5000
    resume: bool = False
    show_progress: bool = False
    checkpoint_file: Path | None = None
    # New in this rewrite:
    jobs: int = 1
    truncate: bool = False
    profile: Path | None = None
    key_env_var: str | None = None
    verify: bool = True
    allow_protected: bool = False


@dataclass
class TableMetrics:
    rows_synced: int
    elapsed_seconds: float
    rows_per_second: float
    synced_at: str


def _endpoint(value: DatabaseConfig | str) -> str:
    return value.to_url() if isinstance(value, DatabaseConfig) else value


def run_sync(request: dict[str, Any], show_progress: bool = False) -> dict[str, Any]:
    """Runs a sync in the engine (progress bars on stderr when asked) and returns its report.
    Ctrl-C cancels it: what is not committed is rolled back."""
    return follow(_core.sync_start(request), show_progress)


def follow(run: Any, show_progress: bool = False) -> dict[str, Any]:
    """Waits for an engine run (``sync_start``, ``s2s_start``) with progress bars on stderr when
    asked, and returns its report. Ctrl-C cancels it: what is not committed is rolled back."""
    try:
        if show_progress:
            return _with_progress(run)
        while (report := run.wait(0.2)) is None:
            pass
        return report
    except KeyboardInterrupt:
        run.cancel()
        while not run.done():
            with contextlib.suppress(Exception):
                run.wait(0.2)
        raise


def _with_progress(run: Any) -> dict[str, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bars: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        while True:
            report = run.wait(0.1)
            _update(progress, bars, run.progress())
            if report is not None:
                return report


def _update(progress: Progress, bars: dict[str, Any], snapshot: dict[str, Any]) -> None:
    for t in snapshot["tables"]:
        if t["state"] == "pending":
            continue
        task = bars.get(t["table"])
        total = max(t["estimate"], t["rows"]) if t["estimate"] >= 0 else None
        if task is None:
            bars[t["table"]] = progress.add_task(t["table"], total=total, completed=t["rows"])
        else:
            done = t["state"] in ("done", "skipped")
            progress.update(task, completed=t["rows"], total=t["rows"] if done else total)


class ProductionSyncer:
    """Copies data from ``source`` to ``target`` (each an environment name, a connection URL or
    a ``DatabaseConfig``). Use it as a context manager, as in fraiseql-confiture."""

    def __init__(
        self,
        source: DatabaseConfig | str,
        target: DatabaseConfig | str,
        *,
        project_dir: Path | str | None = None,
    ) -> None:
        self._source = _endpoint(source)
        self._target = _endpoint(target)
        self._project_dir = str(project_dir) if project_dir is not None else "."
        self._connected = False
        self._metrics: dict[str, TableMetrics] = {}
        self._checkpoint_file: Path | None = None
        self._completed: dict[str, dict[str, Any]] = {}
        self._databases: tuple[str, str] = ("", "")

    def __enter__(self) -> ProductionSyncer:
        labels = _core.sync_check_connections([self._source, self._target], self._project_dir)
        self._databases = (labels[0], labels[1])
        self._connected = True
        return self

    def __exit__(self, *args: object) -> None:
        self._connected = False

    def _require_connection(self) -> None:
        if not self._connected:
            raise RuntimeError("Not connected. Use context manager.")

    def get_all_tables(self) -> list[str]:
        """Every user table of the source (all schemas; ``app.orders``, ``users`` for public)."""
        self._require_connection()
        return _core.sync_list_tables(self._source, self._project_dir)

    def select_tables(self, selection: TableSelection) -> list[str]:
        self._require_connection()
        return _core.sync_select_tables(
            self._source, selection.include or [], selection.exclude or [], self._project_dir
        )

    def _request(self, config: SyncConfig) -> dict[str, Any]:
        rules = []
        for table, table_rules in (config.anonymization or {}).items():
            for r in table_rules:
                rules.append(
                    {
                        "table": table,
                        "column": r.column,
                        "strategy": r.strategy,
                        "seed": r.seed,
                        "config": getattr(r, "options", None) or {},
                        "unique": getattr(r, "unique", False),
                    }
                )
        checkpoint = config.checkpoint_file or self._checkpoint_file
        return {
            "source": self._source,
            "target": self._target,
            "project_dir": self._project_dir,
            "tables": config.tables.include or [],
            "exclude": config.tables.exclude or [],
            "rules": rules,
            "profile": str(config.profile) if config.profile else None,
            "key_env_var": config.key_env_var,
            "batch_size": config.batch_size,
            "jobs": config.jobs,
            "checkpoint": str(checkpoint) if checkpoint else None,
            "resume": config.resume,
            "truncate": config.truncate,
            "yes": config.allow_protected,
            "verify": config.verify,
        }

    def _record(self, report: dict[str, Any]) -> dict[str, int]:
        results: dict[str, int] = {}
        for t in report["tables"]:
            if t["status"] != "synced":
                continue
            results[t["table"]] = t["rows"]
            self._metrics[t["table"]] = TableMetrics(
                rows_synced=t["rows"],
                elapsed_seconds=t["seconds"],
                rows_per_second=t["rows_per_second"],
                synced_at=t["synced_at"] or "",
            )
            self._completed[t["table"]] = {"rows_synced": t["rows"], "synced_at": t["synced_at"]}
        return results

    def sync(self, config: SyncConfig) -> dict[str, int]:
        """Runs the sync; returns the rows copied per table (tables skipped on resume are left out)."""
        self._require_connection()
        report = run_sync(self._request(config), show_progress=config.show_progress and sys.stderr.isatty())
        return self._record(report)

    async def sync_async(self, config: SyncConfig) -> dict[str, int]:
        """``sync``, awaitable: runs on the engine's runtime, off the event loop (no progress bars);
        cancelling the awaiting task cancels the sync. Needs no ``with`` block."""
        report = await _core.sync_async(self._request(config))
        return self._record(report)

    def sync_table(
        self,
        table_name: str,
        anonymization_rules: list[AnonymizationRule] | None = None,
        batch_size: int = 5000,
        progress_task: Any = None,
        progress: Progress | None = None,
        *,
        truncate: bool = False,
    ) -> int:
        """Copies one table (its name as ``get_all_tables`` shows it); returns the rows copied."""
        self._require_connection()
        config = SyncConfig(
            tables=TableSelection(include=[table_name]),
            anonymization={table_name: anonymization_rules} if anonymization_rules else None,
            batch_size=batch_size,
            truncate=truncate,
        )
        rows = self._record(run_sync(self._request(config)))
        if progress is not None and progress_task is not None:
            progress.update(progress_task, completed=sum(rows.values()))
        return sum(rows.values())

    def get_metrics(self) -> dict[str, dict[str, Any]]:
        return {table: asdict(m) for table, m in self._metrics.items()}

    def save_checkpoint(self, checkpoint_file: Path) -> None:
        """Writes the tables completed so far in fraiseql-confiture's checkpoint format."""
        from datetime import datetime

        _core.save_sync_checkpoint(
            str(checkpoint_file),
            {
                "version": "1.0",
                "timestamp": datetime.now(UTC).isoformat(),
                "source_database": self._databases[0],
                "target_database": self._databases[1],
                "completed_tables": self._completed,
            },
        )

    def load_checkpoint(self, checkpoint_file: Path) -> None:
        """Reads a checkpoint; a later ``sync(SyncConfig(resume=True))`` skips its tables."""
        data = _core.load_sync_checkpoint(str(checkpoint_file))
        self._checkpoint_file = Path(checkpoint_file)
        self._completed = dict(data["completed_tables"]) if data else {}

    def _anonymize_value(self, value: Any, strategy: str, seed: int | None = None) -> Any:
        """One value through an engine strategy (keyed; ``None`` stays ``None``)."""
        if value is None:
            return None
        return _core.Anonymizer(strategy, {}, seed or 0).anonymize(str(value))


__all__ = [
    "AnonymizationRule",
    "ProductionSyncer",
    "SyncConfig",
    "TableMetrics",
    "TableSelection",
    "run_sync",
]
