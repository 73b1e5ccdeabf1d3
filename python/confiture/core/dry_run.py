"""Dry runs of single migrations (``DryRunExecutor``, ``Migrator.dry_run``): the migration runs
in a transaction that is always rolled back, and its time, locks and statements are reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from confiture.exceptions import MigrationError


class DryRunError(MigrationError):
    def __init__(self, migration_name: str, error: Exception) -> None:
        super().__init__(f"Dry run of {migration_name} failed: {error}", migration_name=migration_name)
        self.migration_name = migration_name
        self.original_error = error


@dataclass
class DryRunResult:
    migration_name: str
    migration_version: str
    success: bool
    execution_time_ms: int = 0
    rows_affected: int = 0
    locked_tables: list[str] = field(default_factory=list)
    estimated_production_time_ms: int = 0
    confidence_percent: int = 0
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def _from_report(cls, report: dict[str, Any]) -> DryRunResult:
        m = report["migrations"][0]
        execution = m.get("execution") or {}
        ms = int(execution.get("execution_time_ms", 0))
        error = execution.get("error")
        warnings = list(m.get("notes", []))
        for s in m.get("statements", []):
            warnings.extend(s.get("notes", []))
        if error:
            warnings.append(error)
        return cls(
            migration_name=m["name"],
            migration_version=m["version"],
            success=error is None and not execution.get("skipped"),
            execution_time_ms=ms,
            locked_tables=sorted({rel for rel, _mode in execution.get("locks_taken", [])}),
            estimated_production_time_ms=ms,
            confidence_percent=85 if error is None else 0,
            warnings=warnings,
            stats={
                "measured_execution_ms": ms,
                "estimated_range_low_ms": int(ms * 0.85),
                "estimated_range_high_ms": int(ms * 1.15),
                "locks_taken": execution.get("locks_taken", []),
                "statements_executed": execution.get("statements_executed", 0),
                "risk": m.get("risk"),
            },
        )


class DryRunExecutor:
    """``DryRunExecutor().run(conn, migration)``: the migration's effects, then rolled back."""

    def run(self, conn: Any, migration: Any) -> DryRunResult:
        from confiture.core.migrator import Migrator

        try:
            result = Migrator(conn).dry_run(migration)
        except Exception as e:
            raise DryRunError(getattr(migration, "name", type(migration).__name__), e) from e
        if not result.success and result.warnings:
            raise DryRunError(result.migration_name, RuntimeError(result.warnings[-1]))
        return result


__all__ = ["DryRunError", "DryRunExecutor", "DryRunResult"]
