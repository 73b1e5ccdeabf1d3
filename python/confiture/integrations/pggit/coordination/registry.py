"""``IntentRegistry``: the coordination registry on the caller's psycopg connection.

Every method runs in the engine. When the connection is not in a transaction, each call commits
its own; inside the caller's transaction it works in a savepoint and leaves the commit to the
caller (the registration's locks are then held until that commit). Use READ COMMITTED (the
default): the registry relies on each statement seeing what committed before its locks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from confiture import _core
from confiture.integrations.pggit.coordination.detector import ConflictDetector
from confiture.integrations.pggit.coordination.models import (
    ConflictReport,
    Intent,
    IntentStatus,
    IntentStatusChange,
)


class IntentRegistry:
    """Registers intents, detects their conflicts, and tracks their status."""

    def __init__(
        self,
        connection: Any,
        *,
        project_dir: str | Path | None = None,
        env: str = "local",
    ) -> None:
        """Creates the coordination tables when missing. With ``project_dir``, the project's DDL
        (environment ``env``) is parsed once so intents also depend on what it says their objects
        need (the tables of a view they alter, …)."""
        self.connection = connection
        self._detector = ConflictDetector()
        self._project = _core.coordinate_project(env, str(project_dir)) if project_dir is not None else None
        _core.coordinate_init(connection)

    def _request(
        self,
        agent_id: str,
        feature_name: str,
        schema_changes: list[str] | str | None,
        tables_affected: list[str] | None,
        estimated_duration_ms: int,
        risk_level: str,
        metadata: dict[str, Any] | None,
    ) -> dict[str, Any]:
        changes = [schema_changes] if isinstance(schema_changes, str) else list(schema_changes or [])
        return {
            "agent_id": agent_id,
            "feature_name": feature_name,
            "schema_changes": changes,
            "tables_affected": list(tables_affected) if tables_affected else None,
            "estimated_duration_ms": int(estimated_duration_ms or 0),
            "risk_level": risk_level.value if hasattr(risk_level, "value") else risk_level,
            "metadata": metadata,
        }

    def register(
        self,
        agent_id: str,
        feature_name: str,
        schema_changes: list[str] | str | None = None,
        tables_affected: list[str] | None = None,
        estimated_duration_ms: int = 0,
        risk_level: str = "low",
        metadata: dict[str, Any] | None = None,
    ) -> Intent:
        """Stores an intent and its conflicts with other agents' active intents (race-free).
        The intent is ``CONFLICTED`` when a conflict is an error."""
        request = self._request(
            agent_id,
            feature_name,
            schema_changes,
            tables_affected,
            estimated_duration_ms,
            risk_level,
            metadata,
        )
        outcome = _core.coordinate_register(self.connection, request, self._project)
        return Intent.from_dict(outcome["intent"])

    def check(
        self,
        agent_id: str,
        feature_name: str = "",
        schema_changes: list[str] | str | None = None,
        tables_affected: list[str] | None = None,
        estimated_duration_ms: int = 0,
    ) -> list[ConflictReport]:
        """The conflicts such an intent would have; nothing is stored."""
        request = self._request(
            agent_id, feature_name, schema_changes, tables_affected, estimated_duration_ms, "low", None
        )
        outcome = _core.coordinate_check(self.connection, request, self._project)
        return [ConflictReport.from_dict(c) for c in outcome["conflicts"]]

    def get_intent(self, intent_id: str) -> Intent | None:
        """The intent (a unique prefix of its id is enough), or ``None``."""
        found = _core.coordinate_get(self.connection, intent_id)
        return Intent.from_dict(found) if found is not None else None

    def list_intents(
        self, status: IntentStatus | str | None = None, agent_id: str | None = None
    ) -> list[Intent]:
        """Intents, newest first."""
        wanted = status.value if isinstance(status, IntentStatus) else status
        return [Intent.from_dict(i) for i in _core.coordinate_list(self.connection, wanted, agent_id)]

    def _move(self, intent_id: str, to: IntentStatus, reason: str, changed_by: str) -> None:
        _core.coordinate_transition(self.connection, intent_id, to.value, reason, changed_by)

    def mark_in_progress(
        self, intent_id: str, reason: str = "Agent started work", changed_by: str = "agent"
    ) -> None:
        self._move(intent_id, IntentStatus.IN_PROGRESS, reason, changed_by)

    def mark_completed(
        self, intent_id: str, reason: str = "Changes completed", changed_by: str = "agent"
    ) -> None:
        self._move(intent_id, IntentStatus.COMPLETED, reason, changed_by)

    def mark_merged(
        self, intent_id: str, reason: str = "Changes merged to main", changed_by: str = "agent"
    ) -> None:
        self._move(intent_id, IntentStatus.MERGED, reason, changed_by)

    def mark_abandoned(
        self, intent_id: str, reason: str = "Intent abandoned", changed_by: str = "agent"
    ) -> None:
        self._move(intent_id, IntentStatus.ABANDONED, reason, changed_by)

    def allocate_branch(self, feature_name: str) -> str:
        """The branch a feature would get now (``feature/<name>``, then ``_001``, …)."""
        return _core.coordinate_allocate_branch(self.connection, feature_name)

    def get_conflicts(self, intent_id: str) -> list[ConflictReport]:
        """Conflicts involving the intent (either side), newest first."""
        return [ConflictReport.from_dict(c) for c in _core.coordinate_conflicts(self.connection, intent_id)]

    def resolve_conflict(self, conflict_id: int, reviewed: bool = True, resolution_notes: str = "") -> None:
        """Marks a conflict reviewed. An intent left without unreviewed error conflicts goes from
        ``CONFLICTED`` back to ``REGISTERED``."""
        _core.coordinate_resolve(self.connection, conflict_id, resolution_notes, reviewed)

    def get_history(self, intent_id: str | None = None, limit: int | None = None) -> list[IntentStatusChange]:
        """The audit trail, oldest first."""
        return [
            IntentStatusChange.from_dict(h)
            for h in _core.coordinate_history(self.connection, intent_id, limit)
        ]


__all__ = ["IntentRegistry"]
