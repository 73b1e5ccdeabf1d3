"""The coordination records (fraiseql-confiture's names, fields and ``to_dict``/``from_dict``/
``to_json``), built from the engine's dictionaries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import uuid4


class IntentStatus(Enum):
    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    MERGED = "merged"
    ABANDONED = "abandoned"
    CONFLICTED = "conflicted"


class ConflictType(Enum):
    TABLE = "table"
    COLUMN = "column"
    CONSTRAINT = "constraint"
    FUNCTION = "function"
    INDEX = "index"
    TIMING = "timing"
    DEPENDENCY = "dependency"
    TYPE = "type"


class ConflictSeverity(Enum):
    WARNING = "warning"
    ERROR = "error"


class RiskLevel(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _member(enum: type[Enum], value: Any) -> Any:
    """An enum member from a member, its value or its name (any case)."""
    if isinstance(value, enum):
        return value
    return enum[str(value).upper()]


@dataclass
class Intent:
    id: str = field(default_factory=lambda: str(uuid4()))
    agent_id: str = ""
    feature_name: str = ""
    branch_name: str = ""
    schema_changes: list[str] = field(default_factory=list)
    tables_affected: list[str] = field(default_factory=list)
    estimated_duration_ms: int = 0
    risk_level: RiskLevel = RiskLevel.LOW
    status: IntentStatus = IntentStatus.REGISTERED
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    conflicts_with: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    objects: list[dict[str, str]] = field(default_factory=list)
    """What the intent changes or depends on (``kind``, ``object``, ``role``), read from its DDL."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agent_id": self.agent_id,
            "feature_name": self.feature_name,
            "branch_name": self.branch_name,
            "schema_changes": list(self.schema_changes),
            "tables_affected": list(self.tables_affected),
            "estimated_duration_ms": self.estimated_duration_ms,
            "risk_level": self.risk_level.value,
            "status": self.status.value,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "conflicts_with": list(self.conflicts_with),
            "metadata": dict(self.metadata),
            "objects": list(self.objects),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Intent:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "risk_level" in values:
            values["risk_level"] = _member(RiskLevel, values["risk_level"])
        if "status" in values:
            values["status"] = _member(IntentStatus, values["status"])
        for key in ("created_at", "updated_at"):
            if key in values:
                values[key] = _when(values[key]) or _now()
        return cls(**values)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, json_str: str) -> Intent:
        return cls.from_dict(json.loads(json_str))


@dataclass
class ConflictReport:
    id: int = 0
    intent_a: str = ""
    intent_b: str = ""
    conflict_type: ConflictType = ConflictType.TABLE
    affected_objects: list[str] = field(default_factory=list)
    severity: ConflictSeverity = ConflictSeverity.WARNING
    resolution_suggestions: list[str] = field(default_factory=list)
    reviewed: bool = False
    reviewed_at: datetime | None = None
    resolution_notes: str = ""
    created_at: datetime = field(default_factory=_now)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "intent_a": self.intent_a,
            "intent_b": self.intent_b,
            "conflict_type": self.conflict_type.value,
            "affected_objects": list(self.affected_objects),
            "severity": self.severity.value,
            "resolution_suggestions": list(self.resolution_suggestions),
            "reviewed": self.reviewed,
            "reviewed_at": _iso(self.reviewed_at),
            "resolution_notes": self.resolution_notes,
            "created_at": _iso(self.created_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConflictReport:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "conflict_type" in values:
            values["conflict_type"] = _member(ConflictType, values["conflict_type"])
        if "severity" in values:
            values["severity"] = _member(ConflictSeverity, values["severity"])
        if "reviewed_at" in values:
            values["reviewed_at"] = _when(values["reviewed_at"])
        if "created_at" in values:
            values["created_at"] = _when(values["created_at"]) or _now()
        if values.get("resolution_notes") is None:
            values["resolution_notes"] = ""
        return cls(**values)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, json_str: str) -> ConflictReport:
        return cls.from_dict(json.loads(json_str))


@dataclass
class IntentStatusChange:
    intent_id: str
    old_status: IntentStatus | None
    new_status: IntentStatus
    reason: str = ""
    changed_by: str = "system"
    changed_at: datetime = field(default_factory=_now)

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent_id": self.intent_id,
            "old_status": self.old_status.value if self.old_status else None,
            "new_status": self.new_status.value,
            "reason": self.reason,
            "changed_by": self.changed_by,
            "changed_at": _iso(self.changed_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IntentStatusChange:
        old = data.get("old_status")
        return cls(
            intent_id=data["intent_id"],
            old_status=_member(IntentStatus, old) if old else None,
            new_status=_member(IntentStatus, data["new_status"]),
            reason=data.get("reason") or "",
            changed_by=data.get("changed_by") or "system",
            changed_at=_when(data.get("changed_at")) or _now(),
        )


__all__ = [
    "ConflictReport",
    "ConflictSeverity",
    "ConflictType",
    "Intent",
    "IntentStatus",
    "IntentStatusChange",
    "RiskLevel",
]
